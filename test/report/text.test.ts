import {describe, expect, it} from 'vitest'
import {useColor} from '../../src/report/style.js'
import {renderText} from '../../src/report/text.js'
import {check, finding, report} from './fake-report.js'

const sample = report(
  [
    check('iommu-enabled', 'iommu', 'failed'),
    check('gpu-driver', 'isolation', 'passed', {passes: ['0000:01:00.0 uses vfio-pci']}),
    check('cpu-virtualization', 'host', 'skipped', {reason: 'the kernel log is restricted to root', hint: 'run vfio-doctor with sudo'}),
    check('host-virtual', 'host', 'skipped', {reason: 'the kernel log is restricted to root', hint: 'run vfio-doctor with sudo'}),
    check('domain-tpm', 'vm', 'warned'),
    check('shm', 'looking-glass', 'crashed', {reason: 'TypeError: boom'}),
  ],
  [
    finding('iommu-firmware-off', 'iommu-enabled', 'error', {
      evidence: ['kernel log line 3: DMAR: IOMMU enabled'],
      fix: {nixos: 'Reboot into the firmware setup and enable **VT-d**. Nothing in the NixOS\nconfiguration changes; keep:\n\n```nix\nboot.kernelParams = [ "intel_iommu=on" ];\n```'},
    }),
    finding('domain-tpm-missing', 'domain-tpm', 'warning'),
  ],
)

describe('terminal report', () => {
  it('one line per area with its status, findings with evidence and fix under it, a summary line', () => {
    const out = renderText(sample, {color: false, verbose: false, width: 100})
    expect(out).toBe(
      [
        'vfio-doctor 9.9.9: the evidence folder (NixOS 25.05 (Warbler), kernel 6.12.18)',
        '',
        '[-] Host CPU, firmware and kernel (skipped: the kernel log is restricted to root)',
        '[✗] IOMMU',
        '    ✗ iommu-firmware-off message',
        '      • kernel log line 3: DMAR: IOMMU enabled',
        '      Fix (NixOS):',
        '        Reboot into the firmware setup and enable VT-d. Nothing in the NixOS configuration changes;',
        '        keep:',
        '          boot.kernelParams = [ "intel_iommu=on" ];',
        '      More: vfio-doctor explain iommu-firmware-off',
        '[✓] Device isolation',
        '[!] libvirt and the VM definition',
        '    ! domain-tpm-missing message',
        '      More: vfio-doctor explain domain-tpm-missing',
        '[✗] Looking Glass and guest extras',
        '    ✗ shm title: the check crashed (TypeError: boom); please report this',
        '',
        '1 error, 1 warning in 2 areas; 1 check crashed; 2 checks skipped: run vfio-doctor with sudo.',
        '',
      ].join('\n'),
    )
  })

  it('-v adds what passed, what could not be read and the facts', () => {
    const out = renderText(sample, {color: false, verbose: true, width: 100}, [
      {label: 'CPU', value: 'Intel(R) Core(TM) i7-7700T (vmx present)'},
      {label: 'IOMMU groups', value: 'none'},
    ])
    expect(out).toContain('[✓] Device isolation\n    • 0000:01:00.0 uses vfio-pci\n')
    expect(out).toContain('Could not be read:\n  dmesg: denied, the kernel log is restricted to root (run vfio-doctor with sudo)\n')
    expect(out).toContain('Facts:\n  CPU           Intel(R) Core(TM) i7-7700T (vmx present)\n  IOMMU groups  none\n')
    expect(renderText(sample, {color: false, verbose: false, width: 100})).not.toContain('uses vfio-pci')
  })

  it('wraps prose to the terminal width, and only unbreakable words go past it', () => {
    const long = report([check('iommu-enabled', 'iommu', 'failed')], [finding('x', 'iommu-enabled', 'error', {message: 'word '.repeat(40).trim(), evidence: ['kernel command line: ' + 'param=value '.repeat(12).trim()]})])
    const lines = renderText(long, {color: false, verbose: false, width: 50}).split('\n')
    expect(lines.filter((l) => l.length > 50)).toEqual([])
    expect(lines.filter((l) => l.startsWith('      word')).length).toBeGreaterThan(3)
  })

  it('colours only when asked, and the colour never changes the text', () => {
    const plain = renderText(sample, {color: false, verbose: true, width: 100})
    const coloured = renderText(sample, {color: true, verbose: true, width: 100})
    expect(plain).not.toMatch(/\u001b\[/)
    expect(coloured).toMatch(/\u001b\[31m\[✗\]\u001b\[39m/)
    expect(coloured.replace(/\u001b\[[0-9;]*m/g, '')).toBe(plain)
  })

  it('says "no issues" when nothing is wrong, and why checks were skipped when they disagree', () => {
    const ok = report([check('a', 'iommu', 'passed'), check('b', 'vm', 'skipped', {reason: 'no domain XML'}), check('c', 'host', 'passed'), check('d', 'host', 'skipped', {reason: 'no cpuinfo'})], [])
    expect(renderText(ok, {color: false, verbose: false, width: 100})).toMatch(/\nNo issues found; 2 checks skipped \(-v shows why\)\.\n$/)
  })

  it('never says "no issues" about a main area none of whose checks could run', () => {
    const blind = report([check('a', 'iommu', 'passed'), check('c', 'host', 'skipped', {reason: 'no cpuinfo'})], [])
    const text = renderText(blind, {color: false, verbose: false, width: 100})
    expect(text).not.toMatch(/No issues found/)
    expect(text.replace(/\s+/g, " ")).toMatch(/No problem found in what could be judged, but the evidence says nothing of Host CPU, firmware and kernel\. Gather it/)
  })
})

describe('useColor', () => {
  it.each([
    [{isTTY: true}, {}, true],
    [{isTTY: false}, {}, false],
    [{isTTY: true}, {NO_COLOR: '1'}, false],
    [{isTTY: true}, {NO_COLOR: ''}, true],
    [{isTTY: false}, {FORCE_COLOR: '1'}, true],
    [{isTTY: true}, {FORCE_COLOR: '0'}, false],
    [{isTTY: false}, {FORCE_COLOR: '1', NO_COLOR: '1'}, false],
    [{isTTY: true}, {TERM: 'dumb'}, false],
  ])('%j with %j: %s', (stream, env, want) => {
    expect(useColor(stream, env as NodeJS.ProcessEnv)).toBe(want)
  })
})
