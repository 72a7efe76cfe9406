{ pkgs, ... }:
let
  hostCores = "0-7,16-23";
  totalCores = "0-31";
in
{
  environment.systemPackages = with pkgs; [ swtpm ];
  systemd.services.libvirtd.path = [ pkgs.swtpm ];

  virtualisation = {
    libvirtd = {
      onBoot = "ignore";
      onShutdown = "shutdown";

      deviceACL = [
        "/dev/vfio/vfio"
        "/dev/kvm"
        "/dev/kvmfr0"
        "/dev/null"
      ];
