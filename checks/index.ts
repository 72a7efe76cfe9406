/**
 * Every check, in report order: by area (src/engine/types.ts AREAS), causes before the symptoms
 * that follow from them. Each area's first check is its lead: the area's line in the terminal
 * report passes only when that check does. Adding a check: write checks/<id>.ts and list it here.
 */
import type {CheckDefinition} from '../src/engine/types.js'
import companionFunctions from './companion-functions.js'
import cpuMode from './cpu-mode.js'
import cpuTopology from './cpu-topology.js'
import cpuVirtualization from './cpu-virtualization.js'
import domainFirmware from './domain-firmware.js'
import domainTpm from './domain-tpm.js'
import evdevInput from './evdev-input.js'
import framebuffer from './framebuffer.js'
import gpuDriver from './gpu-driver.js'
import gpuReset from './gpu-reset.js'
import groupViable from './group-viable.js'
import guestAudio from './guest-audio.js'
import hostDisplay from './host-display.js'
import hostVirtual from './host-virtual.js'
import hostdevDevices from './hostdev-devices.js'
import interruptRemapping from './interrupt-remapping.js'
import iommuEnabled from './iommu-enabled.js'
import iommuGroup from './iommu-group.js'
import iommuMapping from './iommu-mapping.js'
import iommuParam from './iommu-param.js'
import isoPermissions from './iso-permissions.js'
import kernelModules from './kernel-modules.js'
import kvmMsrs from './kvm-msrs.js'
import libvirtAccess from './libvirt-access.js'
import lookingGlassDisplay from './looking-glass-display.js'
import lookingGlassShm from './looking-glass-shm.js'
import nvidiaError43 from './nvidia-error-43.js'
import pcieErrors from './pcie-errors.js'
import rebootPending from './reboot-pending.js'
import vfioIds from './vfio-ids.js'
import vfioLoadOrder from './vfio-load-order.js'
import vfioModules from './vfio-modules.js'
import virtioStorageDriver from './virtio-storage-driver.js'

export const CHECKS: CheckDefinition[] = [
  // Host CPU, firmware and kernel
  hostVirtual,
  cpuVirtualization,
  kernelModules,
  kvmMsrs,
  // IOMMU
  iommuEnabled,
  iommuParam,
  interruptRemapping,
  iommuMapping,
  // Device isolation (its lead check first: the area's line passes only when it does)
  gpuDriver,
  vfioModules,
  companionFunctions,
  vfioLoadOrder,
  vfioIds,
  iommuGroup,
  hostDisplay,
  framebuffer,
  groupViable,
  gpuReset,
  pcieErrors,
  // libvirt and the VM definition (the domain itself leads: pasted evidence often has no virsh list)
  domainFirmware,
  libvirtAccess,
  domainTpm,
  hostdevDevices,
  isoPermissions,
  virtioStorageDriver,
  nvidiaError43,
  cpuTopology,
  cpuMode,
  // Looking Glass and guest extras (the domain's set-up leads: /dev/shm is often not in the evidence)
  lookingGlassDisplay,
  lookingGlassShm,
  evdevInput,
  guestAudio,
  // NixOS configuration
  rebootPending,
]
