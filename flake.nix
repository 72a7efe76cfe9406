{
  description = "vfio-doctor: diagnose VFIO / GPU passthrough setups from the evidence the host already has";

  inputs.nixpkgs.url = "github:NixOS/nixpkgs/nixos-unstable";

  outputs = { self, nixpkgs }:
    let
      systems = [ "x86_64-linux" "aarch64-linux" ];
      forAllSystems = f: nixpkgs.lib.genAttrs systems (system: f nixpkgs.legacyPackages.${system});
    in
    {
      packages = forAllSystems (pkgs: {
        default = pkgs.buildNpmPackage {
          pname = "vfio-doctor";
          version = (builtins.fromJSON (builtins.readFile ./package.json)).version;
          src = ./.;
          nodejs = pkgs.nodejs_20;
          # The npm dependencies from package-lock.json's own integrity hashes: no hash to keep here.
          npmDeps = pkgs.importNpmLock { npmRoot = ./.; };
          npmConfigHook = pkgs.importNpmLock.npmConfigHook;
          npmBuildScript = "build";
          # Tests run in `checks` below, against the real tools.
          dontNpmPrune = false;
          meta = {
            description = "Diagnose VFIO / GPU passthrough setups";
            license = pkgs.lib.licenses.mit;
            mainProgram = "vfio-doctor";
            platforms = pkgs.lib.platforms.linux;
          };
        };
      });

      apps = forAllSystems (pkgs: {
        default = {
          type = "app";
          program = "${self.packages.${pkgs.system}.default}/bin/vfio-doctor";
        };
      });

      # services.vfio-doctor.enable = true: a check after each switch and at boot (nix/module.nix).
      nixosModules.default = { lib, pkgs, ... }: {
        imports = [ ./nix/module.nix ];
        services.vfio-doctor.package = lib.mkDefault self.packages.${pkgs.stdenv.hostPlatform.system}.default;
      };

      checks = forAllSystems (pkgs: {
        tests = self.packages.${pkgs.system}.default.overrideAttrs (old: {
          pname = "vfio-doctor-tests";
          nativeCheckInputs = [ pkgs.libvirt pkgs.pciutils pkgs.libxml2 pkgs.nix ];
          doCheck = true;
          # The corpus-based parser tests read ../shared/corpus, which is not in the flake; these
          # suites need only the repository and the real tools above.
          checkPhase = ''
            runHook preCheck
            npx vitest run test/fixtures.test.ts test/cli.test.ts test/sources test/checks
            runHook postCheck
          '';
        });
      });
    };
}
