/**
 * Secrets planted where real logs and configurations carry them, one carrier per row: each must be
 * gone from every output that can leave the machine (every format, -v, the --share body, a capture),
 * and what the diagnosis needs must stay. The rows are the carrier classes of issue 16; each line is
 * written the way the program that prints it does.
 */
import {mkdtempSync, mkdirSync, readdirSync, readFileSync, writeFileSync} from 'node:fs'
import {tmpdir} from 'node:os'
import {join} from 'node:path'
import {beforeAll, describe, expect, it} from 'vitest'
import {diagnose} from '../../src/engine/pipeline.js'
import {redactorFor, redactSourceSet} from '../../src/redact/index.js'
import {FORMATS, renderReport, renderShareable} from '../../src/report/render.js'
import {writeCapture} from '../../src/sources/capture.js'
import {readEvidenceFolder} from '../../src/sources/evidence.js'
import type {SourceSet} from '../../src/sources/types.js'

/** [carrier, file it is pasted in, text, the secrets in it]. */
const PLANTED: Array<[string, string, string, string[]]> = [
  // Host names
  ['journal, short-precise', 'journal.txt', 'Nov 21 23:57:01.123456 zephyrhost kernel: DMAR: IOMMU enabled', ['zephyrhost']],
  ['journal, short-iso-precise', 'journal.txt', '2024-11-21T23:57:01.123456+01:00 quokkabox kernel: Linux version 6.6.52', ['quokkabox']],
  ['journal, short-monotonic', 'journal.txt', '[    2.345678] marmotstation kernel: pci 0000:01:00.0: Adding to iommu group 14', ['marmotstation']],
  ['journal, German month', 'journal.txt', 'Dez 04 10:12:13 wombatrig systemd[1]: Started libvirtd.service.', ['wombatrig']],
  ['journal, French month', 'journal.txt', 'déc. 04 10:12:13 pangolinpc kernel: vfio-pci 0000:01:00.0: enabling device', ['pangolinpc']],
  ['systemd at boot', 'dmesg.txt', '[    3.100000] systemd[1]: Hostname set to <narwhal-desk>.', ['narwhal-desk']],
  ['systemd, older wording', 'dmesg.txt', '[    3.100000] systemd[1]: Set hostname to <ibexnode>.', ['ibexnode']],
  ['self-built kernel banner', 'dmesg.txt', '[    0.000000] Linux version 6.12.1-custom (okapiuser@okapi-forge) (gcc (GCC) 14.2.1) #3 SMP PREEMPT_DYNAMIC', ['okapiuser', 'okapi-forge']],
  ['ip= on the command line', 'cmdline.txt', 'BOOT_IMAGE=/vmlinuz root=/dev/nfs ip=10.20.30.40::10.20.30.1:255.255.255.0:capybara-nas:eth0:none intel_iommu=on', ['capybara-nas', '10.20.30.40']],
  ['NetworkManager hostname', 'journal.txt', 'Nov 21 23:57:01 localhost NetworkManager[812]: <info>  [1700000000.1234] policy: set-hostname: set hostname to \'tapirden\' (from system configuration)', ['tapirden']],
  ['uname -a', 'uname.txt', 'Linux axolotl-lab 6.6.52 #1-NixOS SMP PREEMPT_DYNAMIC Thu Sep 12 09:13:13 UTC 2024 x86_64 GNU/Linux', ['axolotl-lab']],
  ['libvirt qemu log header', 'qemu-win11.log', '2024-11-21 22:57:03.123+0000: starting up libvirt version: 10.0.0, qemu version: 8.2.2, kernel: 6.6.52, hostname: gecko-server.home.arpa', ['gecko-server']],
  ['hostnamectl', 'hostnamectl.txt', ' Static hostname: lemurbox\n      Machine ID: 3b1f0c2d4e5f60718293a4b5c6d7e8f9\n         Boot ID: 0f1e2d3c4b5a69788796a5b4c3d2e1f0', ['lemurbox', '3b1f0c2d4e5f60718293a4b5c6d7e8f9', '0f1e2d3c4b5a69788796a5b4c3d2e1f0']],
  ['journal boot separator', 'journal.txt', '-- Boot 9a8b7c6d5e4f30211203f4e5d6c7b8a9 --\nNov 21 23:57:01 localhost kernel: Linux version 6.6.52', ['9a8b7c6d5e4f30211203f4e5d6c7b8a9']],
  ['NixOS networking.hostName', 'configuration.nix', '{ networking.hostName = "dingo-tower"; }', ['dingo-tower']],
  ['a shell prompt', 'paste.txt', '[kiwiuser@kiwi-desk ~]$ lspci -nnk | grep -A3 VGA', ['kiwiuser', 'kiwi-desk']],
  ['a root prompt', 'paste.txt', 'root@mongoose-pve:~# cat /proc/cmdline', ['mongoose-pve']],
  ['syslog with two-space day', 'syslog.txt', 'Nov  1 01:02:03 heronpi rsyslogd[411]: [origin software="rsyslogd"] start', ['heronpi']],
  ['journal, Spanish month', 'journal.txt', 'dic 04 10:12:13 cobra-mesa kernel: AMD-Vi: Interrupt remapping enabled', ['cobra-mesa']],
  ['journal, ISO with a space', 'journal.txt', '2024-11-21 23:57:01 vipergrid kernel: iommu: Default domain type: Translated', ['vipergrid']],
  ['zsh prompt', 'paste.txt', 'salamander@newt-pc ~ % sudo dmesg | grep -i vfio', ['salamander', 'newt-pc']],
  // User names
  ['home folder', 'permissions.txt', 'dr-x------ 3 root root 4096 Nov 21 12:00 /home/tortoise42', ['tortoise42']],
  ['Silverblue home', 'qemu.log', "Could not open '/var/home/sparrowlet/VMs/win.qcow2': Permission denied", ['sparrowlet']],
  ['groups output', 'groups.txt', 'magpiejay : magpiejay wheel libvirt kvm', ['magpiejay']],
  ['/etc/group', 'group.txt', 'libvirt:x:972:robinhood,wrenfinch', ['robinhood', 'wrenfinch']],
  ['NixOS users.users', 'configuration.nix', '{ users.users.starlingx.extraGroups = [ "libvirtd" "kvm" ]; }', ['starlingx']],
  ['NixOS isNormalUser block', 'configuration.nix', '{ users.users = { "chickadee" = { isNormalUser = true; }; }; }', ['chickadee']],
  ['home-manager', 'home.nix', '{ home-manager.users.nuthatch = import ./home.nix; }', ['nuthatch']],
  ['sudo journal line', 'journal.txt', 'Nov 21 23:57:01 localhost sudo[3001]: cormorant : TTY=pts/1 ; PWD=/srv ; USER=root ; COMMAND=/usr/bin/virsh start win11', ['cormorant']],
  ['/media/USER', 'permissions.txt', 'f: /media/jaguarfan/ISOs/Win11_23H2_English_x64.iso', ['jaguarfan']],
  ['/run/media/USER', 'qemu.log', "qemu-system-x86_64: -drive file=/run/media/ocelotte/Data/win.qcow2: Could not open '/run/media/ocelotte/Data/win.qcow2': Permission denied", ['ocelotte']],
  ['sshd accepted', 'journal.txt', 'Nov 21 23:57:01 localhost sshd[2211]: Accepted publickey for hyenadev from 192.168.7.12 port 51514 ssh2: ED25519 SHA256:Zm9vYmFyYmF6cXV4cXV1eGNvcmdlZ3JhdWx0aW1hd2V', ['hyenadev', '192.168.7.12', 'Zm9vYmFyYmF6cXV4cXV1eGNvcmdlZ3JhdWx0aW1hd2V']],
  ['sshd invalid user', 'journal.txt', 'Nov 21 23:57:01 localhost sshd[2212]: Invalid user meerkatops from 198.18.4.9 port 40022', ['meerkatops']],
  ['pam session', 'journal.txt', 'Nov 21 23:57:01 localhost sudo[2213]: pam_unix(sudo:session): session opened for user walrusadm(uid=0) by beaverdev(uid=1000)', ['walrusadm']],
  ['audit acct', 'journal.txt', 'Nov 21 23:57:01 localhost audit[2214]: USER_AUTH pid=2214 uid=1000 auid=1000 ses=2 msg=\'op=PAM:authentication grantors=pam_unix acct="platypusq" exe="/usr/bin/sudo" res=success\'', ['platypusq']],
  ['NixOS group members', 'configuration.nix', '{ users.groups.libvirtd.members = [ "koalaroo" "emuwren" ]; }', ['koalaroo', 'emuwren']],
  ['NixOS let binding', 'configuration.nix', 'let user = "puffinpal"; in { users.users.${user}.extraGroups = [ "libvirtd" ]; }', ['puffinpal']],
  ['NixOS autologin', 'configuration.nix', '{ services.displayManager.autoLogin.user = "lynxlover"; services.getty.autologinUser = "lynxlover"; }', ['lynxlover']],
  ['qemu.conf user', 'qemu.conf', 'user = "badgerbob"\ngroup = "kvm"', ['badgerbob']],
  ['libvirt auth', 'domain-win11.xml', "<disk type='network' device='disk'><auth username='otterina'><secret type='ceph' uuid='2ec115d7-3a88-4fe4-9b3f-5d8f4c3b2a19'/></auth></disk>", ['otterina', '2ec115d7-3a88-4fe4-9b3f-5d8f4c3b2a19']],
  ['id output', 'id.txt', 'uid=1000(falconer) gid=100(users) groups=100(users),1(wheel),992(libvirtd)', ['falconer']],
  ['ls owner', 'permissions.txt', '-rw-r--r-- 1 heronhaus users 5G Nov 21 12:00 /srv/iso/win.iso', ['heronhaus']],
  ['Windows home', 'looking-glass.txt', 'C:\\Users\\Vulture77\\AppData\\Local\\looking-glass-host.txt', ['Vulture77']],
  // MAC addresses
  ['MAC at a sentence end', 'notes.txt', 'The NIC is 9c:53:22:1a:2b:3c.', ['9c:53:22:1a:2b:3c']],
  ['MAC in an enx name', 'journal.txt', 'Nov 21 23:57:01 localhost kernel: cdc_ether 2-1:2.0 enx9c53221a2b3d: renamed from eth0', ['9c53221a2b3d']],
  ['Cisco-dotted MAC', 'notes.txt', 'switch says 9c53.221a.2b3e on port 4', ['9c53.221a.2b3e']],
  ['domain MAC', 'domain-win11.xml', "<interface type='network'><mac address='52:54:00:12:34:56'/></interface>", ['52:54:00:12:34:56']],
  ['dash MAC', 'notes.txt', 'Physical Address. . . : 9C-53-22-1A-2B-3F', ['9C-53-22-1A-2B-3F']],
  ['ip link', 'ip.txt', '2: enp5s0: <BROADCAST,MULTICAST,UP> mtu 1500\n    link/ether 9c:53:22:1a:2b:40 brd ff:ff:ff:ff:ff:ff', ['9c:53:22:1a:2b:40']],
  ['DHCP', 'journal.txt', 'Nov 21 23:57:01 localhost dhclient[901]: DHCPACK of 192.168.77.14 from 192.168.77.1 (xid=0x1234)', ['192.168.77.14', '192.168.77.1']],
  ['wifi association', 'dmesg.txt', '[   12.000000] wlp2s0: authenticate with 3c:84:6a:11:22:33 (local address=9c:53:22:1a:2b:41)', ['3c:84:6a:11:22:33', '9c:53:22:1a:2b:41']],
  // Serial numbers and ids
  ['smartctl', 'smart.txt', 'Model Number:                       Samsung SSD 980 PRO 1TB\nSerial Number:                      S5GXNF0R654321A', ['S5GXNF0R654321A']],
  ['PCIe device serial', 'lspci-vvv.txt', '\tCapabilities: [140 v1] Device Serial Number 01-23-45-67-89-ab-cd-ef', ['01-23-45-67-89-ab-cd-ef']],
  ['qemu serial=', 'qemu.log', '-drive file=/var/lib/libvirt/images/win.qcow2,if=none,id=drive0,serial=QMSERIAL0042', ['QMSERIAL0042']],
  ['fstab UUIDs', 'fstab.txt', 'UUID=5d7c1a2b-3e4f-4a5b-9c6d-7e8f9a0b1c2d / ext4 defaults 0 1\nUUID=B2C3-D4E5 /boot vfat umask=0077 0 2', ['5d7c1a2b-3e4f-4a5b-9c6d-7e8f9a0b1c2d', 'B2C3-D4E5']],
  ['domain uuid', 'domain-win11.xml', '<uuid>7e2d1c0b-9a8f-4e7d-8c6b-5a4f3e2d1c0b</uuid>', ['7e2d1c0b-9a8f-4e7d-8c6b-5a4f3e2d1c0b']],
  ['lsusb -v', 'lsusb.txt', '  iManufacturer           1 Logitech\n  iProduct                2 G502 HERO\n  iSerial                 3 0F2A91B3C4D5', ['0F2A91B3C4D5']],
  ['input by-id', 'evdev.txt', "<input type='evdev'><source dev='/dev/input/by-id/usb-Logitech_G502_HERO_1C8E2F4A5B6D-event-mouse'/></input>", ['1C8E2F4A5B6D']],
  ['serial by-id', 'ls.txt', '/dev/serial/by-id/usb-FTDI_FT232R_USB_UART_A50285BI-if00-port0', ['A50285BI']],
  ['disk by-id', 'domain-win11.xml', "<source dev='/dev/disk/by-id/nvme-Samsung_SSD_980_PRO_1TB_S5GXNF0R812345K'/>", ['S5GXNF0R812345K']],
  ['udev serial', 'udev.txt', 'E: ID_SERIAL_SHORT=WD-WX12A3456789\nE: ID_SERIAL=WDC_WD40EFRX-68N32N0_WD-WX12A3456789', ['WD-WX12A3456789']],
  ['lshw', 'lshw.txt', '  *-disk\n       product: Samsung SSD 870\n       serial: S6PNNS0W123456Z', ['S6PNNS0W123456Z']],
  ['qemu JSON', 'qemu.log', '-blockdev {"driver":"host_device","filename":"/dev/sdb","node-name":"libvirt-1-storage"} -device {"driver":"scsi-hd","serial":"QM00077AB1","id":"scsi0-0-0-0"}', ['QM00077AB1']],
  ['domain wwn', 'domain-win11.xml', '<disk type="block" device="disk"><wwn>5000c500a1b2c3d4</wwn></disk>', ['5000c500a1b2c3d4']],
  ['dmidecode', 'dmi.txt', 'System Information\n\tManufacturer: ASUS\n\tSerial Number: SYS9Q8W7E6R5', ['SYS9Q8W7E6R5']],
  ['SMBIOS in a domain', 'domain-win11.xml', "<sysinfo type='smbios'><system><entry name='serial'>PF2ABC12</entry></system></sysinfo>", ['PF2ABC12']],
  ['NixOS hostId', 'configuration.nix', '{ networking.hostId = "8425e34a"; }', ['8425e34a']],
  // Addresses
  ['IPv4 in a log', 'journal.txt', 'Nov 21 23:57:01 localhost dhcpcd[900]: eth0: leased 192.168.44.55 for 86400 seconds', ['192.168.44.55']],
  ['IPv6', 'ip.txt', 'inet6 2a02:8070:beef:1:1c2b:3dff:fe4e:5f61/64 scope global dynamic', ['2a02:8070:beef:1:1c2b:3dff:fe4e:5f61']],
  ['e-mail', 'notes.txt', 'contact me: gnu.wildebeest@example-mail.de', ['gnu.wildebeest@example-mail.de']],
  // Secrets
  ['Nix string password', 'configuration.nix', '{ users.users.root.initialPassword = "Tr0ub4dor&3xyz"; }', ['Tr0ub4dor&3xyz']],
  ["Nix '' string secret", 'configuration.nix', "{ services.foo.apiToken = ''k3yk3yk3yk3y''; }", ['k3yk3yk3yk3y']],
  ['GITHUB_TOKEN', 'env.txt', 'GITHUB_TOKEN=ghp_A1b2C3d4E5f6G7h8I9j0K1l2M3n4O5p6Q7r8', ['ghp_A1b2C3d4E5f6G7h8I9j0K1l2M3n4O5p6Q7r8']],
  ['nix.conf access-tokens', 'nix.conf', 'access-tokens = github.com=ghp_Z9y8X7w6V5u4T3s2R1q0P9o8N7m6L5k4J3i2', ['ghp_Z9y8X7w6V5u4T3s2R1q0P9o8N7m6L5k4J3i2']],
  ['Bearer', 'curl.txt', '> Authorization: Bearer eyJhbGciOiJIUzI1NiJ9.eyJzdWIiOiJvd2wifQ.c2lnbmF0dXJlcGFydA', ['eyJhbGciOiJIUzI1NiJ9.eyJzdWIiOiJvd2wifQ.c2lnbmF0dXJlcGFydA']],
  ['WireGuard private key', 'configuration.nix', '{ networking.wireguard.interfaces.wg0.privateKey = "yAnz5TF+lXXJte14tji3zlMNq+hd2rYUIgJBgB3fBmk="; }', ['yAnz5TF+lXXJte14tji3zlMNq+hd2rYUIgJBgB3fBmk=']],
  ['wg-quick', 'wg0.conf', '[Interface]\nPrivateKey = gI6EdUSYvn8ugXOt8QQD6Yc+JyiZxIhp3GInSWRfWGE=\nPresharedKey = /UwcSPg38hW/D9Y3tcS1FOV0K1wuURMbS0sesJEP5ak=', ['gI6EdUSYvn8ugXOt8QQD6Yc+JyiZxIhp3GInSWRfWGE=', '/UwcSPg38hW/D9Y3tcS1FOV0K1wuURMbS0sesJEP5ak=']],
  ['*_SECRET= in an environment', 'env.txt', 'export RESTIC_PASSWORD=correct-horse-9\nCLIENT_SECRET_VALUE=s3cr3tv4lu3', ['correct-horse-9', 's3cr3tv4lu3']],
  ['wpa_supplicant', 'wpa.conf', 'network={\n  ssid="Penguin Colony 5G"\n  psk="frostyfeet42"\n}', ['Penguin Colony 5G', 'frostyfeet42']],
  ['private key', 'key.txt', '-----BEGIN OPENSSH PRIVATE KEY-----\nb3BlbnNzaC1rZXktdjEAAAAABG5vbmUAAAAEbm9uZQ\n-----END OPENSSH PRIVATE KEY-----', ['b3BlbnNzaC1rZXktdjEAAAAABG5vbmUAAAAEbm9uZQ']],
  ['SSH public key', 'configuration.nix', '{ users.users.root.openssh.authorizedKeys.keys = [ "ssh-ed25519 AAAAC3NzaC1lZDI1NTE5AAAAIHq9Zm1Pq2Rk8s7T6u5V4w3X2y1Z0a9B8c7D6e5F4g3H lark@laptop" ]; }', ['AAAAC3NzaC1lZDI1NTE5AAAAIHq9Zm1Pq2Rk8s7T6u5V4w3X2y1Z0a9B8c7D6e5F4g3H']],
  ['NixOS hashedPassword', 'configuration.nix', '{ users.users.root.hashedPassword = "$6$rounds=656000$abcdefgh$ijklmnopqrstuvwxyz0123456789ABCDEFG"; }', ['$6$rounds=656000$abcdefgh$ijklmnopqrstuvwxyz0123456789ABCDEFG']],
  ['hostapd', 'hostapd.conf', 'ssid=OsprayNet\nwpa_passphrase=talonsharp99\nsae_password=talonsharper100', ['talonsharp99', 'talonsharper100']],
  ['nmcli secrets', 'nmcli.txt', '802-11-wireless-security.psk:           featherlight55', ['featherlight55']],
  ['git config', 'git.txt', 'user.name=Kestrel Hawk\nuser.email=kestrel.hawk@birdmail.example-isp.net', ['kestrel.hawk@birdmail.example-isp.net']],
  ['several Wi-Fi keys in NixOS', 'configuration.nix', '{ networking.wireless.networks = { "Gull Harbor" = { psk = "saltspray11"; }; TernCove.psk = "wavecrest22"; }; }', ['Gull Harbor', 'saltspray11', 'TernCove', 'wavecrest22']],
  ['qemu log of a domain with a user-mode net and a MAC', 'qemu-win11.log', '-netdev {"type":"user","id":"hostnet0"} -device {"driver":"e1000e","netdev":"hostnet0","id":"net0","mac":"52:54:00:9a:8b:7c"}', ['52:54:00:9a:8b:7c']],
  ['ARP table', 'ip.txt', '192.168.3.9 dev wlp2s0 lladdr 9c:53:22:1a:2b:42 REACHABLE\n10.77.0.3 dev tun0 lladdr 9c:53:22:1a:2b:43 STALE', ['192.168.3.9', '9c:53:22:1a:2b:42', '10.77.0.3', '9c:53:22:1a:2b:43']],
  ['two users in one /etc/passwd line set', 'passwd.txt', 'root:x:0:0::/root:/bin/bash\nalbatross:x:1000:100::/home/albatross:/bin/zsh\npetrelx:x:1001:100::/home/petrelx:/bin/bash', ['albatross', 'petrelx']],
  ['Secure Boot key enrolled by a person', 'mokutil.txt', 'SHA1 Fingerprint: 4a:5b:6c:7d:8e:9f:a0:b1:c2:d3:e4:f5:06:17:28:39:4a:5b:6c:7d\n        Issuer: CN=Grebe Keys, emailAddress=grebe.keys@pondmail.example-isp.org', ['grebe.keys@pondmail.example-isp.org']],
  ['GitLab token', 'env.txt', 'export CI_TOKEN=glpat-AbCdEfGhIjKlMnOpQrStUv', ['glpat-AbCdEfGhIjKlMnOpQrStUv']],
  // Wi-Fi names
  ['NetworkManager connection', 'journal.txt', "Nov 21 23:57:01 localhost NetworkManager[812]: <info>  [1700000000.5] device (wlp2s0): Activation: starting connection 'Heron Lake WiFi' (4e1f0d3c-2b1a-4f5e-8d7c-6b5a49382716)", ['Heron Lake WiFi', '4e1f0d3c-2b1a-4f5e-8d7c-6b5a49382716']],
  ['nmcli', 'nmcli.txt', "Connection 'Moose Meadow' (0a1b2c3d-4e5f-4a6b-8c7d-9e0f1a2b3c4d) successfully activated.", ['Moose Meadow']],
  ['iwctl', 'iwctl.txt', '[iwd]# station wlan0 connect FalconNest', ['FalconNest']],
  ['NixOS wireless', 'configuration.nix', '{ networking.wireless.networks."Bison Range".psk = "prairiewind7"; }', ['Bison Range', 'prairiewind7']],
]

/** What the diagnosis needs, which redaction must leave alone. */
const KEPT = ['0000:01:00.0', 'DMAR: IOMMU enabled', 'intel_iommu=on', 'Win11_23H2_English_x64.iso', 'libvirtd', 'usb-Logitech_G502_HERO', 'G502 HERO', 'Samsung SSD 980 PRO 1TB']

describe('planted secrets, one carrier at a time', () => {
  it(`plants at least 120 secrets across ${PLANTED.length} carriers`, () => {
    expect(PLANTED.flatMap(([, , , secrets]) => secrets).length).toBeGreaterThanOrEqual(120)
    expect(PLANTED.length).toBeGreaterThanOrEqual(60)
  })

  it.each(PLANTED)('%s', (_carrier, file, text, secrets) => {
    const set: SourceSet = {mode: 'input', root: '/', sources: [{kind: 'log', origin: file, status: 'ok', text}]}
    const redacted = redactorFor(set).redact(text)
    expect(secrets.filter((s) => redacted.includes(s))).toEqual([])
  })
})

/** Every carrier in the file it is pasted in, in one evidence folder. */
function plantedFolder(): string {
  const dir = mkdtempSync(join(tmpdir(), 'vfio-doctor-planted-'))
  const byFile = new Map<string, string[]>()
  for (const [, file, text] of PLANTED) byFile.set(file, [...(byFile.get(file) ?? []), text])
  for (const [file, texts] of byFile) writeFileSync(join(dir, file), `${texts.join(file.endsWith('.xml') ? '\n' : '\n\n')}\n`)
  // Something to diagnose, so that the report quotes evidence: the kernel log with the planted lines.
  writeFileSync(join(dir, 'lspci-nnk.txt'), '01:00.0 VGA compatible controller [0300]: NVIDIA Corporation AD102 [GeForce RTX 4090] [10de:2684] (rev a1)\n\tKernel driver in use: nvidia\n')
  return dir
}

describe('planted secrets in one evidence folder: every output that leaves the machine', () => {
  let set: SourceSet
  const outputs: Record<string, string> = {}
  let capture: string[] = []

  beforeAll(async () => {
    set = await readEvidenceFolder(plantedFolder())
    const {facts, report} = diagnose(set)
    // Text as wide as it wants: wrapped, a secret cut across two lines would slip past includes().
    const width = 100_000
    for (const format of FORMATS) outputs[format] = await renderReport(report, {format, set, facts, failOn: 'error', width})
    outputs['text -v'] = await renderReport(report, {format: 'text', set, facts, failOn: 'error', verbose: true, width})
    outputs.share = (await renderShareable(report, set, facts)).markdown
    const out = join(mkdtempSync(join(tmpdir(), 'vfio-doctor-planted-capture-')), 'capture')
    mkdirSync(out, {recursive: true})
    await writeCapture(out, redactSourceSet(set, redactorFor(set)))
    capture = readdirSync(out).map((f) => readFileSync(join(out, f), 'utf8'))
    outputs.capture = capture.join('\n')
  })

  const secrets = PLANTED.flatMap(([carrier, , , list]) => list.map((s) => [carrier, s] as const))

  it.each(['text', 'text -v', 'json', 'markdown', 'bbcode', 'junit', 'html', 'share', 'capture'])('%s leaks none of them', (output) => {
    expect(secrets.filter(([, s]) => outputs[output]!.includes(s)).map(([carrier, s]) => `${carrier}: ${s}`)).toEqual([])
  })

  it('the unredacted report does hold them where it quotes them (the test plants what it checks)', async () => {
    const {facts, report} = diagnose(set)
    const raw = await renderReport(report, {format: 'markdown', set, facts, failOn: 'error', redact: false})
    expect(secrets.filter(([, s]) => raw.includes(s)).length).toBeGreaterThanOrEqual(60)
  })

  it('the capture keeps what the diagnosis needs', () => {
    expect(KEPT.filter((k) => !outputs.capture!.includes(k))).toEqual([])
  })
})

describe('planted secrets with every log read as a stream, as a big log is', () => {
  const secrets = PLANTED.flatMap(([carrier, , , list]) => list.map((s) => [carrier, s] as const))
  let set: SourceSet
  beforeAll(async () => {
    set = await readEvidenceFolder(plantedFolder(), {streamFrom: 0})
  })

  it('streams the logs', () => {
    expect(set.sources.filter((s) => s.digest).length).toBeGreaterThan(3)
  })

  it.each(FORMATS)('%s leaks none of them', async (format) => {
    const {facts, report} = diagnose(set)
    const out = await renderReport(report, {format, set, facts, failOn: 'error', width: 100_000})
    expect(secrets.filter(([, s]) => out.includes(s)).map(([carrier, s]) => `${carrier}: ${s}`)).toEqual([])
  })

  it('the unredacted report does hold them where it quotes them', async () => {
    const {facts, report} = diagnose(set)
    const raw = await renderReport(report, {format: 'markdown', set, facts, failOn: 'error', redact: false})
    expect(secrets.filter(([, s]) => raw.includes(s)).length).toBeGreaterThanOrEqual(60)
  })
})

describe('a private key block that an excerpt cuts', () => {
  // A forum post redacts only the lines it shows; a key's lines past its BEGIN line name no secret
  // on their own, so a text holding a key is redacted whole before it is cut.
  const body = Array.from({length: 60}, (_, i) => `b3BlbnNzaC1rZXktdjEAAAAABG5vbmUAAAAEbm9uZQAAAAAAAAABAAAB${String(i).padStart(4, '0')}`)
  const log = [
    ...Array.from({length: 3000}, (_, i) => `[    1.${String(i).padStart(6, '0')}] pci 0000:00:01.0: bridge window [io  0x1000-0x1fff] number ${i}`),
    '-----BEGIN OPENSSH PRIVATE KEY-----',
    ...body,
    '-----END OPENSSH PRIVATE KEY-----',
    '[    2.000000] DMAR: IOMMU enabled',
  ].join('\n')

  it.each(['markdown', 'bbcode', 'html'] as const)('%s shows the log\'s end without the key', async (format) => {
    const set: SourceSet = {mode: 'input', root: '/', sources: [{kind: 'kernelLog', origin: 'dmesg.txt', status: 'ok', text: log}]}
    const {facts, report} = diagnose(set)
    const out = await renderReport(report, {format, set, facts, failOn: 'error'})
    expect(out).toContain('DMAR: IOMMU enabled')
    expect(body.filter((line) => out.includes(line))).toEqual([])
    const raw = await renderReport(report, {format, set, facts, failOn: 'error', redact: false})
    expect(body.filter((line) => raw.includes(line)).length).toBeGreaterThan(0)
  })
})
