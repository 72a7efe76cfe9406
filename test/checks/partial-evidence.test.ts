/**
 * Partial evidence: a device missing from a grep'd or `lspci -s` paste is not missing from the host.
 * deviceListComplete says which lists are whole (sysfs, or a listing that starts at the root complex's
 * host bridge, 00:xx.x class 0600, with at least five devices); vfio-ids turns that into a warning ("no
 * device on this host has those ids") or only an info ("the list is partial"), and host-display
 * skips rather than guess. Each boundary is held from both sides, by the function and by a check.
 * The lists are `lspci -n` (numbers only), so no "Host bridge" name stands in for the class code.
 */
import {describe, expect, it} from 'vitest'
import hostDisplay from '../../checks/host-display.js'
import {deviceListComplete} from '../../checks/lib/gpu.js'
import vfioIds from '../../checks/vfio-ids.js'
import {assembleFacts} from '../../src/facts/assemble.js'
import {sourceSetFromFiles, testCheck, type EvidenceFiles} from '../helpers/check-tester.js'
import {pciSysfs} from './isolation-data.js'

/** A Kaby Lake desktop with a GTX 1070, whole: the host bridge 00:00.0 [0600] first, no PCI bridge on bus 00. */
const WHOLE = ['00:00.0 0600: 8086:591f (rev 05)', '00:14.0 0c03: 8086:a2af', '00:17.0 0106: 8086:a282', '00:1f.3 0403: 8086:a2f0', '01:00.0 0300: 10de:1b81 (rev a1)', '01:00.1 0403: 10de:10f0 (rev a1)']
/** `lspci -n | grep -e 00:01 -e 0[1-4]:00`: the GPU's root port [0604] and what sits behind the ports, no host bridge. */
const GREP_ROOT_PORT = ['00:01.0 0604: 8086:1901 (rev 05)', '01:00.0 0300: 10de:1b81 (rev a1)', '01:00.1 0403: 10de:10f0 (rev a1)', '02:00.0 0108: 144d:a808', '03:00.0 0200: 10ec:8168 (rev 15)', '04:00.0 0c03: 1b21:2142']
/** Six devices behind the root ports (`lspci -n -s 01-04:`): nothing on bus 00 at all. */
const BEHIND_PORTS = GREP_ROOT_PORT.slice(1).concat('04:00.1 0c03: 1b21:2142')
/** The host bridge and four more (the GPU's two functions among them): five devices, the fewest a whole list has. */
const FIVE = WHOLE.filter((l) => !l.startsWith('00:1f.3'))
const FOUR = FIVE.filter((l) => !l.startsWith('00:17.0'))
/** lspci without -n: the host bridge known by its name only. */
const NAMED = ['00:00.0 Host bridge: Intel Corporation Xeon E3-1200 v6/7th Gen Core Processor Host Bridge/DRAM Registers (rev 05)', '00:14.0 USB controller: Intel Corporation 200 Series/Z370 Chipset Family USB 3.0 xHCI Controller', '00:17.0 SATA controller: Intel Corporation 200 Series PCH SATA controller [AHCI mode]', '01:00.0 VGA compatible controller: NVIDIA Corporation GP104 [GeForce GTX 1070] (rev a1)', '01:00.1 Audio device: NVIDIA Corporation GP104 High Definition Audio Controller (rev a1)']

const lspci = (lines: string[]) => `${lines.join('\n')}\n`
/** An id no device above has (seed 002's Samsung NVMe), next to the GTX 1070's own. */
const CMDLINE = 'intel_iommu=on vfio-pci.ids=10de:1b81,10de:10f0,144d:a80a\n'
const complete = (files: EvidenceFiles) => deviceListComplete(assembleFacts(sourceSetFromFiles(files), {}))

describe('deviceListComplete', () => {
  it('a whole lspci -n with its host bridge by class code 0600 is complete', () => {
    expect(complete({'lspci.txt': lspci(WHOLE)})).toBe(true)
  })
  it('a grep with a PCI bridge [0604] on bus 00 but no host bridge is partial', () => {
    expect(complete({'lspci.txt': lspci(GREP_ROOT_PORT)})).toBe(false)
  })
  it('six devices without anything on bus 00 are partial, however many', () => {
    expect(complete({'lspci.txt': lspci(BEHIND_PORTS)})).toBe(false)
  })
  it('the host bridge and four more devices are complete; and three more are not', () => {
    expect(complete({'lspci.txt': lspci(FIVE)})).toBe(true)
    expect(complete({'lspci.txt': lspci(FOUR)})).toBe(false)
  })
  it('a host bridge known only by its name counts', () => {
    expect(complete({'lspci.txt': lspci(NAMED)})).toBe(true)
  })
  it('a host bridge off bus 00 (a second root complex) does not start a whole listing', () => {
    expect(complete({'lspci.txt': lspci(['40:00.0 0600: 1022:1480', ...BEHIND_PORTS])})).toBe(false)
  })
  it('an "InfiniBand to PCI host bridge" (class 060a) is not the root complex', () => {
    expect(complete({'lspci.txt': lspci(['00:03.0 InfiniBand to PCI host bridge: Mellanox Technologies Device 1003', ...NAMED.slice(1), '02:00.0 Ethernet controller: Realtek Semiconductor Co., Ltd. RTL8111/8168/8411 PCI Express Gigabit Ethernet Controller (rev 15)'])})).toBe(false)
  })
  it('no device list at all is not a complete one', () => {
    expect(complete({'cmdline.txt': CMDLINE})).toBe(false)
  })
  it('sysfs is the whole bus, however few devices it has', () => {
    expect(complete({'pci-sysfs.txt': pciSysfs(['0000:01:00.0 vendor=10de device=1b81 class=030000 driver=vfio-pci', '0000:01:00.1 vendor=10de device=10f0 class=040300 driver=vfio-pci'])})).toBe(true)
  })
})

const absent = (severity: 'warning' | 'info', message: RegExp) => [{id: 'vfio-ids-wrong', severity, subject: '144d:a80a', message}]
const WARNING = absent('warning', /no device on this host has those ids/)
const INFO = absent('info', /partial/)

testCheck(vfioIds, {
  valid: [],
  invalid: [
    {name: 'whole lspci -n (host bridge by class code): an id no device has is a warning', files: {'cmdline.txt': CMDLINE, 'lspci.txt': lspci(WHOLE)}, findings: WARNING},
    {name: 'host bridge and four more: whole, a warning', files: {'cmdline.txt': CMDLINE, 'lspci.txt': lspci(FIVE)}, findings: WARNING},
    {name: 'host bridge and three more: partial, only an info', files: {'cmdline.txt': CMDLINE, 'lspci.txt': lspci(FOUR)}, findings: INFO},
    {name: 'a grep with the root port [0604] and no host bridge: only an info', files: {'cmdline.txt': CMDLINE, 'lspci.txt': lspci(GREP_ROOT_PORT)}, findings: INFO},
    {name: 'six devices behind the root ports: only an info', files: {'cmdline.txt': CMDLINE, 'lspci.txt': lspci(BEHIND_PORTS)}, findings: INFO},
  ],
})

/** The GTX 1070 as the only display device of the list, handed to vfio-pci. */
const GPU_ONLY_CMDLINE = 'intel_iommu=on vfio-pci.ids=10de:1b81,10de:10f0\n'

testCheck(hostDisplay, {
  valid: [
    {name: 'a grep with the root port [0604]: another GPU may be outside it', files: {'cmdline.txt': GPU_ONLY_CMDLINE, 'lspci.txt': lspci(GREP_ROOT_PORT)}, skipped: /the device list is partial/},
    {name: 'devices behind the root ports only', files: {'cmdline.txt': GPU_ONLY_CMDLINE, 'lspci.txt': lspci(BEHIND_PORTS)}, skipped: /the device list is partial/},
  ],
  invalid: [],
})
