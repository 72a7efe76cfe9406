import check from '../../checks/virtio-storage-driver.js'
import {testCheck} from '../helpers/check-tester.js'
import {devsetFile, hasShared} from '../helpers/paths.js'
import {domains, edit, seeds} from './libvirt-data.js'

/** sabinM1's Windows 10 on a virtio disk, without the virtio-win ISO it has attached. */
const noDriverIso = edit(domains.sabinWin10, /<disk type='file' device='cdrom'>\s*<driver name='qemu' type='raw'\/>\s*<source file='\/var\/lib\/libvirt\/images\/virtio-win-0\.1\.229\.iso'\/>[\s\S]*?<\/disk>\n\s*/, '')
// Seed 001: "No drive found ... Windows isn't able to find the drive for some reason."
const SEED_001_NO_DRIVE = seeds.s001.split('\n').filter((l) => /^No drive found|isn't able to find the drive/.test(l)).join('\n') + '\n'

testCheck(check, {
  valid: [
    {name: 'virtio disk with virtio-win-0.1.229.iso attached (sabinM1)', files: {'10ferestre.xml': domains.sabinWin10}, passes: [/^domain 10ferestre \(10ferestre\.xml\): virtio disk with virtio-win-0\.1\.229\.iso attached$/]},
    {name: 'installed Windows on virtio disks, no installer attached (J4nsen)', files: {'vm.xml': domains.j4nsenGtx1070}, passes: [/^domain vm-cpu0-0 \(vm\.xml\): virtio disk, no installer attached \(driver presumably installed\)$/]},
    {name: 'SATA and NVMe passthrough disks (bryansteiner, xkevinx45)', files: {'a.xml': domains.bryansteinerWin10, 'b.xml': domains.xkevinWin10}, skipped: /^no Windows domain with a virtio disk/},
  ],
  invalid: [
    {
      name: 'installer ISO on a virtio disk without the driver ISO',
      files: {'10ferestre.xml': noDriverIso},
      findings: [{id: 'virtio-storage-driver-missing', severity: 'warning', subject: '10ferestre', message: /Win10_21H2_English_x64\.iso.*no virtio-win ISO/, fix: /"targetDev":"sdc"/}],
    },
    {
      name: "seed 001's \"No drive found\" on a virtio disk",
      files: {'10ferestre.xml': domains.sabinWin10, 'notes.txt': SEED_001_NO_DRIVE},
      findings: [{id: 'virtio-storage-driver-missing', severity: 'error', subject: '10ferestre', message: /load it from virtio-win-0\.1\.229\.iso/, evidence: /No drive found/}],
    },
    {
      name: 'an unattended install\'s disk check in Windows PE finds no disk (unattend-generator#400 wording) on a virtio disk',
      files: {'10ferestre.xml': domains.sabinWin10, 'pe.txt': '> *** Running disk assertion ***\n> Could not locate disk 0 (not found).\n'},
      findings: [{id: 'virtio-storage-driver-missing', severity: 'error', subject: '10ferestre', evidence: /pe\.txt line 2: > Could not locate disk 0/}],
    },
    {
      name: 'INACCESSIBLE_BOOT_DEVICE on an installed guest without the ISO',
      files: {'vm.xml': domains.j4nsenGtx1070, 'bsod.txt': 'Stop code: INACCESSIBLE_BOOT_DEVICE\n'},
      findings: [{id: 'virtio-storage-driver-missing', severity: 'error', subject: 'vm-cpu0-0', message: /no virtio-win ISO is attached/}],
    },
  ],
  unknown: [{name: 'no domain XML', files: {'bsod.txt': 'Stop code: INACCESSIBLE_BOOT_DEVICE\n'}}],
}, {skip: !hasShared})

// Real fragments from the development set (in the repository, so these run without ../shared).
testCheck(check, {
  valid: [],
  invalid: [
    {
      name: 'devset 215 (virtio-win-guest-tools-installer#61): the pasted domain moves the boot disk to bus virtio, then "blue screen with inaccessible boot device"',
      files: {'steps.txt': devsetFile('215-ide-to-virtio-inaccessible-boot', 'steps.txt')},
      findings: [{id: 'virtio-storage-driver-missing', severity: 'error', subject: 'steps.txt', evidence: /steps\.txt line 20: .*inaccessible boot device/}],
    },
  ],
  unknown: [],
})
