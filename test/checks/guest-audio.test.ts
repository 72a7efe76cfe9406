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
