/**
 * The one Nix evaluation vfio-doctor runs: the option values the checks read, as Nix's own module
 * system gives them for /etc/nixos/configuration.nix. `--readonly-mode` keeps the Nix store
 * untouched (paths are hashed, never added), `--eval` builds nothing, and every option is read
 * through `tryEval` so one that this NixOS lacks or has removed is null (the text reader then
 * says) instead of failing the rest. The configuration itself must evaluate: `config ? boot`
 * forces it first, so a missing `<nixpkgs>` or a broken file is an error with Nix's own message.
 */
export const NIX_OPTIONS_EXPRESSION = `{ configuration }:
let
  config = (import <nixpkgs/nixos> { configuration = /. + configuration; }).config;
  read = value: let r = builtins.tryEval (builtins.deepSeq value value); in if r.success then r.value else null;
in builtins.seq (config ? boot) {
  kernelParams = read (config.boot.kernelParams or null);
  kernelModules = read (config.boot.kernelModules or null);
  initrdKernelModules = read (config.boot.initrd.kernelModules or null);
  initrdAvailableKernelModules = read (config.boot.initrd.availableKernelModules or null);
  blacklistedKernelModules = read (config.boot.blacklistedKernelModules or null);
  extraModprobeConfig = read (config.boot.extraModprobeConfig or null);
  kernelVersion = read (config.boot.kernelPackages.kernel.version or null);
  libvirtdEnable = read (config.virtualisation.libvirtd.enable or null);
  runAsRoot = read (config.virtualisation.libvirtd.qemu.runAsRoot or null);
  verbatimConfig = read (config.virtualisation.libvirtd.qemu.verbatimConfig or null);
  swtpm = read (config.virtualisation.libvirtd.qemu.swtpm.enable or null);
  ovmf = read (config.virtualisation.libvirtd.qemu.ovmf.enable or null);
}`

const FIXED_ARGS = ['--eval', '--strict', '--json', '--readonly-mode', '--argstr', 'configuration']

/** nix-instantiate's arguments for one configuration file (an absolute path). */
export function nixEvalArgs(configuration: string): string[] {
  return [...FIXED_ARGS, configuration, '--expr', NIX_OPTIONS_EXPRESSION]
}

/** Exactly nixEvalArgs(path) for an absolute path to a .nix file: the only evaluation allowed. */
export function isNixEvalArgs(args: string[]): boolean {
  const path = args[FIXED_ARGS.length]
  return (
    args.length === FIXED_ARGS.length + 3 &&
    FIXED_ARGS.every((a, i) => args[i] === a) &&
    path !== undefined &&
    /^\/[^\0\n]*\.nix$/.test(path) &&
    args[FIXED_ARGS.length + 1] === '--expr' &&
    args[FIXED_ARGS.length + 2] === NIX_OPTIONS_EXPRESSION
  )
}

/** A NixOS evaluation takes seconds (the module system is large): it may take at least this long whatever --timeout says. */
export const NIX_EVAL_MIN_TIMEOUT_MS = 30_000
