import {readFileSync} from 'node:fs'
import {join} from 'node:path'
import check from '../../checks/virtio-storage-driver.js'
import {testCheck} from '../helpers/check-tester.js'
import {devsetFile, fixturesDir, hasShared} from '../helpers/paths.js'
import {diskImage, domainXml} from '../helpers/seed-xml.js'
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
  // The particular reason, not the closing "no Windows domain with a virtio disk".
  unknown: [{name: 'a pasted <features> fragment: no disk to judge', files: {'win10-features.xml': '<features>\n  <acpi/>\n  <apic/>\n</features>\n'}, reason: /^the domain XML is a fragment without <devices> or <disk>$/}],
})

/** Seed 001's Windows VM (fixture): a virtio disk (vda), the installer ISO on sdb and virtio-win.iso on sdc. */
const seed001Win10 = readFileSync(join(fixturesDir, 'seed-001-healthy/domain-win10.xml'), 'utf8')
const withoutCdrom = (xml: string, iso: string) => xml.replace(new RegExp(`\\s*<disk type='file' device='cdrom'>\\s*<driver name='qemu' type='raw'/>\\s*<source file='/home/my-user/${iso}'/>[\\s\\S]*?</disk>`), '')
const seed001NoDriverIso = withoutCdrom(seed001Win10, 'virtio-win\\.iso')
/** After setup: both ISOs detached, the disk image still named win10.qcow2. */
const seed001Installed = withoutCdrom(seed001NoDriverIso, 'my-windows-installer\\.iso')
const ubuntuOnVirtio = domainXml([diskImage('ubuntu22.04', 'virtio')], {name: 'ubuntu22.04', hostdevs: [], osId: 'http://ubuntu.com/ubuntu/22.04'})
const BSOD = 'Your PC ran into a problem and needs to restart.\nStop code: INACCESSIBLE_BOOT_DEVICE\n'

// Seed 001's fixture domain and inline evidence: they run without ../shared.
testCheck(check, {
  valid: [
    {name: 'seed 001: the virtio disk with virtio-win.iso attached', files: {'domain-win10.xml': seed001Win10}, passes: [/^domain win10 \(domain-win10\.xml\): virtio disk with virtio-win\.iso attached$/]},
    {name: 'seed 001 after setup: no ISO left, a disk image named win10.qcow2 is no installer', files: {'domain-win10.xml': seed001Installed}, passes: [/^domain win10 \(domain-win10\.xml\): virtio disk, no installer attached \(driver presumably installed\)$/]},
    {name: 'a stop code that is not INACCESSIBLE_BOOT_DEVICE says nothing of the disk driver', files: {'domain-win10.xml': seed001Installed, 'bsod.txt': 'Stop code: KMODE_EXCEPTION_NOT_HANDLED\n'}},
    {name: 'a Linux guest on a virtio disk has its driver', files: {'ubuntu.xml': ubuntuOnVirtio, 'bsod.txt': BSOD}, skipped: /^no Windows domain with a virtio disk$/},
  ],
  invalid: [
    {
      name: 'seed 001 without virtio-win.iso: setup will show no drive; the fix puts the ISO on the next free target',
      files: {'domain-win10.xml': seed001NoDriverIso},
      findings: [{
        id: 'virtio-storage-driver-missing', severity: 'warning', subject: 'win10',
        message: /^domain win10 \(domain-win10\.xml\) installs Windows from my-windows-installer\.iso onto a virtio disk but has no virtio-win ISO attached: setup will show no drive to install to\.$/,
        evidence: /^domain win10 \(domain-win10\.xml\): libosinfo id http:\/\/microsoft\.com\/win\/10\n<disk device='disk'> \/var\/lib\/libvirt\/images\/win10\.qcow2 on bus='virtio' \(vda\)\n<disk device='cdrom'> \/home\/my-user\/my-windows-installer\.iso\nno virtio-win ISO attached$/,
        fix: /^\{"domain":"win10","driverIso":"\/var\/lib\/libvirt\/images\/virtio-win\.iso","targetDev":"sdc"\}$/,
      }],
    },
    {
      name: 'seed 001 with both ISOs, and INACCESSIBLE_BOOT_DEVICE: load the driver from the attached ISO',
      files: {'domain-win10.xml': seed001Win10, 'bsod.txt': BSOD},
      findings: [{
        id: 'virtio-storage-driver-missing', severity: 'error', subject: 'win10',
        message: /^Windows in domain win10 \(domain-win10\.xml\) finds no disk: its disk is on the virtio bus and the virtio storage driver \(viostor\) is not loaded; load it from virtio-win\.iso\.$/,
        evidence: /\n<disk device='cdrom'> \/home\/my-user\/my-windows-installer\.iso\n<disk device='cdrom'> \/home\/my-user\/virtio-win\.iso\nbsod\.txt line 2: Stop code: INACCESSIBLE_BOOT_DEVICE$/,
        fix: /^\{"domain":"win10","driverIso":"\/home\/my-user\/virtio-win\.iso","targetDev":"sdd"\}$/,
      }],
    },
  ],
})
