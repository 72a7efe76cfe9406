import {readFileSync} from 'node:fs'
import {join} from 'node:path'
import {describe, expect, it} from 'vitest'
import {diagnose} from '../../src/engine/pipeline.js'
import {markdownToBbcode} from '../../src/report/bbcode.js'
import {fitExcerpts} from '../../src/report/excerpt.js'
import {renderReport} from '../../src/report/render.js'
import type {Source, SourceSet} from '../../src/sources/types.js'
import {sourceSetFromFiles} from '../helpers/check-tester.js'
import {corpusDir, hasShared} from '../helpers/paths.js'

const corpus = (path: string) => readFileSync(join(corpusDir, path), 'utf8')

/** A host whose logs are far over any forum's limit: three real journals of 600-900 kB. */
function hugeHost(): SourceSet {
  return sourceSetFromFiles({
    'dmesg.txt': corpus('dmesg/diapason-consulting__crash-logs__Log12-12.txt'),
    'journal-2.txt': corpus('dmesg/eli4444__askUbuntu_dmesg__journalctl-lastDayOrSo'),
    'qemu-win10.log': corpus('dmesg/NickSalacious__LinuxErrors__journalctl.txt'),
    'lspci-nnk.txt': corpus('lspci/Delaunay__regression__lspci-k.txt'),
    'iommu-groups.txt': corpus('iommu-groups/alshdavid-labs__vfio-log__iommu-groups.txt'),
    'win10.xml': corpus('libvirt-domains-real/bryansteiner__gpu-passthrough-tutorial__kvm_win10.xml'),
  })
}

async function render(set: SourceSet, format: 'markdown' | 'bbcode', redact = true): Promise<string> {
  const {facts, report} = diagnose(set)
  return renderReport(report, {format, set, facts, failOn: 'error', redact})
}

describe('markdown report', () => {
  it.skipIf(!hasShared)('stays under GitHub\'s 65,536 characters by excerpting logs around the lines that matter, and says so', async () => {
    const set = hugeHost()
    const total = set.sources.reduce((n, s) => n + (s.text?.length ?? 0), 0)
    expect(total).toBeGreaterThan(2_000_000)
    const md = await render(set, 'markdown')
    expect(md.length).toBeLessThanOrEqual(65_536)
    expect(md.length).toBeGreaterThan(40_000) // it uses the room it has
    expect(md).toMatch(/<summary>dmesg\.txt · kernel log · [\d,]+ lines of [\d,]+, around [\d,]+ that matter<\/summary>/)
    expect(md).toMatch(/\[… [\d,]+ lines cut …\]/)
    // Small files stay whole; the kernel's own telling lines survive the cut.
    expect(md).toMatch(/<summary>win10\.xml · libvirt domain XML · \d+ lines<\/summary>/)
    expect(md).toContain('Command line: BOOT_IMAGE=/boot/vmlinuz-linux')
  })

  it('puts findings first, folds evidence and sources, and balances every fold and fence', async () => {
    const md = await render(sourceSetFromFiles({
      'iommu-groups.txt': 'IOMMU Group .:\n',
      'cmdline.txt': 'BOOT_IMAGE=/vmlinuz root=/dev/sda1 intel_iommu=on\n',
      'cpuinfo.txt': 'vendor_id\t: GenuineIntel\nflags\t\t: fpu vmx\n',
      'qemu-win10.log': 'a log with a fence inside:\n```\nnot the end\n```\n',
    }), 'markdown')
    expect(md.indexOf('### ❌')).toBeGreaterThan(0)
    expect(md.indexOf('### ❌')).toBeLessThan(md.indexOf('## Checks'))
    expect(md.match(/<details>/g)?.length).toBe(md.match(/<\/details>/g)?.length)
    // The log's own ``` cannot close the block that holds it.
    expect(md).toContain('````text\na log with a fence inside:\n```\nnot the end\n```\n````')
  })

  it('escapes prose so forum Markdown shows it as written', async () => {
    const {markdownMarkup} = await import('../../src/report/markdown.js')
    expect(markdownMarkup.escape('uses <name> and vfio_pci | *x*')).toBe('uses \\<name\\> and vfio\\_pci \\| \\*x\\*')
    expect(markdownMarkup.escape('1. not a list')).toBe('1\\. not a list')
  })
})

describe('bbcode report', () => {
  it.skipIf(!hasShared)('fits the Arch forums: under 60,000 bytes, no emoji, no nested [b], [code] that cannot be closed early', async () => {
    const set = hugeHost()
    set.sources.push({kind: 'qemuLog', origin: 'tricky.log', status: 'ok', text: 'line with [/code] inside\n'} as Source)
    const bb = await render(set, 'bbcode')
    expect(Buffer.byteLength(bb)).toBeLessThanOrEqual(60_000)
    expect(bb).not.toMatch(/\p{Extended_Pictographic}/u)
    expect(bb).not.toMatch(/\[b\][^\n]*\[b\]/)
    expect(bb).toContain('line with [/ code] inside')
    expect(bb).not.toContain('<details>')
  })

  it('turns a knowledge page\'s Markdown into BBCode', () => {
    const md = 'Enable **VT-d** in the firmware,\nthen add:\n\n```nix\nboot.kernelParams = [ "intel_iommu=on" ];\n```\n\n- one\n- two [wiki](https://wiki.archlinux.org/title/PCI_passthrough_via_OVMF)\n\n## Verify'
    expect(markdownToBbcode(md)).toBe(
      'Enable [b]VT-d[/b] in the firmware, then add:\n\n[code]boot.kernelParams = [ "intel_iommu=on" ];[/code]\n\n[list]\n[*]one[/*]\n[*]two [url=https://wiki.archlinux.org/title/PCI_passthrough_via_OVMF]wiki[/url][/*]\n[/list]\n\n[b]Verify[/b]',
    )
  })
})

describe('text that no recogniser claims, in a shared report', () => {
  it('is shown only where it is evidence, and otherwise stays home without a "left out" note', async () => {
    const md = await render(sourceSetFromFiles({
      'cmdline.txt': 'BOOT_IMAGE=/vmlinuz root=/dev/sda1 intel_iommu=on\n',
      'notes.txt': 'my landlord is Mr. Quibbleton, flat 4b, and this error came back:\nerror: Failed to connect socket to \'/var/run/libvirt/libvirt-sock\': Permission denied\n\nsee you on Tuesday\n',
      'diary.txt': 'nothing here is evidence of anything at all\n',
    }), 'markdown')
    expect(md).toContain("error: Failed to connect socket to '/var/run/libvirt/libvirt-sock': Permission denied")
    expect(md).not.toContain('Quibbleton')
    expect(md).not.toContain('Tuesday')
    expect(md).not.toContain('nothing here is evidence')
    expect(md).not.toMatch(/Left out to stay under the size limit: .*diary\.txt/)
  })
})

describe('fitExcerpts', () => {
  const log = Array.from({length: 5000}, (_, i) => (i === 2500 ? 'vfio-pci 0000:01:00.0: BAR 1: can\'t reserve [mem 0xe0000000-0xefffffff 64bit pref]' : `usb 1-${i}: new device`)).join('\n')

  it('leaves what fits whole', () => {
    const [e] = fitExcerpts([{kind: 'kernelLog', text: 'a\nb\n'}], [], 1000)
    expect(e).toMatchObject({cut: 'none', text: 'a\nb', totalLines: 2, shownLines: 2})
  })

  it('keeps the lines evidence quotes, with context, and marks what it cut', () => {
    const [e] = fitExcerpts([{kind: 'log', text: log}], ["kernel log line 2501: vfio-pci 0000:01:00.0: BAR 1: can't reserve [mem 0xe0000000-0xefffffff 64bit pref]"], 2000)
    expect(e!.cut).toBe('excerpt')
    expect(e!.matters).toBe(1)
    const lines = log.split('\n')
    expect(e!.text.split('\n')).toEqual(['[… 2495 lines cut …]', ...lines.slice(2495, 2506), '[… 2494 lines cut …]'])
  })

  it('steps the largest source down first and leaves small ones whole', () => {
    const [big, small] = fitExcerpts([{kind: 'kernelLog', text: log}, {kind: 'cmdline', text: 'intel_iommu=on'}], [], 3000)
    expect(big!.cut).not.toBe('none')
    expect(small!.cut).toBe('none')
  })

  it('leaves a source out when nothing of it fits', () => {
    const [e] = fitExcerpts([{kind: 'log', text: log}], [], 10)
    expect(e!.cut).toBe('omitted')
  })
})
