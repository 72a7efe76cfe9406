/**
 * NixOS values that change a verdict, read from seed 001's own configuration (fixtures/, so these run
 * without ../shared): the qemu account from verbatimConfig and runAsRoot, a kernel with VFIO built in.
 */
import {readFileSync} from 'node:fs'
import isoPermissions from '../../checks/iso-permissions.js'
import vfioModules from '../../checks/vfio-modules.js'
import {testCheck} from '../helpers/check-tester.js'

const fixture = (file: string): string => readFileSync(new URL(`../../fixtures/seed-001-iso-permission/${file}`, import.meta.url), 'utf8')

// The seed's configuration as the page shows it: `user = "+${builtins.toString config.users.users.${user}.uid}"`
// needs my-user's uid from somewhere in the person's tree; a hardware or users module declares it.
const seedNix = fixture('configuration.nix')
const usersNix = '{ ... }: { users.users.my-user = { isNormalUser = true; uid = 1000; }; }\n'
const domain = fixture('domain-win10.xml')
const ISO = '/home/my-user/my-windows-installer.iso'
const VIRTIO = '/home/my-user/virtio-win.iso'
const DISK = '/var/lib/libvirt/images/win10.qcow2'
// The document: the installer ISO "was read-only ... owned inexplicably by the root group" (mode 0440).
const namei = (iso: string, disk = '-rw------- root root'): string =>
  [
    `f: ${ISO}`, 'drwxr-xr-x root root /', 'drwxr-xr-x root root home', 'drwx------ my-user users my-user', `${iso} my-windows-installer.iso`,
    `f: ${VIRTIO}`, 'drwxr-xr-x root root /', 'drwxr-xr-x root root home', 'drwx------ my-user users my-user', '-rw-r--r-- my-user users virtio-win.iso',
    `f: ${DISK}`, 'drwxr-xr-x root root /', 'drwxr-xr-x root root var', 'drwxr-xr-x root root lib', 'drwxr-xr-x root root libvirt', 'drwx--x--x root root images', `${disk} win10.qcow2`,
  ].join('\n') + '\n'
const ROOT_0440 = '-r--r----- root root'
// runAsRoot = true and the seed's verbatimConfig taken out: NixOS's qemu.conf then sets no user.
const runAsRootNix = seedNix.replace(/verbatimConfig = ''[\s\S]*$/, 'runAsRoot = true;\n')

// qemu's own words when the VM starts, as fixtures/seed-001-iso-permission has them.
const qemuLog = fixture('qemu-win10.log')
const seedFiles = {'configuration.nix': seedNix, 'users.nix': usersNix, 'win10.xml': domain}

testCheck(isoPermissions, {
  valid: [
    {name: 'seed 001 with runAsRoot = true and no verbatimConfig: qemu runs as root', files: {'configuration.nix': runAsRootNix, 'users.nix': usersNix, 'win10.xml': domain, 'namei.txt': namei(ROOT_0440)}},
    {name: "seed 001 with the ISO given back to my-user (the document's fix)", files: {...seedFiles, 'namei.txt': namei('-rw-rw---- my-user users', '-rw------- my-user users')}},
  ],
  invalid: [
    {
      name: "seed 001: qemu runs as uid 1000 (verbatimConfig), the installer ISO is root:root 0440 and qemu says so",
      files: {...seedFiles, 'namei.txt': namei(ROOT_0440), 'qemu-win10.log': qemuLog},
      findings: [
        {id: 'iso-permissions', severity: 'error', subject: ISO, message: /is not readable by uid 1000 \(my-user\)/, evidence: /verbatimConfig sets user = "\+\$\{builtins\.toString config\.users\.users\.\$\{user\}\.uid\}" \(uid 1000, my-user\)/, fix: /"qemuUser":"my-user"/},
        {id: 'iso-permissions', severity: 'warning', subject: DISK, message: /not readable by uid 1000.*dynamic_ownership/},
      ],
    },
    {
      // libvirt never gives read-only media back after a VM used them, so a root:root 0440 ISO has not been
      // relabelled; a writable disk is given back to root at every stop, so its 0600 is only a warning.
      name: 'seed 001 without the log: the read-only ISO unreadable by uid 1000 is an error, the writable disk a warning',
      files: {...seedFiles, 'namei.txt': namei(ROOT_0440)},
      findings: [
        {id: 'iso-permissions', severity: 'error', subject: ISO, message: /is not readable by uid 1000 \(my-user\)/, evidence: /verbatimConfig sets user/},
        {id: 'iso-permissions', severity: 'warning', subject: DISK, message: /dynamic_ownership/},
      ],
    },
    {
      name: 'seed 001 with dynamic_ownership = 0 in verbatimConfig: nothing chowns the ISO, an error',
      files: {...seedFiles, 'configuration.nix': seedNix.replace('namespaces = []', 'namespaces = []\n           dynamic_ownership = 0'), 'namei.txt': namei(ROOT_0440)},
      findings: [
        {id: 'iso-permissions', severity: 'error', subject: ISO, message: /is not readable by uid 1000 \(my-user\)/},
        {id: 'iso-permissions', severity: 'error', subject: DISK},
      ],
    },
    {
      name: 'a qemu.conf naming the uid outright (user = "+1000") decides, as the file libvirt reads',
      files: {'configuration.nix': runAsRootNix, 'qemu.conf': '# written by hand\nuser = "+1000"\ndynamic_ownership = 0\n', 'users.nix': usersNix, 'win10.xml': domain, 'namei.txt': namei(ROOT_0440)},
      findings: [
        {id: 'iso-permissions', severity: 'error', subject: ISO, evidence: /qemu\.conf line 2: user = "\+1000"/},
        {id: 'iso-permissions', severity: 'error', subject: DISK},
      ],
    },
  ],
})

const vfioPciIds = 'boot.extraModprobeConfig = "options vfio-pci ids=1002:67df,1002:aaf0";'
const patched = (value: string): string => `{ pkgs, ... }: {
  ${vfioPciIds}
  boot.kernelPatches = [ {
    name = "vfio-builtin";
    patch = null;
    extraConfig = ''
      VFIO y
      VFIO_PCI ${value}
    '';
  } ];
}
`

testCheck(vfioModules, {
  valid: [
    {name: 'kernelPatches builds VFIO_PCI into the kernel: nothing to load', files: {'configuration.nix': patched('y')}},
    {
      name: 'a kernelPackages override with structuredExtraConfig VFIO_PCI = yes',
      files: {'configuration.nix': `{ pkgs, lib, ... }: {\n  ${vfioPciIds}\n  boot.kernelPackages = pkgs.linuxPackagesFor (pkgs.linux_latest.override {\n    structuredExtraConfig = with lib.kernel; { VFIO_PCI = yes; };\n  });\n}\n`},
    },
  ],
  invalid: [
    {
      name: 'kernelPatches builds VFIO_PCI as a module (m): it still has to be loaded',
      files: {'configuration.nix': patched('m')},
      findings: [{id: 'vfio-modules-missing', severity: 'error'}],
    },
  ],
})
