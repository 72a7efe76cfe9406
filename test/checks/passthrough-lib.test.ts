/**
 * checks/lib/passthrough.ts upstreamBridges: the bridges above a device are those whose "PCI bridge to
 * [bus NN-MM]" range (kernel log) holds the device's bus, in the same PCI domain. The lines are the
 * kernel's own format (a Thunderbolt dock's switch: 01:00.0 to buses 02-08, its ports to one bus each).
 */
import {describe, expect, it} from 'vitest'
import {upstreamBridges} from '../../checks/lib/passthrough.js'
import {assembleFacts} from '../../src/facts/assemble.js'
import {sourceSetFromFiles} from '../helpers/check-tester.js'

const DMESG = [
  '[    0.594441] pci 0000:00:1c.0: PCI bridge to [bus 01-08]',
  '[    0.594441] pci 0000:01:00.0: PCI bridge to [bus 02-08]',
  '[    0.594441] pci 0000:02:01.0: PCI bridge to [bus 03]',
  '[    0.594441] pci 0000:02:04.0: PCI bridge to [bus 05]',
  '[    0.594441] pci 0001:00:02.0: PCI bridge to [bus 01-0a]',
].join('\n')
const facts = assembleFacts(sourceSetFromFiles({'dmesg.txt': `${DMESG}\n`}), {})

describe('upstreamBridges', () => {
  it("is every bridge whose range holds the device's bus, and no other", () => {
    expect(upstreamBridges(facts, '0000:05:00.0').sort()).toEqual(['0000:00:1c.0', '0000:01:00.0', '0000:02:04.0'])
  })
  it('the ends of a range count (bus 02 and bus 08 of 02-08)', () => {
    expect(upstreamBridges(facts, '0000:02:00.0').sort()).toEqual(['0000:00:1c.0', '0000:01:00.0'])
    expect(upstreamBridges(facts, '0000:08:00.0').sort()).toEqual(['0000:00:1c.0', '0000:01:00.0'])
  })
  it('a bus outside every range has none; a bridge of another PCI domain is not above it', () => {
    expect(upstreamBridges(facts, '0000:09:00.0')).toEqual([])
    expect(upstreamBridges(facts, '0001:03:00.0')).toEqual(['0001:00:02.0'])
  })
})
