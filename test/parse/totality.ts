/**
 * The totality contract every text parser shares: any input gives a result and never an exception,
 * in time linear in the input. Used by the parser test files with each parser's real inputs.
 */
import fc from 'fast-check'
import {describe, expect, it} from 'vitest'

/** Pieces of the texts these parsers read, so random inputs reach past the first regex. */
const FRAGMENTS = [
  '00:02.0', '0000:01:00.0', '100:00.0', '00:20.0', 'ff:1f.7', ' VGA compatible controller', ' [0300]', ': ',
  'NVIDIA Corporation GP104 [GeForce GTX 1070]', ' [10de:1b81]', ' (rev a1)', ' (prog-if 00 [VGA controller])',
  '\tKernel driver in use: ', 'vfio-pci', '\tKernel modules: nouveau, nvidia', '\tSubsystem: Device [1458:3702]',
  '\tFlags: bus master, IOMMU group 14', 'Slot:\t', 'Device:\t', 'IOMMUGroup:\t', '"Host bridge [0600]"', ' -r12',
  'IOMMU Group ', '14', ':', '.', '*', 'Group 12:', '[R] ', ' (3) ', '### Group 1 ###', '/sys/kernel/iommu_groups/',
  '/devices/', 'f: /home/u/win.iso', 'drwx------', '-rw-r--r--', 'crw-rw----', 'lrwxrwxrwx', ' root', ' kvm',
  ' 1 ', ' 10, 232', ' 5.2G', ' Mar  1 10:00 ', '2024-03-01 10:00', '/home/u', ' -> ', '../x', '  File: ',
  'Access: (0600/-rw-------)  Uid: (    0/    root)   Gid: (    0/    root)', 'Size: 12',
  "ls: cannot access '/dev/vfio': No such file or directory", ' - No such file or directory', '/dev/vfio:',
  '\n', '\r\n', '\r', '\t', ' ', '  ', '\u0000', '"', "'", '[', ']', '(', ')', '\\', 'é', '💥',
]

/** Random mixtures of those pieces (exported so a parser's test can replay a seed that once failed). */
export const fragmentText = fc.array(fc.constantFrom(...FRAGMENTS), {maxLength: 80, size: 'max'}).map((parts) => parts.join(''))

/** A point in a text, as a fraction spread evenly over [0, 1] (fc.double crowds near 0). */
const fraction = fc.noBias(fc.integer({min: 0, max: 1_000_000})).map((n) => n / 1_000_000)

export interface TotalityCase<R> {
  name: string
  parse: (text: string) => R
  /** Real inputs (read in place) to truncate, re-wrap and pad. */
  realTexts: () => string[]
  /** Skip the tests on realTexts (they come from ../shared and it is absent). */
  skipReal?: boolean
  /** A comparable form of a result, for the properties that say two inputs read the same. */
  normalise?: (result: R) => unknown
  /** What must hold of any result, however odd the input (throws when it does not). */
  wellFormed?: (result: R) => void
}

export function describeTotality<R>({name, parse, realTexts, skipReal = false, normalise = (r) => r, wellFormed = () => {}}: TotalityCase<R>): void {
  describe(`${name} is total`, () => {
    it('never throws on arbitrary strings, and what it returns is well formed', () => {
      fc.assert(fc.property(fc.string({unit: 'binary', maxLength: 400, size: 'max'}), (text) => wellFormed(parse(text))))
    })

    it('never throws on random mixtures of the lines it reads, and what it returns is well formed', () => {
      fc.assert(fc.property(fragmentText, (text) => wellFormed(parse(text))), {numRuns: 2000})
    })

    it.skipIf(skipReal)('never throws on a real input cut at any point', () => {
      const texts = realTexts()
      fc.assert(
        fc.property(fc.noBias(fc.nat(texts.length - 1)), fraction, (which, at) => {
          const text = texts[which]!
          void parse(text.slice(0, Math.floor(text.length * at)))
        }),
      )
    })

    it.skipIf(skipReal)('reads CRLF line ends the same as LF', () => {
      for (const text of realTexts()) {
        expect(normalise(parse(text.replace(/\r?\n/g, '\r\n')))).toEqual(normalise(parse(text.replace(/\r\n/g, '\n'))))
      }
    })

    it.skipIf(skipReal)('ignores NUL bytes wherever they are', () => {
      const texts = realTexts()
      fc.assert(
        fc.property(fc.noBias(fc.nat(texts.length - 1)), fc.array(fraction, {maxLength: 20}), (which, cuts) => {
          const text = texts[which]!
          const withNuls = [...cuts]
            .sort((a, b) => b - a)
            .reduce((t, at) => {
              const i = Math.floor(t.length * at)
              return `${t.slice(0, i)}\u0000${t.slice(i)}`
            }, text)
          expect(normalise(parse(withNuls))).toEqual(normalise(parse(text)))
        }),
        {numRuns: 20},
      )
    })

    // Hang guards (a quadratic pass over 10 MB takes minutes), not speed tests: npm run bench times parsers.
    it('reads a 10 MB single line in bounded time', () => {
      const line = 'IOMMU Group 1 01:00.0 VGA [0300]: x [10de:1b81] (rev a1) -rw-r--r-- 1 root root 5.2G '.repeat(120_000)
      expect(line.length).toBeGreaterThan(10_000_000)
      const started = performance.now()
      void parse(line)
      void parse(' '.repeat(10_000_000))
      expect(performance.now() - started).toBeLessThan(10_000)
    })

    it.skipIf(skipReal)('reads 10 MB of real lines in linear time', () => {
      const real = realTexts().join('\n')
      const big = real.repeat(Math.ceil(10_000_000 / real.length))
      const started = performance.now()
      void parse(big)
      expect(performance.now() - started).toBeLessThan(10_000)
    })
  })
}
