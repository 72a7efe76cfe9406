import {join} from 'node:path'
import lookingGlassDisplay from '../../checks/looking-glass-display.js'
import {describe, expect, it} from 'vitest'
import {runCase, testCheck} from '../helpers/check-tester.js'
import {corpusDir, devsetFile, hasShared, readShared} from '../helpers/paths.js'
import {domainXml, KEYBOARD_EVENT, seed001Shmem, seed003Evdev, seed003LookingGlass, TABLET} from '../helpers/seed-xml.js'

const corpus = (folder: string, name: string) => readShared(join(corpusDir, folder, name))
const sabin = corpus('libvirt-domains-real', 'sabinM1__10ferestre__10ferestre.xml')
/** Seed 003's <shmem> alone, without its graphics and video. */
const shmemOnly = () => (hasShared ? /<shmem[\s\S]*?<\/shmem>/.exec(seed003LookingGlass())![0] : '')
const videoNone = '<video>\n  <model type="none"/>\n</video>'
const spiceGraphics = '<graphics type="spice" autoport="yes">\n  <listen type="address"/>\n</graphics>'
/** Seed 003's GPU (its listing) and its HDMI audio, with a real USB controller and NVMe drive from the corpus. */
const LSPCI = `00:14.0 USB controller [0c03]: Intel Corporation 7 Series/C210 Series Chipset Family USB xHCI Host Controller [8086:1e31] (rev 04) (prog-if 30 [XHCI])
01:00.0 VGA compatible controller [0300]: NVIDIA Corporation GP104 [GeForce GTX 1070] [10de:1b81] (rev a1)
01:00.1 Audio device [0403]: NVIDIA Corporation GP104 High Definition Audio Controller [10de:10f0] (rev a1)
02:00.0 Non-Volatile memory controller [0108]: Realtek Semiconductor Co., Ltd. Device [10ec:5765] (rev 01) (prog-if 02 [NVM Express])
`
const kvmfrArgs = `<qemu:commandline xmlns:qemu="http://libvirt.org/schemas/domain/qemu/1.0">
  <qemu:arg value="-device"/>
  <qemu:arg value="ivshmem-plain,id=shmem0,memdev=looking-glass"/>
  <qemu:arg value="-object"/>
  <qemu:arg value="memory-backend-file,id=looking-glass,mem-path=/dev/kvmfr0,size=32M,share=yes"/>
</qemu:commandline>`

testCheck(lookingGlassDisplay, {
  valid: [
    {name: "seed 003: spice graphics for input, <video> model none, evdev keyboard and mouse", files: {'win10.xml': domainXml([seed003LookingGlass(), seed003Evdev()])}, passes: [/^domain win10 \(win10\.xml\): a way in for input, no tablet, none video$/]},
    {name: 'seed 003 without evdev: spice alone carries the input', files: {'win10.xml': domainXml([seed003LookingGlass()])}},
    {name: "seed 003's other way: no spice (client -s), evdev inputs", files: {'win10.xml': domainXml([shmemOnly(), videoNone, seed003Evdev()])}},
    {name: 'evdev only (no spice): a leftover tablet idles, nothing sends it events', files: {'win10.xml': domainXml([shmemOnly(), videoNone, TABLET, seed003Evdev()])}},
    {name: "newer Looking Glass docs: <video> model vga with spice", files: {'win10.xml': domainXml([seed003LookingGlass().replace('type="none"', "type='vga'")])}, passes: [/^domain win10 \(win10\.xml\): a way in for input, no tablet, vga video$/]},
    {name: 'no spice, no evdev, a USB keyboard passed as a USB hostdev', files: {'win10.xml': domainXml([shmemOnly(), videoNone, "<hostdev mode='subsystem' type='usb' managed='yes'>\n  <source>\n    <vendor id='0x046d'/>\n    <product id='0xc33f'/>\n  </source>\n</hostdev>"])}},
    {name: 'no spice, an evdev keyboard through <qemu:commandline> input-linux', files: {'win10.xml': domainXml([shmemOnly(), videoNone]).replace('</domain>', `<qemu:commandline xmlns:qemu="http://libvirt.org/schemas/domain/qemu/1.0">\n  <qemu:arg value="-object"/>\n  <qemu:arg value="input-linux,id=kbd1,evdev=/dev/input/by-id/usb-Logitech_Gaming_Keyboard_G213_167C305A3330-event-kbd,grab_all=on"/>\n</qemu:commandline>\n</domain>`)}},
    {name: "no spice, a virtio-input-host device (<input type='passthrough'>)", files: {'win10.xml': domainXml([shmemOnly(), videoNone, "<input type='passthrough' bus='virtio'>\n  <source evdev='/dev/input/event3'/>\n</input>"])}},
    {name: "seed 001's shmem as pasted: the lost </shmem> hides the devices after it, so nothing is judged missing", files: {'win10.xml': domainXml([seed001Shmem(), videoNone])}, passes: [/^domain win10 \(win10\.xml\): no tablet, default video$/]},
    {name: 'no spice, no evdev, but a USB controller passed (lspci)', files: {'win10.xml': domainXml([shmemOnly(), videoNone], {hostdevs: ['01:00.0', '01:00.1', '00:14.0']}), 'lspci-nn.txt': LSPCI}},
    {name: 'no spice, no evdev, an unknown extra device passed (no lspci): may be a USB controller', files: {'win10.xml': domainXml([shmemOnly(), videoNone], {hostdevs: ['01:00.0', '01:00.1', '00:14.0']})}},
    {name: 'libvirt test suite: ivshmem that is not Looking Glass', files: {'shmem-plain-doorbell.xml': corpus('libvirt-domains', 'shmem-plain-doorbell.xml')}, skipped: /^no domain uses Looking Glass/},
    {name: 'a real passthrough domain without Looking Glass (tablet and qxl are fine there)', files: {'win10.xml': corpus('libvirt-domains-real', 'xkevinx45__log__win10.xml')}, skipped: /^no domain uses Looking Glass/},
  ],
  invalid: [
    {
      name: "sabinM1's real domain: two tablets and a qxl display beside the Looking Glass shmem",
      files: {'10ferestre.xml': sabin},
      findings: [
        {id: 'looking-glass-display-config', severity: 'warning', subject: '10ferestre', message: /tablet/, evidence: /<input type='tablet' bus='usb'>\n.*tablet/},
        // The tester finds expectations by id and subject: the info's words are checked below.
        {id: 'looking-glass-display-config', severity: 'info', subject: '10ferestre'},
      ],
    },
    {
      name: 'seed 003 with the tablet kept and the qxl video virt-manager made',
      files: {'win10.xml': domainXml([seed003LookingGlass().replace('type="none"', "type='qxl' ram='65536' vram='65536' vgamem='16384' heads='1' primary='yes'"), TABLET, seed003Evdev()])},
      findings: [
        {id: 'looking-glass-display-config', severity: 'warning', subject: 'win10', message: /tablet/, fix: /"domain":"win10"/},
        {id: 'looking-glass-display-config', severity: 'info', subject: 'win10'},
      ],
    },
    {
      name: 'no way in: video none, no spice, no evdev, only the GPU passed',
      files: {'win10.xml': domainXml([shmemOnly(), videoNone])},
      findings: [{id: 'looking-glass-display-config', severity: 'warning', subject: 'win10', message: /^domain win10 \(win10\.xml\) has no way in for keyboard and mouse: no <graphics type='spice'> \(the client sends input over SPICE\), no evdev input and no passed USB device\.$/, evidence: /^domain win10 \(win10\.xml\): graphics none; inputs none$/, fix: /"domain":"win10","shmName":"looking-glass"/}],
    },
    {
      name: 'no way in: the extra passed device is an NVMe drive (lspci), not a USB controller',
      files: {'win10.xml': domainXml([shmemOnly(), videoNone], {hostdevs: ['01:00.0', '01:00.1', '02:00.0']}), 'lspci-nn.txt': LSPCI},
      findings: [{id: 'looking-glass-display-config', severity: 'warning', subject: 'win10', message: /no way in/}],
    },
    {
      name: 'a looking-glass shmem of model ivshmem-doorbell',
      files: {'win10.xml': domainXml([seed003LookingGlass().replace("'ivshmem-plain'", "'ivshmem-doorbell'"), seed003Evdev()])},
      findings: [{id: 'looking-glass-display-config', severity: 'warning', subject: 'win10', message: /^domain win10 \(win10\.xml\): the Looking Glass shmem is model ivshmem-doorbell; Looking Glass uses ivshmem-plain \(doorbell memory comes from an ivshmem server, not from \/dev\/shm\/looking-glass\)\.$/, evidence: /^domain win10 \(win10\.xml\): <shmem name='looking-glass'> <model type='ivshmem-doorbell'\/> <size> 32 MiB$/}],
    },
    {
      name: "a looking-glass shmem of the old model 'ivshmem'",
      files: {'win10.xml': domainXml([seed003LookingGlass().replace("'ivshmem-plain'", "'ivshmem'"), seed003Evdev()])},
      findings: [{id: 'looking-glass-display-config', severity: 'warning', subject: 'win10', message: /model ivshmem; Looking Glass uses ivshmem-plain \(the old ivshmem device is gone from QEMU\)\.$/}],
    },
    {
      name: 'a tablet beside a spicevmc channel, without spice graphics: input still comes over SPICE',
      files: {'win10.xml': domainXml([shmemOnly(), videoNone, TABLET, seed003Evdev(), "<channel type='spicevmc'>\n  <target type='virtio' name='com.redhat.spice.0'/>\n</channel>"])},
      findings: [{id: 'looking-glass-display-config', severity: 'warning', subject: 'win10', message: /keeps the USB tablet libvirt adds/, evidence: /^domain win10 \(win10\.xml\): <input type='tablet' bus='usb'>$/}],
    },
    {
      name: 'kvmfr (legacy qemu:commandline) with spice input and the tablet kept',
      files: {'win10.xml': domainXml([TABLET, spiceGraphics, seed003Evdev()]).replace('</domain>', `${kvmfrArgs}\n</domain>`)},
      findings: [{id: 'looking-glass-display-config', severity: 'warning', subject: 'win10', message: /tablet/}],
    },
  ],
  unknown: [
    {name: 'no evidence', files: {}},
    {name: 'no domain XML, only a NixOS configuration', files: {'configuration.nix': '{ ... }: { systemd.tmpfiles.rules = [ "f /dev/shm/looking-glass 0660 vini qemu-libvirtd -" ]; }\n'}},
  ],
}, {skip: !hasShared})

describe.skipIf(!hasShared)('looking-glass-display words', () => {
  it("names sabinM1's qxl display as a second screen", () => {
    const info = runCase(lookingGlassDisplay, {name: 'sabin', files: {'10ferestre.xml': sabin}}).findings.find((f) => f.severity === 'info')!
    expect(info.message).toMatch(/emulated qxl display.*<model type='none'\/>/)
    expect(info.evidence).toEqual(["domain 10ferestre (10ferestre.xml): <video><model type='qxl'/></video>"])
  })
})

// Real fragments from the development set (in the repository, so these run without ../shared).
testCheck(lookingGlassDisplay, {
  valid: [],
  invalid: [
    {
      name: "devset 233 (LookingGlass#1299): the Looking Glass host's log beside a pasted handful of devices: the USB tablet next to a spicevmc channel",
      files: {'looking-glass-host.txt': devsetFile('233-lg-b7-tablet-spice-domain', 'looking-glass-host.txt'), 'vm.xml': devsetFile('233-lg-b7-tablet-spice-domain', 'vm.xml')},
      findings: [{id: 'looking-glass-display-config', severity: 'warning', subject: 'vm.xml', message: /keeps the USB tablet/}],
    },
    {
      name: "devset 332 (LookingGlass#149): the host captures Windows' Basic Render Driver at 800 x 600",
      files: {'host-output.txt': devsetFile('332-lg-host-basic-render-driver-800x600', 'host-output.txt'), 'vm-fragment.xml': devsetFile('332-lg-host-basic-render-driver-800x600', 'vm-fragment.xml')},
      findings: [{id: 'looking-glass-display-config', severity: 'warning', subject: 'vm-fragment.xml', message: /captures Windows' Basic Render Driver/, evidence: /Device Descripion: Microsoft Basic Render Driver/}],
    },
  ],
  unknown: [
    {
      name: 'the same handful of devices without a Looking Glass log or shmem: nothing says Looking Glass is in use',
      files: {'vm.xml': devsetFile('233-lg-b7-tablet-spice-domain', 'vm.xml')},
      reason: /no domain uses Looking Glass/,
    },
  ],
})

const LG_CLIENT_BANNER = '[I]   1.234567   main.c:1721             | main                           | Looking Glass (B6)\n'
const lgShmem = (name = 'looking-glass') => `<shmem name="${name}">\n  <model type="ivshmem-plain"/>\n  <size unit="M">32</size>\n</shmem>`
const vncGraphics = "<graphics type='vnc' port='-1' autoport='yes'>\n  <listen type='address'/>\n</graphics>"
const guestAgent = "<channel type='unix'>\n  <target type='virtio' name='org.qemu.guest_agent.0'/>\n</channel>"
const ps2Inputs = "<input type='mouse' bus='ps2'/>\n<input type='keyboard' bus='ps2'/>"
const evdevKeyboard = `<input type='evdev'>\n  <source dev='${KEYBOARD_EVENT}' grab='all' repeat='on'/>\n</input>`
const noVideo = '<video>\n  <model type="none"/>\n</video>'

// Tables on inline evidence: they run without ../shared.
testCheck(lookingGlassDisplay, {
  valid: [
    {name: 'VNC graphics and the guest agent\'s channel are not SPICE: the tablet beside evdev idles', files: {'win10.xml': domainXml([lgShmem(), noVideo, vncGraphics, guestAgent, TABLET, evdevKeyboard])}, passes: [/^domain win10 \(win10\.xml\): a way in for input, a tablet, idle without SPICE input, none video$/]},
    {name: 'a pasted <shmem> alone: the rest of the domain is not there to judge', files: {'lg.xml': lgShmem()}, passes: [/^domain \(unnamed\) \(lg\.xml\): no tablet, default video$/]},
  ],
  invalid: [
    {
      name: 'VNC graphics and PS/2 inputs only: VNC is no way in for the Looking Glass client; the fix names the shmem',
      files: {'win10.xml': domainXml([lgShmem('looking-glass-win10'), noVideo, vncGraphics, ps2Inputs])},
      findings: [{id: 'looking-glass-display-config', severity: 'warning', subject: 'win10', evidence: /^domain win10 \(win10\.xml\): graphics vnc; inputs mouse, keyboard$/, fix: /^\{"domain":"win10","shmName":"looking-glass-win10"\}$/}],
    },
    {
      name: 'kvmfr with no way in: the fix keeps the default shmem name',
      files: {'win10.xml': domainXml([noVideo]).replace('</domain>', `${kvmfrArgs}\n</domain>`)},
      findings: [{id: 'looking-glass-display-config', severity: 'warning', subject: 'win10', evidence: /^domain win10 \(win10\.xml\): graphics none; inputs none$/, fix: /^\{"domain":"win10","shmName":"looking-glass"\}$/}],
    },
  ],
  unknown: [
    {name: 'a <features> fragment beside a Looking Glass client log: nothing of the display to judge', files: {'win10-features.xml': '<features>\n  <acpi/>\n  <apic/>\n</features>\n', 'client.log': LG_CLIENT_BANNER}, reason: /^the domain XML is a fragment without <devices> or <shmem>/},
    {name: 'two domains without Looking Glass memory beside its log: which one uses it is not known', files: {'a.xml': domainXml([noVideo], {name: 'a'}), 'b.xml': domainXml([noVideo], {name: 'b'}), 'client.log': LG_CLIENT_BANNER}, reason: /^no domain uses Looking Glass/},
  ],
})

it('looking-glass-display: a domain with a finding is not also printed as passed', () => {
  const domains = [
    domainXml([lgShmem(), noVideo]),
    domainXml([lgShmem().replace('ivshmem-plain', 'ivshmem'), evdevKeyboard]),
    domainXml([lgShmem(), spiceGraphics, TABLET]),
    domainXml([lgShmem(), spiceGraphics, "<video>\n  <model type='qxl'/>\n</video>"]),
  ]
  for (const xml of domains) {
    const r = runCase(lookingGlassDisplay, {name: 'x', files: {'win10.xml': xml}})
    expect(r.findings).toHaveLength(1)
    expect(r.passes).toEqual([])
  }
})
