import {readdirSync} from 'node:fs'
import {join} from 'node:path'
import guestAudio from '../../checks/guest-audio.js'
import {testCheck} from '../helpers/check-tester.js'
import {corpusDir, hasShared, readShared} from '../helpers/paths.js'
import {domainXml, hostdev, seed001Shmem, seed003LookingGlass, seed003Scream, seedText} from '../helpers/seed-xml.js'

const REAL = join(corpusDir, 'libvirt-domains-real')
const USB_ONLY = 'J4nsen__4gamers1pc__configs_vm-cpu1-1.xml'
const real = (name: string) => readShared(join(REAL, name))
/** Seed 000's IOMMU group listing: the RX 580 (01:00.0) and its HDMI audio (01:00.1). */
const seed000Groups = () => (hasShared ? /IOMMU Group 0:[\s\S]*?IOMMU Group 8:\n.*\n/.exec(seedText('000_8b0cdaf3597e3fbf.txt'))![0] : '')
/** xkevinx45's real domain (a GTX 1060 with its ROM) with the HDMI audio hostdev taken out. */
const xkevinWithoutAudio = () => real('xkevinx45__log__win10.xml').replace(/<hostdev[^>]*>\s*<source>\s*<address[^>]*function='0x1'\/>[\s\S]*?<\/hostdev>\s*/, '')

/** A GPU passed with its ROM file: how a domain says "this is the GPU" without a device listing. */
const gpuWithRom = hostdev('01:00.0').replace('</source>', "</source>\n  <rom file='/var/lib/libvirt/vbios/gtx1070.rom'/>")

testCheck(guestAudio, {
  valid: [
    // Every real passthrough domain in the corpus has a way: HDMI audio passed, or (sabinM1) an ich9 card.
    // J4nsen's vm-cpu1-1 passes a USB controller only: no GPU, nothing to judge.
    ...(hasShared ? readdirSync(REAL) : [])
      .sort()
      .map((name) => ({name: `real domain ${name}`, files: {[name]: real(name)}, ...(name === USB_ONLY ? {skipped: /^no domain passes a GPU/} : {})})),
    {name: "seed 000: the RX 580 and its HDMI audio passed (the listing says 01:00.1 is audio)", files: {'win11.xml': domainXml([], {name: 'win11'}), 'iommu-groups.txt': seed000Groups()}},
    {name: "seed 003: Looking Glass domain passing the GTX 1070's two functions", files: {'win10.xml': domainXml([seed003LookingGlass()])}},
    {name: "seed 003's Scream over IVSHMEM, GPU function 0 only", files: {'win10.xml': domainXml([seed003Scream(), gpuWithRom], {hostdevs: []})}},
    {name: 'an ich9 sound card, GPU function 0 only', files: {'win10.xml': domainXml(["<sound model='ich9'/>"], {hostdevs: ['01:00.0']}), 'iommu-groups.txt': seed000Groups()}},
  ],
  invalid: [
    {
      name: "seed 000's host, the domain passes only the RX 580's VGA function and has no sound",
      files: {'win11.xml': domainXml([], {name: 'win11', hostdevs: ['01:00.0']}), 'iommu-groups.txt': seed000Groups()},
      findings: [{id: 'guest-audio-missing', severity: 'info', subject: 'win11', message: /0000:01:00\.1/, fix: /"audioBus":"0x01","audioSlot":"0x00"/}],
    },
    {
      name: "xkevinx45's real domain without its HDMI audio hostdev (the GPU known by its ROM)",
      files: {'win10.xml': xkevinWithoutAudio()},
      findings: [{id: 'guest-audio-missing', severity: 'info', subject: 'win10'}],
    },
    {
      name: 'only the PC speaker',
      files: {'win10.xml': domainXml(["<sound model='pcspk'/>"], {hostdevs: ['01:00.0']}), 'iommu-groups.txt': seed000Groups()},
      findings: [{id: 'guest-audio-missing', severity: 'info', subject: 'win10', evidence: /pcspk/}],
    },
  ],
  unknown: [
    {name: 'no evidence', files: {}},
    {name: 'a domain with no GPU passed (libvirt test suite)', files: {'shmem-plain-doorbell.xml': readShared(join(corpusDir, 'libvirt-domains', 'shmem-plain-doorbell.xml'))}, reason: /no domain passes a GPU/},
    {
      name: "seed 001's shmem as pasted: the lost </shmem> swallows the <sound> after it, so its absence proves nothing",
      files: {'win10.xml': domainXml([hostdev('01:00.0'), seed001Shmem(), "<sound model='ich9'/>"], {hostdevs: []}), 'iommu-groups.txt': seed000Groups()},
      reason: /malformed/,
    },
  ],
}, {skip: !hasShared})

/** A GTX 1070 host as `lspci -n` prints it: the GPU's HDMI audio and the board's own HDA are class 0403. */
const HOST_LSPCI = '00:00.0 0600: 8086:591f (rev 05)\n00:1f.3 0403: 8086:a2f0\n01:00.0 0300: 10de:1b81 (rev a1)\n01:00.1 0403: 10de:10f0 (rev a1)\n02:00.0 0300: 10de:1c82 (rev a1)\n02:00.1 0c03: 1b21:1242\n'

// With the host's device list, the passed audio is found by its class (0403), not by its function number.
testCheck(guestAudio, {
  valid: [
    {name: 'the GPU and its HDMI audio (class 0403 in lspci -n)', files: {'win10.xml': domainXml([]), 'lspci.txt': HOST_LSPCI}},
    {name: "the GPU and the board's HDA controller 00:1f.3 (class 0403)", files: {'win10.xml': domainXml([], {hostdevs: ['01:00.0', '00:1f.3']}), 'lspci.txt': HOST_LSPCI}},
  ],
  invalid: [
    {
      name: "the second card's function 1 is a USB controller (class 0c03), not audio",
      files: {'win10.xml': domainXml([], {hostdevs: ['02:00.0', '02:00.1']}), 'lspci.txt': HOST_LSPCI},
      findings: [{id: 'guest-audio-missing', severity: 'info', subject: 'win10', message: /0000:02:00\.1/, evidence: /^domain win10 \(win10\.xml\): no <sound>; shmems none\ndomain win10 \(win10\.xml\): passes 0000:02:00\.0, 0000:02:00\.1$/}],
    },
    {
      name: 'a PC speaker only beeps, and a Looking Glass shmem carries no sound',
      files: {'win10.xml': domainXml(["<sound model='pcspk'/>", "<shmem name='looking-glass'><model type='ivshmem-plain'/><size unit='M'>32</size></shmem>"], {hostdevs: ['02:00.0', '02:00.1']}), 'lspci.txt': HOST_LSPCI},
      findings: [{id: 'guest-audio-missing', severity: 'info', subject: 'win10', evidence: /^domain win10 \(win10\.xml\): <sound model='pcspk'> only; shmems looking-glass\n/}],
    },
  ],
})
