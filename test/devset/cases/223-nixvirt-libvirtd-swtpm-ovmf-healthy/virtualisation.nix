{
  config,
  inputs,
  lib,
  pkgs,
  ...
}:
let
  virtLib = inputs.NixVirt.lib;
in
{
  imports = [
    inputs.NixVirt.nixosModules.default
  ];

  boot.kernelModules = [ "vfio-pci" ];

  # Enable yubikey direction into a QEMU image https://github.com/NixOS/nixpkgs/issues/39618
  virtualisation.spiceUSBRedirection.enable = true;

  virtualisation = {
    libvirtd = {
      enable = true;
      nss.enableGuest = true;
      qemu = {
        package = pkgs.qemu_kvm;
        runAsRoot = true;
        swtpm.enable = true;
        ovmf = {
          enable = true;
          packages = [
            (pkgs.OVMFFull.override {
              secureBoot = true;
              tpmSupport = true;
            }).fd
          ];
        };
      };
    };
