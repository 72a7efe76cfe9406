/**
 * checks/lib/host.ts: the advice that depends on the CPU vendor names that vendor's firmware setting and
 * kernel parameter (a wrong vendor's name sends the user looking for a setting the board has not got),
 * and whether the host is NixOS, which decides the form every fix takes.
 */
import {describe, expect, it} from 'vitest'
import {cpuVirtSetting, iommuFirmwareSetting, iommuParamFor, isNixos} from '../../checks/lib/host.js'
import {assembleFacts} from '../../src/facts/assemble.js'
import {sourceSetFromFiles, type EvidenceFiles} from '../helpers/check-tester.js'

describe('vendor advice', () => {
  it("names AMD's settings for AMD, Intel's for Intel, and both when the vendor is unknown", () => {
    expect([iommuParamFor('amd'), iommuParamFor('intel'), iommuParamFor(undefined)]).toEqual(['amd_iommu=on', 'intel_iommu=on', 'intel_iommu=on'])
    expect(iommuFirmwareSetting('amd')).toMatch(/^IOMMU .*AMD-Vi/)
    expect(iommuFirmwareSetting('amd')).not.toMatch(/VT-d/)
    expect(iommuFirmwareSetting('intel')).toMatch(/^VT-d /)
    expect(iommuFirmwareSetting('intel')).not.toMatch(/AMD/)
    expect(iommuFirmwareSetting(undefined)).toMatch(/VT-d \(Intel\) or IOMMU \/ AMD-Vi \(AMD\)/)
    expect(cpuVirtSetting('amd')).toBe('SVM Mode (AMD-V)')
    expect(cpuVirtSetting('intel')).toBe('Intel Virtualization Technology (VT-x)')
    expect(cpuVirtSetting(undefined)).toBe('VT-x (Intel) or SVM Mode (AMD)')
  })
})

describe('isNixos', () => {
  const nixos = (files: EvidenceFiles) => isNixos(assembleFacts(sourceSetFromFiles(files), {}))
  it('by os-release, or by a NixOS configuration alone', () => {
    expect(nixos({'os-release.txt': 'ID=nixos\nVERSION_ID="24.05"\n'})).toBe(true)
    expect(nixos({'configuration.nix': '{ ... }: { boot.kernelParams = [ "intel_iommu=on" ]; }\n'})).toBe(true)
  })
  it('not for another distribution with no NixOS configuration', () => {
    expect(nixos({'os-release.txt': 'ID=arch\n', 'cmdline.txt': 'intel_iommu=on\n'})).toBe(false)
  })
})
