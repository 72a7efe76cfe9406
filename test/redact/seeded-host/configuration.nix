{ config, pkgs, ... }:

{
  networking.hostName = "alice-desktop";
  networking.hostId = "8425e349";
  networking.wireless = {
    enable = true;
    networks = {
      "Alice Home 5G" = { psk = "correct horse battery staple"; };
      CafeGuest.pskRaw = "dca6d6ed41f4ab5a984c9f55f6f66d4efdc720ebf66959810f4329bb391c5435";
    };
  };

  boot.kernelParams = [ "amd_iommu=on" "iommu=pt" "vfio-pci.ids=10de:2684,10de:22ba" ];
  boot.initrd.kernelModules = [ "vfio_pci" "vfio" "vfio_iommu_type1" ];

  fileSystems."/boot" = { device = "/dev/disk/by-uuid/A1B2-C3D4"; fsType = "vfat"; };

  virtualisation.libvirtd.enable = true;

  users.users.alice = {
    isNormalUser = true;
    extraGroups = [ "wheel" "libvirtd" "kvm" ];
    hashedPassword = "$6$rounds=656000$Zk1p3sQ$kq3zYbYq3y9pLx7c0s9";
    openssh.authorizedKeys.keys = [ "ssh-ed25519 AAAAC3NzaC1lZDI1NTE5AAAAIGq8Xx7Yb1pJkq3l9x8Yb1pJkq3l9x8Yb1pJkq3l9x8 alice@alice-laptop" ];
  };

  programs.git.config.user.email = "alice.liddell@example-mail.de";
}
