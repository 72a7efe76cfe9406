/** The line of a domain's XML that an evidence line quotes: one line alone, or none. */
import {readFileSync} from 'node:fs'
import {join} from 'node:path'
import {describe, expect, it} from 'vitest'
import {quotedXmlLine} from '../../src/report/xml-line.js'
import {fixturesDir} from '../helpers/paths.js'

const xml = readFileSync(join(fixturesDir, 'seed-003-looking-glass-tablet-qxl/domain-win10.xml'), 'utf8')
const evdev = readFileSync(join(fixturesDir, 'seed-003-looking-glass-evdev-not-event/domain-win10.xml'), 'utf8')
const line = (evidence: string, text = xml, firstLine = 1) => quotedXmlLine(`domain win10 (domain-win10.xml): ${evidence}`, [{text, firstLine}])

describe('quotedXmlLine', () => {
  it.each([
    // [what the evidence quotes, the line that holds it]
    ["<input type='tablet' bus='usb'>", 24],
    // The first element quoted that one line alone holds, in either quote: a comment on line 28 also
    // names <video>, so the model's line.
    ["<video><model type='qxl'/></video>", 39],
    ["<model type='qxl'/>", 39],
    ["<shmem name='looking-glass'> <model type='ivshmem-plain'/> <size> 32 MiB", 43],
  ])('%s: line %i', (evidence, n) => {
    expect(line(evidence)).toBe(n)
  })

  it('an element on several lines gives the next element quoted that one line holds (the evdev source, not the first input)', () => {
    expect(evdev.split('\n').filter((l) => l.includes('<input type="evdev"')).length).toBeGreaterThan(1)
    expect(line("<input type='evdev'><source dev='/dev/input/by-id/usb-Logitech_USB_Receiver-if01-mouse'/>", evdev)).toBe(45)
  })

  it.each([
    ['two lines hold it, and nothing else is quoted', "<input type='evdev'>", evdev],
    ['no element quoted', 'no <sound>; shmems looking-glass', xml],
    ['an attribute the file does not have', "<input type='tablet' bus='ps2'>", xml],
    ['a longer element name that starts the same', '<in>', xml],
  ])('none when %s', (_why, evidence, text) => {
    expect(line(evidence, text)).toBeUndefined()
  })

  it('a part of a file counts its lines from where the part starts', () => {
    expect(line("<input type='tablet' bus='usb'>", xml, 11)).toBe(34)
  })
})
