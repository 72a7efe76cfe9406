# A stand-in for the few nixpkgs functions flake.nix and nix/module.nix call, so that both evaluate
# with nix-instantiate on a machine without nixpkgs. It is NOT nixpkgs and proves nothing about it:
# mkOption records its arguments, types are their names, mkIf and mkDefault are markers,
# buildNpmPackage and importNpmLock return what they were given, and the "module system" is one
# step (each option's value is the test's setting, else a module's definition, else its default;
# then each module's `config`, seeing those values, with its mkIf decided). What it shows is what the files themselves
# say: the options they declare, the unit and activation script they define, the arguments they pass.
{ bin ? "/stub" }:
let
  lib = rec {
    genAttrs = names: f: builtins.listToAttrs (map (name: { inherit name; value = f name; }) names);
    mkOption = attrs: { _type = "option"; } // attrs;
    mkEnableOption = name: mkOption { type = types.bool; default = false; description = "Whether to enable ${name}."; };
    mkIf = condition: content: { _type = "if"; inherit condition content; };
    mkDefault = content: { _type = "override"; priority = 1000; inherit content; };
    optionals = condition: list: if condition then list else [ ];
    escapeShellArg = arg: "'" + builtins.replaceStrings [ "'" ] [ "'\\''" ] (toString arg) + "'";
    escapeShellArgs = args: builtins.concatStringsSep " " (map escapeShellArg args);
    types = {
      bool = "bool";
      str = "str";
      package = "package";
      nullOr = type: "null or ${type}";
      strMatching = pattern: "string matching ${pattern}";
      enum = values: "one of ${builtins.concatStringsSep ", " values}";
    };
    licenses.mit = "mit";
    platforms.linux = [ "x86_64-linux" "aarch64-linux" ];
  };

  pkgsFor = system: {
    inherit lib system;
    stdenv.hostPlatform.system = system;
    nodejs_20 = "${bin}/nodejs_20";
    coreutils = bin;
    gnugrep = bin;
    util-linux = bin;
    libvirt = "${bin}/libvirt";
    pciutils = "${bin}/pciutils";
    libxml2 = "${bin}/libxml2";
    nix = "${bin}/nix";
    importNpmLock = {
      __functor = _: args: { importNpmLockOf = toString args.npmRoot; };
      npmConfigHook = "importNpmLock.npmConfigHook";
    };
    buildNpmPackage = args: args // {
      outPath = bin;
      overrideAttrs = f: args // f args;
    };
  };

  evalModule = { module, settings, system ? "x86_64-linux" }:
    let
      # Modules see the options' values only (all nix/module.nix reads), which keeps this one step free of recursion.
      args = { config = options; inherit lib; pkgs = pkgsFor system; };
      apply = m:
        let result = if builtins.isFunction m then m args else m;
        in [ result ] ++ builtins.concatMap (i: apply (if builtins.typeOf i == "path" then import i else i)) (result.imports or [ ]);
      results = apply module;
      unwrap = v: if builtins.isAttrs v && (v._type or "") == "override" then v.content else v;
      declared = builtins.foldl' (acc: r: acc // (r.options.services.vfio-doctor or { })) { } results;
      defined = builtins.foldl' (acc: r: acc // (r.services.vfio-doctor or { })) { } results;
      value = name: option: if settings ? ${name} then settings.${name} else if defined ? ${name} then unwrap defined.${name} else option.default;
      body = r: let c = r.config or { }; in if (c._type or "") == "if" then (if c.condition then c.content else { }) else c;
      options = { services.vfio-doctor = builtins.mapAttrs value declared; };
    in { options = declared; config = options // builtins.foldl' (acc: r: acc // body r) { } results; };

  nixpkgs = { inherit lib; legacyPackages = lib.genAttrs [ "x86_64-linux" "aarch64-linux" ] pkgsFor; };
  flake = import ../../flake.nix;
  self = flake.outputs { inherit self nixpkgs; };
in
{ inherit self evalModule; }
