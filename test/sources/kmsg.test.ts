/**
 * The kernel log from /dev/kmsg (src/sources/live/kmsg.ts): records become the lines dmesg prints,
 * on this machine's own device where it can be read, and on files planted under a fake root.
 */
import {execFileSync} from 'node:child_process'
import {accessSync, constants} from 'node:fs'
import {join} from 'node:path'
import {describe, expect, it} from 'vitest'
import {dmesgText, kmsgSource} from '../../src/sources/live/kmsg.js'
import type {LiveContext} from '../../src/sources/live/context.js'
import {FakeRoot, scriptedRunner} from '../helpers/fake-root.js'

const under = (root: string): LiveContext => ({root, run: scriptedRunner({}), libvirtUri: 'test:///default', user: 'root'})

describe('dmesgText', () => {
  it.each([
    ['a record', '6,1,35553,-;DMAR: IOMMU enabled\n', '[    0.035553] DMAR: IOMMU enabled\n'],
    ['a record with its dictionary', '6,195,233675,-;acpi PNP0A08:00: _OSC: OS supports [ASPM]\n SUBSYSTEM=acpi\n DEVICE=+acpi:PNP0A08:00\n', '[    0.233675] acpi PNP0A08:00: _OSC: OS supports [ASPM]\n'],
    ['a tab', '6,103,165662,-;rcu: \\x09RCU restricting CPUs\n', '[    0.165662] rcu: \tRCU restricting CPUs\n'],
    [
      'a message of two lines, indented under the first as dmesg does',
      '4,283,324713,-;amd_pstate: The CPPC feature is disabled by the BIOS.\\x0aPlease enable it.\n',
      '[    0.324713] amd_pstate: The CPPC feature is disabled by the BIOS.\n               Please enable it.\n',
    ],
    ['UTF-8 bytes', '6,7,12000000,-;usb 1-1: Product: Caf\\xc3\\xa9\n', '[   12.000000] usb 1-1: Product: Caf\u00e9\n'],
    ['a control character, left escaped', '6,8,1,-;odd \\x1b[31m name\n', '[    0.000001] odd \\x1b[31m name\n'],
    ['a caller field', '6,9,123456789,-,caller=T1;vfio-pci 0000:01:00.0: enabling device\n', '[  123.456789] vfio-pci 0000:01:00.0: enabling device\n'],
    ['nothing', '', ''],
  ])('%s', (_, records, printed) => {
    expect(dmesgText(records)).toBe(printed)
  })
})

describe('kmsgSource', () => {
  it('reads a kmsg file planted under --root, as the device', () => {
    const root = new FakeRoot().file('dev/kmsg', '5,0,0,-;Linux version 6.12.18\n6,1,35553,-;DMAR: IOMMU enabled\n')
    expect(kmsgSource(under(root.dir))).toEqual({kind: 'kernelLog', origin: '/dev/kmsg', status: 'ok', text: '[    0.000000] Linux version 6.12.18\n[    0.035553] DMAR: IOMMU enabled\n'})
  })

  it.each([
    ['absent', (root: FakeRoot) => root, {status: 'missing', reason: '/dev/kmsg does not exist'}],
    ['a folder', (root: FakeRoot) => root.folder('dev/kmsg'), {status: 'error', reason: "/dev/kmsg is neither the kernel's device nor a file"}],
    ['a named pipe, which would never end', (root: FakeRoot) => (execFileSync('mkfifo', [join(root.folder('dev').dir, 'dev/kmsg')]), root), {status: 'error', reason: "/dev/kmsg is neither the kernel's device nor a file"}],
  ])('marks /dev/kmsg %s', (_, make, expected) => {
    expect(kmsgSource(under(make(new FakeRoot()).dir))).toMatchObject({kind: 'kernelLog', origin: '/dev/kmsg', ...expected})
  })

  const readable = (() => {
    try {
      accessSync('/dev/kmsg', constants.R_OK)
      execFileSync('dmesg', {stdio: 'ignore'})
      return true
    } catch {
      return false
    }
  })()

  it.runIf(readable)("gives this machine's kernel log as its dmesg prints it", () => {
    const ours = kmsgSource(under('/')).text!
    const theirs = execFileSync('dmesg', {encoding: 'utf8', env: {...process.env, LC_ALL: 'C'}})
    // A message logged between the two reads only lengthens dmesg's.
    expect(ours.split('\n').length).toBeGreaterThan(10)
    expect(theirs.startsWith(ours.slice(0, ours.lastIndexOf('\n', ours.length - 2) + 1))).toBe(true)
  })
})
