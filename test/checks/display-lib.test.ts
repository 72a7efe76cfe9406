/**
 * checks/lib/display.ts: whether a CPU has integrated graphics by its model name (so the host can keep
 * a screen when its only card goes to the guest), and why a display device is the host's own.
 * Model names are as /proc/cpuinfo prints them.
 */
import {describe, expect, it} from 'vitest'
import {cpuHasIgpu, hostDisplayEvidence, igpuFirmwareSetting} from '../../checks/lib/display.js'
import {assembleFacts} from '../../src/facts/assemble.js'
import {sourceSetFromFiles} from '../helpers/check-tester.js'

const igpu = (model: string) => cpuHasIgpu({model} as Parameters<typeof cpuHasIgpu>[0])

describe('cpuHasIgpu', () => {
  it.each([
    ['Intel(R) Core(TM) i7-4790K CPU @ 4.00GHz', true],
    ['Intel(R) Core(TM) i5-12600K', true],
    ['11th Gen Intel(R) Core(TM) i7-1165G7 @ 2.80GHz', true],
    ['Intel(R) Core(TM) Ultra 7 155H', true],
    ['AMD Ryzen 5 5600G with Radeon Graphics', true],
    ['AMD Ryzen 5 3400G with Radeon Vega Graphics', true],
    ['AMD Ryzen 5 5600GE', true],
    ['Intel(R) Core i5-8400 CPU @ 2.80GHz', true],
    ['13th Gen Intel(R) Core(TM) i9-13900K', true],
    ['AMD Ryzen 7 4800U with Radeon Graphics', true],
    ['AMD Ryzen 5 5600G', true],
  ])('%s has integrated graphics', (model, has) => expect(igpu(model)).toBe(has))
  it.each([
    ['Intel(R) Core(TM) i5-9400F CPU @ 2.90GHz', 'an F part ships without graphics'],
    ['13th Gen Intel(R) Core(TM) i7-13700KF', 'KF: the F after the K counts'],
    ['Intel(R) Core(TM) i9-10900X CPU @ 3.70GHz', 'X: a HEDT chip'],
    ['Intel(R) Core(TM) i7-5820K CPU @ 3.30GHz', 'Haswell-E (5820K): HEDT by its number'],
    ['Intel(R) Core(TM) i7-3930K CPU @ 3.20GHz', 'Sandy Bridge-E (3930K): HEDT by its number'],
  ])('%s has none (%s)', (model) => expect(igpu(model)).toBe(false))
  it.each([
    ['AMD Ryzen 7 5800X 8-Core Processor'],
    ['AMD Ryzen 5 5600X 6-Core Processor'],
    ['Intel(R) Xeon(R) CPU E5-2630L 0 @ 2.00GHz'],
  ])('%s does not say', (model) => expect(igpu(model)).toBeUndefined())
})

describe('cpuHasIgpu without a model, and the firmware settings by vendor', () => {
  it('no CPU facts: not known', () => expect(cpuHasIgpu(undefined)).toBeUndefined())
  it("AMD's and Intel's setup screens name the iGPU settings differently", () => {
    expect(igpuFirmwareSetting('amd')).toMatch(/^"Integrated Graphics" = Force .*Int Graphics \(IGD\)$/)
    expect(igpuFirmwareSetting('intel')).toMatch(/^"Primary Display" \/ "Init Display First" .*IGFX \(iGPU\), and "iGPU Multi-Monitor"/)
    expect(igpuFirmwareSetting(undefined)).toBe(igpuFirmwareSetting('intel'))
  })
})

describe('hostDisplayEvidence', () => {
  it("Intel's integrated GPU with nothing else known is the host's, but not for certain", () => {
    const lspci = '00:02.0 VGA compatible controller [0300]: Intel Corporation HD Graphics 630 [8086:5912] (rev 04)\n01:00.0 VGA compatible controller [0300]: NVIDIA Corporation GP104 [GeForce GTX 1070] [10de:1b81] (rev a1)\n'
    const facts = assembleFacts(sourceSetFromFiles({'lspci-nn.txt': lspci}), {})
    const [intel, nvidia] = facts.pciDevices!
    expect(hostDisplayEvidence(facts, intel!)).toEqual({evidence: '0000:00:02.0 is the Intel integrated GPU', certain: false})
    expect(hostDisplayEvidence(facts, nvidia!)).toBeUndefined()
  })
})
