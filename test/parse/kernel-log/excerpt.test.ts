import {describe, expect, it} from 'vitest'
import {filterShows, grepFilterOf} from '../../../src/parse/kernel-log/excerpt.js'
import {parseKernelLog} from '../../../src/parse/kernel-log.js'
import {devsetFile} from '../../helpers/paths.js'

const VTD_ON = 'DMAR: Intel(R) Virtualization Technology for Directed I/O'
const ENABLED = 'DMAR: IOMMU enabled'

describe('grepFilterOf: the lines a pasted `dmesg | grep` keeps', () => {
  // [command, a line it keeps, a line it drops]
  const keeps: Array<[string, string, string]> = [
    ['dmesg | grep -i dmar', VTD_ON, 'pci 0000:01:00.0: Adding to iommu group 1'],
    ['sudo dmesg | grep -e DMAR -e IOMMU', ENABLED, 'AMD-Vi: Found IOMMU cap 0x40'.toLowerCase()],
    ['dmesg | grep -E "DMAR|IOMMU"', ENABLED, 'vfio-pci 0000:01:00.0: enabling device'],
    ["dmesg | grep 'DMAR\\|IOMMU'", ENABLED, 'kvm: disabled by bios'],
    ['dmesg -T | egrep -i "iommu|dmar"', 'pci 0000:01:00.0: Adding to iommu group 1', 'kvm: disabled by bios'],
    ['journalctl -k | grep -i vfio', 'vfio-pci 0000:01:00.0: enabling device', ENABLED],
    ['dmesg|grep -iw kvm', 'kvm: disabled by bios', 'kvm_amd: SVM disabled'],
    ['dmesg | grep -i iommu | grep -v group', ENABLED, 'pci 0000:01:00.0: Adding to iommu group 1'],
    ['dmesg | grep -F "Intel(R)"', VTD_ON, ENABLED],
    ['dmesg | grep "Intel(R)"', VTD_ON, ENABLED], // a basic regex: ( and ) are characters
    ['dmesg | grep -A3 -i dmar', VTD_ON, 'kvm: disabled by bios'],
  ]
  it.each(keeps)('%s', (command, kept, dropped) => {
    const filter = grepFilterOf(command)
    expect(filter).toBeDefined()
    expect(filterShows(filter!, kept)).toBe(true)
    expect(filterShows(filter!, dropped)).toBe(false)
  })

  // Pipelines after which a missing line proves nothing.
  it.each([
    'dmesg | grep -i dmar | head -5',
    'dmesg | tail -50',
    'dmesg | grep -m 3 -i dmar',
    'dmesg | grep -o -i "dmar.*"',
    'dmesg | grep -c dmar',
    'grep -i dmar /var/log/kern.log',
    'dmesg | grep -i dmar old.log',
    'cat dmesg.txt | grep -i dmar',
    'dmesg | grep "unclosed',
    'dmesg | grep -E "(a+)+$"', // could backtrack without bound: refused
    'dmesg || grep dmar',
    'dmesg',
  ])('%s: none', (command) => {
    expect(grepFilterOf(command)).toBeUndefined()
  })
})

describe('a grep excerpt from boot decides the IOMMU by what it lacks', () => {
  const thinkpad = devsetFile('123-dmar-table-no-iommu-enabled-thinkpad', 'dmesg-dmar.txt').split('\n').slice(1).join('\n')

  it('devset 123: `dmesg | grep -i dmar` with the DMAR table and units, without the VT-d line: off', () => {
    const log = parseKernelLog(thinkpad, grepFilterOf('dmesg  | grep -i dmar'))
    expect(log.iommu).toBe('off')
    expect(log.excerptsFromBoot?.map((f) => f.command)).toEqual(['dmesg  | grep -i dmar'])
  })

  it('the same lines pasted without their command: unknown', () => {
    expect(parseKernelLog(thinkpad).iommu).toBe('unknown')
  })

  it('a grep that would not show the VT-d line (grep DRHD): unknown', () => {
    expect(parseKernelLog(thinkpad, grepFilterOf('dmesg | grep DRHD')).iommu).toBe('unknown')
  })

  it('with the VT-d line: on', () => {
    expect(parseKernelLog(`${thinkpad}\n[    0.560000] ${VTD_ON}\n`, grepFilterOf('dmesg | grep -i dmar')).iommu).toBe('on')
  })

  it('an excerpt that starts late (the ring buffer lost the boot): no verdict from absence', () => {
    const late = thinkpad.replace(/\[ {4}0\./g, '[ 9000.')
    const log = parseKernelLog(late, grepFilterOf('dmesg | grep -i dmar'))
    expect(log.iommu).toBe('unknown')
    expect(log.excerptsFromBoot).toBeUndefined()
  })
})
