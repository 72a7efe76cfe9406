# services.vfio-doctor: check GPU passthrough after each `nixos-rebuild switch` and at boot.
# The flake's nixosModules.default imports this and sets `package` to the flake's build.
{ config, lib, pkgs, ... }:
let
  cfg = config.services.vfio-doctor;
  command = lib.escapeShellArgs (
    [ "${cfg.package}/bin/vfio-doctor" "check" "--fail-on" cfg.failOn ]
    ++ lib.optionals (cfg.gpu != null) [ "--gpu" cfg.gpu ]
    ++ lib.optionals (cfg.lookingGlass != null) [ "--looking-glass" cfg.lookingGlass ]
  );
in
{
  options.services.vfio-doctor = {
    enable = lib.mkEnableOption "a vfio-doctor check of GPU passthrough after each switch and at boot";
    package = lib.mkOption {
      type = lib.types.package;
      description = "The vfio-doctor package to run.";
    };
    gpu = lib.mkOption {
      type = lib.types.nullOr lib.types.str;
      default = null;
      example = "0000:23:00.0";
      description = "The guest GPU's PCI address (`--gpu`); by default vfio-doctor infers it.";
    };
    lookingGlass = lib.mkOption {
      type = lib.types.nullOr (lib.types.strMatching "[0-9]+x[0-9]+");
      default = null;
      example = "2560x1440";
      description = "The guest's screen with Looking Glass (`--looking-glass`): checks the shared memory is large enough.";
    };
    failOn = lib.mkOption {
      type = lib.types.enum [ "error" "warning" "info" "never" ];
      default = "error";
      description = "The lowest severity the one-line verdict and the unit's log call a failure (`--fail-on`). The switch never fails.";
    };
  };

  config = lib.mkIf cfg.enable {
    environment.systemPackages = [ cfg.package ];

    # At boot, once the modules and libvirtd are up. A switch does not run it again (RemainAfterExit,
    # restartIfChanged): the activation script below checks the new generation instead.
    systemd.services.vfio-doctor = {
      description = "vfio-doctor: check GPU passthrough";
      wantedBy = [ "multi-user.target" ];
      after = [ "systemd-modules-load.service" "local-fs.target" "libvirtd.service" ];
      restartIfChanged = false;
      serviceConfig = {
        Type = "oneshot";
        RemainAfterExit = true;
        ExecStart = command;
        # 1 means findings at or above failOn: the report in the journal says them; the unit did its job.
        SuccessExitStatus = "0 1";
        SyslogIdentifier = "vfio-doctor";
      };
    };

    # After each switch: check the generation just activated (not yet /run/current-system), log the
    # report to the journal under the unit, print one line, and never fail the switch. At boot
    # /run/current-system does not exist yet, and the service above checks instead.
    system.activationScripts.vfio-doctor = {
      deps = [ "etc" "users" ];
      text = ''
        if [ -e /run/current-system ]; then
          vfio_doctor_status=0
          vfio_doctor_report=$(VFIO_DOCTOR_CURRENT_SYSTEM="$systemConfig" ${pkgs.coreutils}/bin/timeout 60 ${command} 2>&1) || vfio_doctor_status=$?
          # One journal entry per line, filed under the unit (OBJECT_SYSTEMD_UNIT, which journalctl -u
          # trusts from root) so that the switch's report and the boot's are both `journalctl -u vfio-doctor`.
          printf '%s\n' "$vfio_doctor_report" | while IFS= read -r vfio_doctor_line; do
            printf 'MESSAGE=%s\nSYSLOG_IDENTIFIER=vfio-doctor\nOBJECT_SYSTEMD_UNIT=vfio-doctor.service\n' "$vfio_doctor_line" \
              | ${pkgs.util-linux}/bin/logger --journald || true
          done
          vfio_doctor_summary=$(printf '%s\n' "$vfio_doctor_report" | ${pkgs.gnugrep}/bin/grep -oE '^[0-9]+ errors?, [0-9]+ warnings?' | ${pkgs.coreutils}/bin/tail -n 1 || true)
          echo "vfio-doctor: ''${vfio_doctor_summary:-no report (exit status $vfio_doctor_status)}: see journalctl -u vfio-doctor"
        fi
      '';
    };
  };
}
