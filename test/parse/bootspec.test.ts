import {describe, expect, it} from 'vitest'
import {parseBootspec} from '../../src/parse/bootspec.js'

const v1 = (spec: Record<string, unknown>) => JSON.stringify({'org.nixos.bootspec.v1': spec})

describe('parseBootspec', () => {
  it.each([
    ['the kernel store path', v1({kernel: '/nix/store/abc-linux-6.12.1/bzImage', kernelParams: ['amd_iommu=on', 7]}), {kernel: '/nix/store/abc-linux-6.12.1/bzImage', kernelParams: ['amd_iommu=on'], kernelRelease: '6.12.1'}],
    ['the label when the path does not say', v1({kernel: '/boot/vmlinuz', label: 'NixOS 24.11 (Linux 6.6.63)'}), {kernel: '/boot/vmlinuz', label: 'NixOS 24.11 (Linux 6.6.63)', kernelRelease: '6.6.63'}],
    ['a zen kernel', v1({kernel: '/nix/store/abc-linux-6.13.2-zen1/bzImage'}), {kernel: '/nix/store/abc-linux-6.13.2-zen1/bzImage', kernelRelease: '6.13.2-zen1'}],
  ])('%s', (_, text, want) => expect(parseBootspec(text)).toEqual(want))

  it.each([['not JSON', '{"org.nixos.bootspec.v1": '], ['no v1', '{"org.nixos.bootspec.v2": {}}'], ['null', 'null'], ['a string', '"x"'], ['too big', `"${'x'.repeat(2 << 20)}"`]])('%s: undefined, no exception', (_, text) => {
    expect(parseBootspec(text)).toBeUndefined()
  })
})
