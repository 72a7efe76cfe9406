/** The sort orders that replace localeCompare (src/util/order.ts), which loads ICU's collator. */
import {describe, expect, it} from 'vitest'
import {byCodePoint, naturalOrder} from '../../src/util/order.js'

describe('naturalOrder', () => {
  it.each([
    ['IOMMU group numbers', ['0', '1', '2', '10', '11', '20', '100']],
    ['names with numbers', ['dmar0', 'dmar1', 'dmar2', 'dmar10', 'group 9', 'group 10']],
    ['digits before letters, case by code point', ['10-vfio.conf', 'SSDT1', 'SSDT2', 'SSDT10', 'amdgpu.conf', 'vfio.conf']],
  ])('orders %s', (_, names) => {
    expect([...names].reverse().sort(naturalOrder)).toEqual(names)
  })

  it.each([
    ['2', '10', -1],
    ['group10', 'group9', 1],
    ['a', 'a', 0],
    ['01', '1', -1],
    ['vfio', 'vfio1', -1],
    ['x2y', 'x2z', -1],
    ['99999999999999999999', '100000000000000000000', -1],
  ])('%s against %s: %d', (a, b, sign) => {
    expect(Math.sign(naturalOrder(a, b))).toBe(sign)
    expect(Math.sign(naturalOrder(b, a))).toBe(0 - sign || 0)
  })
})

describe('byCodePoint', () => {
  it.each([
    ['fixed-width PCI addresses, in hex order', ['0000:00:01.0', '0000:00:02.0', '0000:00:1f.3', '0000:01:00.0', '0000:0a:00.0', '0000:10:00.0']],
    ['modprobe.d files, as kmod reads them', ['10-vfio.conf', '9-blacklist.conf', 'blacklist.conf', 'vfio.conf', 'vfio2.conf']],
    ['check ids', ['acs-override-needed', 'gpu-driver', 'iommu-enabled', 'iommu-firmware-off', 'vfio-ids']],
  ])('orders %s', (_, names) => {
    expect([...names].reverse().sort(byCodePoint)).toEqual(names)
  })

  it.each([
    ['a', 'b', -1],
    ['b', 'a', 1],
    ['a', 'a', 0],
    ['B', 'a', -1],
  ])('%s against %s: %d', (a, b, sign) => {
    expect(byCodePoint(a, b)).toBe(sign)
  })
})
