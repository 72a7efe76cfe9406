/** `vfio-doctor plan` end to end, in this process: what it prints, the files --output writes, its one-line errors. */
import {mkdtempSync, readdirSync, readFileSync} from 'node:fs'
import {tmpdir} from 'node:os'
import {join} from 'node:path'
import {describe, expect, it, vi} from 'vitest'
import Plan from '../../src/commands/plan.js'
import {fixturesDir, repoRoot} from '../helpers/paths.js'
import {expectNixParses, expectPatchApplies, expectValidDomain} from '../helpers/tools.js'

async function run(args: string[]): Promise<{stdout: string; stderr: string; code: number}> {
  let stdout = ''
  let stderr = ''
  const out = vi.spyOn(process.stdout, 'write').mockImplementation((chunk: string | Uint8Array) => ((stdout += chunk.toString()), true))
  const err = vi.spyOn(process.stderr, 'write').mockImplementation((chunk: string | Uint8Array) => ((stderr += chunk.toString()), true))
  process.exitCode = undefined
  try {
    await Plan.run(args, repoRoot)
  } finally {
    out.mockRestore()
    err.mockRestore()
  }
  const code = Number(process.exitCode ?? 0)
  process.exitCode = undefined
  return {stdout, stderr, code}
}

const isoInHome = join(fixturesDir, 'seed-003-iso-in-home')
const newDir = () => join(mkdtempSync(join(tmpdir(), 'vfio-doctor-plan-out-')), 'plan')

describe('vfio-doctor plan', () => {
  it('prints the plan and writes nothing', async () => {
    const before = readdirSync(isoInHome)
    const r = await run(['--input', isoInHome, '--vm', 'win10', '--user', 'vini'])
    expect(r.code).toBe(0)
    expect(r.stderr).toBe('')
    // The first line wraps to the terminal (80 columns here, as on a pipe): its lines read as one.
    expect(r.stdout.replace(/\n  (?=\S)/g, ' ')).toMatch(/^vfio-doctor plan: 0000:01:00\.0 \[10de:1b81\] NVIDIA Corporation GP104 \[GeForce GTX 1070\] for the guest/)
    expect(r.stdout).toContain('✓ iso-permissions (error): step ')
    expect(r.stdout).toContain("== NixOS: vfio.nix ==")
    expect(r.stdout).toContain("+      <source file='/var/lib/libvirt/images/Win10_21H1_English_x64.iso'/>")
    expect(readdirSync(isoInHome)).toEqual(before)
  })

  it('--output writes the files into a new folder: they parse, validate and patch', async () => {
    const dir = newDir()
    const r = await run(['--input', isoInHome, '--vm', 'win10', '--user', 'vini', '--looking-glass', '2560x1440', '--output', dir])
    expect(r.stderr).toBe('')
    expect(r.stdout).toBe(`Wrote STEPS.md, vfio.nix, vfio.conf, kernel-cmdline.txt, looking-glass.conf, libvirt-fragments.txt, domain-win10.xml, domain-win10.diff to ${dir}. Start with STEPS.md.\n`)
    const file = (name: string) => readFileSync(join(dir, name), 'utf8')
    expectNixParses(file('vfio.nix'), 'command')
    expectValidDomain(file('domain-win10.xml'), 'command')
    expectPatchApplies(readFileSync(join(isoInHome, 'domain-win10.xml'), 'utf8'), file('domain-win10.diff'), file('domain-win10.xml'), 'command')
    expect(file('kernel-cmdline.txt')).toBe('intel_iommu=on iommu=pt vfio-pci.ids=10de:1b81\n')
    expect(file('looking-glass.conf')).toContain('f /dev/shm/looking-glass 0660 vini qemu-libvirtd -')
    expect(file('STEPS.md')).toMatch(/### \d+\. Move Win10_21H1_English_x64\.iso into libvirt's image folder/)
  })

  it.each([
    [['--input', isoInHome, '--output', fixturesDir], `vfio-doctor: ${fixturesDir} is not empty: choose a new folder\n`],
    [['--input', isoInHome, '--looking-glass', 'big'], 'vfio-doctor: --looking-glass big: expected WIDTHxHEIGHT, like 2560x1440\n'],
    [['--input', isoInHome, '--vm', 'win11'], 'vfio-doctor: --vm win11: no such domain in the evidence (domains: win10)\n'],
    [['--input', isoInHome, '--gpu', '05:00.0'], 'vfio-doctor: --gpu 05:00.0: the evidence lists no device at 0000:05:00.0\n'],
    [['--input', '/nonexistent/evidence'], 'vfio-doctor: cannot read /nonexistent/evidence: no such file or directory\n'],
  ])('%j: one line, exit 2', async (args, message) => {
    const r = await run(args)
    expect(r.stderr).toBe(message)
    expect(r.code).toBe(2)
  })

  it('has examples, each a runnable command', () => {
    for (const e of Plan.examples as Array<{description: string; command: string}>) expect(e.command).toMatch(/^(sudo )?<%= config\.bin %> <%= command\.id %>( |$)/)
  })
})
