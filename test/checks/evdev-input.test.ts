import {join} from 'node:path'
import evdevInput from '../../checks/evdev-input.js'
import {testCheck} from '../helpers/check-tester.js'
import {corpusDir, hasShared, readShared} from '../helpers/paths.js'
import {domainXml, KEYBOARD_EVENT, seed003Evdev, seed003Kmonad, seed003LookingGlass} from '../helpers/seed-xml.js'

const corpus = (folder: string, name: string) => readShared(join(corpusDir, folder, name))
/** The mousedev link of the same receiver: udev names it without "event". */
const MOUSE_LEGACY = '/dev/input/by-id/usb-Logitech_USB_Receiver-if01-mouse'
/** `ls -l /dev/input/by-id/` as a person pastes it. */
const byIdListing = (...names: Array<[string, string]>) =>
  `$ ls -l /dev/input/by-id/\ntotal 0\n${names.map(([name, target]) => `lrwxrwxrwx 1 root root 9 Oct 29 21:01 ${name} -> ../${target}`).join('\n')}\n`
const HEALTHY_LISTING = byIdListing(['usb-Logitech_Gaming_Keyboard_G213_167C305A3330-event-kbd', 'event3'], ['usb-Logitech_USB_Receiver-if01-event-mouse', 'event5'], ['usb-Logitech_USB_Receiver-if01-mouse', 'mouse0'])
const NIXOS = 'ID=nixos\n'
const nixRunAsUser = '{ ... }: { virtualisation.libvirtd = { enable = true; qemu.runAsRoot = false; }; }\n'
/** The Arch wiki's older way: evdev through <qemu:commandline> input-linux objects. */
const inputLinuxArgs = `<qemu:commandline xmlns:qemu="http://libvirt.org/schemas/domain/qemu/1.0">
  <qemu:arg value="-object"/>
  <qemu:arg value="input-linux,id=kbd1,evdev=${KEYBOARD_EVENT},grab_all=on,repeat=on"/>
</qemu:commandline>`
/** QEMU >= 6's JSON form of the same objects, as <qemu:commandline> passes them (one -object each). */
const jsonArgs = (...objects: string[]) =>
  `<qemu:commandline xmlns:qemu="http://libvirt.org/schemas/domain/qemu/1.0">\n${objects.map((o) => `  <qemu:arg value="-object"/>\n  <qemu:arg value='${o}'/>`).join('\n')}\n</qemu:commandline>`
const withArgs = (...objects: string[]) => domainXml([]).replace('</domain>', `${jsonArgs(...objects)}\n</domain>`)
const MOUSE_EVENT = '/dev/input/by-id/usb-Logitech_USB_Receiver-if01-event-mouse'
/** libvirt's own virtio-input-host test domain: <input type='passthrough'> with <source evdev=...>. */
const virtioPassthrough = () => corpus('libvirt-domains', 'virtio-input-passthrough.xml')
const oneEvdev = (path: string, name: string) => domainXml([`<input type="evdev">\n  <source dev="${path}" />\n</input>`], {name})
/** namei -l of that keyboard link, resolved to its event node. */
const nameiKeyboard = (group: string) => `f: ${KEYBOARD_EVENT}
drwxr-xr-x root root /
drwxr-xr-x root root dev
drwxr-xr-x root root input
drwxr-xr-x root root by-id
lrwxrwxrwx root root ${KEYBOARD_EVENT.split('/').at(-1)} -> ../event3
drwxr-xr-x root root   ..
crw-rw---- root ${group}  event3
`

testCheck(evdevInput, {
  valid: [
    {name: "seed 003's evdev block: keyboard with grab='all' repeat='on', mouse, both event links present", files: {'win10.xml': domainXml([seed003Evdev()]), 'ls-input.txt': HEALTHY_LISTING}},
    {
      name: "seed 003's KMonad link beside the evdev block: a udev link without 'event' in its name is fine",
      files: {
        'win10.xml': domainXml([seed003Evdev(), seed003Kmonad()]),
        'ls-input.txt': HEALTHY_LISTING,
        'namei-kmonad.txt': 'f: /dev/KMONAD_DEVICE\ndrwxr-xr-x root root /\ndrwxr-xr-x root root dev\nlrwxrwxrwx root root KMONAD_DEVICE -> input/event21\ndrwxr-xr-x root root   input\ncrw-rw---- root input   event21\n',
      },
    },
    {name: 'input-linux via qemu:commandline with qemu as root (NixOS default)', files: {'win10.xml': domainXml([]).replace('</domain>', `${inputLinuxArgs}\n</domain>`), 'permissions.txt': nameiKeyboard('input'), 'os-release.txt': NIXOS, 'configuration.nix': '{ ... }: { virtualisation.libvirtd.enable = true; }\n'}},
    {
      name: "QEMU 6's JSON input-linux objects, grab_all true on the keyboard",
      files: {'win10.xml': withArgs(`{"qom-type":"input-linux","id":"kbd1","evdev":"${KEYBOARD_EVENT}","repeat":true,"grab_all":true}`, `{"qom-type":"input-linux","id":"mouse1","evdev":"${MOUSE_EVENT}"}`), 'ls-input.txt': HEALTHY_LISTING},
    },
    {
      name: 'JSON input-linux objects, grab_all "on"',
      files: {'win10.xml': withArgs(`{"qom-type":"input-linux","id":"kbd1","evdev":"${KEYBOARD_EVENT}","grab_all":"on"}`, `{"qom-type":"input-linux","id":"mouse1","evdev":"${MOUSE_EVENT}"}`), 'ls-input.txt': HEALTHY_LISTING},
    },
    {
      name: 'input-linux objects in key=value form, grab_all=yes on the second',
      files: {'win10.xml': withArgs(`input-linux,id=mouse1,evdev=${MOUSE_EVENT}`, `input-linux,id=kbd1,evdev=${KEYBOARD_EVENT},grab_all=yes,repeat=on`), 'ls-input.txt': HEALTHY_LISTING},
    },
    {
      name: 'two domains with one evdev device each: nothing to switch together',
      files: {'win10.xml': oneEvdev(KEYBOARD_EVENT, 'win10'), 'linux.xml': oneEvdev(MOUSE_EVENT, 'linux'), 'ls-input.txt': HEALTHY_LISTING},
    },
    {name: 'a Looking Glass domain with spice input and no evdev', files: {'win10.xml': domainXml([seed003LookingGlass()])}, skipped: /^no domain uses evdev input/},
    {name: 'a real passthrough domain without evdev', files: {'win10.xml': corpus('libvirt-domains-real', 'bryansteiner__gpu-passthrough-tutorial__kvm_win10.xml')}, skipped: /^no domain uses evdev input/},
  ],
  invalid: [
    {
      name: 'the mouse given by its mousedev link (no "event" in the name)',
      files: {'win10.xml': domainXml([seed003Evdev(MOUSE_LEGACY)]), 'ls-input.txt': HEALTHY_LISTING},
      findings: [{id: 'evdev-input-invalid', severity: 'error', subject: MOUSE_LEGACY, message: /no "event" in its name/, fix: /"eventPath":"\/dev\/input\/by-id\/usb-Logitech_USB_Receiver-if01-event-mouse"/}],
    },
    {
      name: 'the legacy /dev/input/mouse0 node',
      files: {'win10.xml': domainXml([seed003Evdev('/dev/input/mouse0')]), 'ls-input.txt': HEALTHY_LISTING},
      findings: [{id: 'evdev-input-invalid', severity: 'error', subject: '/dev/input/mouse0', message: /legacy mouse node/}],
    },
    {
      name: 'a custom link that namei resolves to /dev/input/mouse0',
      files: {
        'win10.xml': domainXml([seed003Evdev('/dev/mymouse')]),
        'ls-input.txt': HEALTHY_LISTING,
        'namei-mouse.txt': 'f: /dev/mymouse\ndrwxr-xr-x root root /\ndrwxr-xr-x root root dev\nlrwxrwxrwx root root mymouse -> input/mouse0\ndrwxr-xr-x root root   input\ncrw-rw---- root input   mouse0\n',
      },
      findings: [{id: 'evdev-input-invalid', severity: 'error', subject: '/dev/mymouse', message: /points to \/dev\/input\/mouse0/}],
    },
    {
      name: 'the keyboard link is gone (unplugged, or another receiver)',
      files: {'win10.xml': domainXml([seed003Evdev()]), 'ls-input.txt': `${byIdListing(['usb-Logitech_USB_Receiver-if01-event-mouse', 'event5'])}ls: cannot access '${KEYBOARD_EVENT}': No such file or directory\n`},
      findings: [{id: 'evdev-input-invalid', severity: 'error', subject: KEYBOARD_EVENT, message: /does not exist/}],
    },
    {
      name: "qemu's own log: the keyboard link is missing (no listing)",
      files: {'win10.xml': domainXml([seed003Evdev()]), 'ls-input.txt': byIdListing(['usb-Logitech_USB_Receiver-if01-event-mouse', 'event5']), 'qemu-win10.log': `2021-10-29T21:01:00.000000Z qemu-system-x86_64: -object {"qom-type":"input-linux","id":"input0","evdev":"${KEYBOARD_EVENT}","repeat":true,"grab_all":true}: Could not open '${KEYBOARD_EVENT}': No such file or directory\n`},
      findings: [{id: 'evdev-input-invalid', severity: 'error', subject: KEYBOARD_EVENT, evidence: /qemu-win10.log line 1/}],
    },
    {
      name: "qemu's own log: permission denied on the keyboard",
      files: {'win10.xml': domainXml([seed003Evdev()]), 'ls-input.txt': HEALTHY_LISTING, 'qemu-win10.log': `qemu-system-x86_64: Could not open '${KEYBOARD_EVENT}': Permission denied\n`},
      findings: [{id: 'evdev-input-invalid', severity: 'error', subject: KEYBOARD_EVENT, message: /^domain win10 \(win10\.xml\): qemu, running as the qemu user, cannot open \/dev\/input\/by-id\/[^ ]*-event-kbd\.$/, evidence: /Permission denied$/}],
    },
    {
      // The listing shows the by-id link (lrwxrwxrwx root root), whose mode says nothing about the event node.
      name: "qemu's own log on Debian: permission denied, the qemu account named",
      files: {'win10.xml': domainXml([seed003Evdev()]), 'ls-input.txt': HEALTHY_LISTING, 'os-release.txt': 'ID=debian\n', 'qemu-win10.log': `qemu-system-x86_64: Could not open '${KEYBOARD_EVENT}': Permission denied\n`},
      findings: [{id: 'evdev-input-invalid', severity: 'error', subject: KEYBOARD_EVENT, message: /qemu, running as libvirt-qemu \(the debian default\), cannot open [^ ]*-event-kbd\.$/, fix: /"qemuUser":"libvirt-qemu"/}],
    },
    {
      name: "seed 003's block with grab='all' left off the keyboard: the mouse does not follow the toggle",
      files: {'win10.xml': domainXml([seed003Evdev().replace(' grab="all"', '')]), 'ls-input.txt': HEALTHY_LISTING},
      findings: [{id: 'evdev-input-invalid', severity: 'warning', subject: 'win10', message: /none has grab='all'/, fix: /event-kbd/}],
    },
    {
      name: 'input-linux via qemu:commandline, NixOS runAsRoot = false, the node root:input 0660: qemu-libvirtd cannot open it',
      files: {'win10.xml': domainXml([]).replace('</domain>', `${inputLinuxArgs}\n</domain>`), 'permissions.txt': nameiKeyboard('input'), 'os-release.txt': NIXOS, 'configuration.nix': nixRunAsUser},
      findings: [{id: 'evdev-input-invalid', severity: 'error', subject: KEYBOARD_EVENT, message: /qemu-libvirtd.*cannot open.*does not chown/, fix: /"qemuUser":"qemu-libvirtd"/}],
    },
    {
      name: "libvirt's virtio-input-host domain (<input type='passthrough'>) and its event node is not there",
      files: {'input.xml': virtioPassthrough(), 'ls-input.txt': "ls: cannot access '/dev/input/event1234': No such file or directory\n"},
      findings: [{
        id: 'evdev-input-invalid',
        severity: 'error',
        subject: '/dev/input/event1234',
        message: /^domain QEMUGuest1 \(input\.xml\): \/dev\/input\/event1234 does not exist, so the VM does not start \("Could not open '\/dev\/input\/event1234'"\)/,
        evidence: /^domain QEMUGuest1 \(input\.xml\): <input type='passthrough'><source evdev='\/dev\/input\/event1234'\/>\n/,
        fix: /"qemuUser":"qemu"/,
      }],
    },
    {
      name: 'JSON input-linux objects, neither with grab_all: the keyboard is the one to give it',
      files: {'win10.xml': withArgs(`{"qom-type":"input-linux","id":"mouse1","evdev":"${MOUSE_EVENT}"}`, `{"qom-type":"input-linux","id":"kbd1","evdev":"${KEYBOARD_EVENT}","repeat":true}`), 'ls-input.txt': HEALTHY_LISTING},
      findings: [{id: 'evdev-input-invalid', severity: 'warning', subject: 'win10', message: /passes 2 evdev devices and none has grab='all'/, evidence: /<qemu:arg value='\{"qom-type":"input-linux","id":"mouse1"/, fix: /"path":"[^"]*event-kbd"/}],
    },
    {
      name: 'input-linux objects in key=value form, neither with grab_all',
      files: {'win10.xml': withArgs(`input-linux,id=mouse1,evdev=${MOUSE_EVENT}`, `input-linux,id=kbd1,evdev=${KEYBOARD_EVENT},repeat=on`), 'ls-input.txt': HEALTHY_LISTING},
      findings: [{id: 'evdev-input-invalid', severity: 'warning', subject: 'win10', evidence: /<qemu:arg value='input-linux,id=kbd1,evdev=[^']*event-kbd,repeat=on'\/>/}],
    },
    {
      name: 'the legacy joystick node /dev/input/js0 as the keyboard',
      files: {'win10.xml': domainXml([seed003Evdev(MOUSE_EVENT, '/dev/input/js0')]), 'ls-input.txt': HEALTHY_LISTING},
      findings: [{id: 'evdev-input-invalid', severity: 'error', subject: '/dev/input/js0', message: /^domain win10 \(win10\.xml\): \/dev\/input\/js0 is a legacy joystick node, not an event device; QEMU refuses it/, evidence: /^domain win10 \(win10\.xml\): <input type='evdev'><source dev='\/dev\/input\/js0' grab='all' repeat='on'\/>$/, fix: /"eventPath":"\/dev\/input\/by-id\/DEVICE-event-mouse"/}],
    },
    {
      name: "a game controller's by-id joystick link",
      files: {'win10.xml': domainXml([seed003Evdev(MOUSE_EVENT, '/dev/input/by-id/usb-Microsoft_Controller-joystick')]), 'ls-input.txt': HEALTHY_LISTING},
      findings: [{id: 'evdev-input-invalid', severity: 'error', subject: '/dev/input/by-id/usb-Microsoft_Controller-joystick', message: /usb-Microsoft_Controller-joystick has no "event" in its name: it is the joystick interface/, fix: /"eventPath":"\/dev\/input\/by-id\/usb-Microsoft_Controller-event-joystick"/}],
    },
  ],
  unknown: [
    {name: 'no evidence', files: {}},
    {name: "libvirt's input-linux test domain, no listing of /dev/input", files: {'input-linux.xml': corpus('libvirt-domains', 'input-linux.xml')}, reason: /namei -l \/dev\/input\/event1234/},
    {name: "libvirt's virtio-input-host domain, no listing", files: {'input.xml': virtioPassthrough()}, reason: /^cannot see \/dev\/input\/event1234: add `namei -l \/dev\/input\/event1234` \(or `ls -l \/dev\/input\/by-id\/`\) as permissions\.txt$/},
    {name: "seed 003's evdev block, no listing", files: {'win10.xml': domainXml([seed003Evdev()])}, reason: /^cannot see [^ ]*-event-mouse, [^ ]*-event-kbd: add `namei -l [^ ]*-event-mouse [^ ]*-event-kbd` \(or `ls -l \/dev\/input\/by-id\/`\)/},
  ],
}, {skip: !hasShared})
