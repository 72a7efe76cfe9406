/**
 * flake.nix and the NixOS module (nix/module.nix) evaluated with the real nix-instantiate
 * (`--eval --strict`) against test/nixos/nixpkgs-stub.nix: a stand-in for the handful of nixpkgs
 * functions they call (there is no nixpkgs here). The stub is not nixpkgs and proves nothing about
 * it; what is asserted is what the files say: the package's npm dependencies come from
 * importNpmLock, the service's ExecStart, its ordering, the activation check and the options.
 * The activation script is then run by bash with stand-in tools, as a switch would run it.
 */
import {execFileSync, spawnSync} from 'node:child_process'
import {chmodSync, mkdirSync, mkdtempSync, readFileSync, symlinkSync, writeFileSync} from 'node:fs'
import {tmpdir} from 'node:os'
import {join} from 'node:path'
import {describe, expect, it} from 'vitest'
import {hasNix} from '../helpers/tools.js'

const STUB = new URL('nixpkgs-stub.nix', import.meta.url).pathname
const REPO = new URL('../..', import.meta.url).pathname.replace(/\/$/, '')

function evaluate(expression: string, bin = '/stub'): any {
  const source = `let stub = import ${STUB} { bin = ${JSON.stringify(bin)}; }; in ${expression}`
  const out = execFileSync('nix-instantiate', ['--eval', '--strict', '--json', '-E', source], {encoding: 'utf8', env: {...process.env, NIX_CONFIG: 'build-users-group ='}, stdio: ['ignore', 'pipe', 'pipe']})
  return JSON.parse(out)
}

const moduleWith = (settings: string, bin?: string) => evaluate(`(stub.evalModule { module = stub.self.nixosModules.default; settings = ${settings}; }).config`, bin)

describe.runIf(hasNix)('flake.nix and nixosModules.default under nix-instantiate', () => {
  it('builds with importNpmLock: package-lock.json gives the dependencies, no hash to keep', () => {
    const pkg = evaluate('builtins.removeAttrs stub.self.packages.x86_64-linux.default [ "outPath" "overrideAttrs" "src" "meta" ]')
    expect(pkg.npmDeps).toEqual({importNpmLockOf: REPO})
    expect(pkg.npmConfigHook).toBe('importNpmLock.npmConfigHook')
    expect(pkg).not.toHaveProperty('npmDepsHash')
    expect(evaluate('stub.self.apps.x86_64-linux.default.program')).toBe('/stub/bin/vfio-doctor')
  })

  it('declares enable, package, gpu, lookingGlass and failOn', () => {
    const options = evaluate('builtins.mapAttrs (name: option: { inherit (option) type; default = option.default or "(none)"; }) (stub.evalModule { module = stub.self.nixosModules.default; settings = { }; }).options')
    expect(options).toEqual({
      enable: {type: 'bool', default: false},
      package: {type: 'package', default: '(none)'},
      gpu: {type: 'null or str', default: null},
      lookingGlass: {type: 'null or string matching [0-9]+x[0-9]+', default: null},
      failOn: {type: 'one of error, warning, info, never', default: 'error'},
    })
  })

  it('enabled: a oneshot at boot after the modules and libvirtd, and a check in each switch\'s activation after /etc', () => {
    const config = moduleWith('{ enable = true; gpu = "0000:23:00.0"; lookingGlass = "2560x1440"; failOn = "warning"; }')
    const command = "'/stub/bin/vfio-doctor' 'check' '--fail-on' 'warning' '--gpu' '0000:23:00.0' '--looking-glass' '2560x1440'"
    const unit = config.systemd.services['vfio-doctor']
    expect(unit.serviceConfig).toEqual({Type: 'oneshot', RemainAfterExit: true, ExecStart: command, SuccessExitStatus: '0 1', SyslogIdentifier: 'vfio-doctor'})
    expect(unit.wantedBy).toEqual(['multi-user.target'])
    expect(unit.after).toEqual(expect.arrayContaining(['systemd-modules-load.service', 'libvirtd.service']))
    expect(unit.restartIfChanged).toBe(false)
    const activation = config.system.activationScripts['vfio-doctor']
    expect(activation.deps).toEqual(['etc', 'users'])
    expect(activation.text).toContain(`VFIO_DOCTOR_CURRENT_SYSTEM="$systemConfig" /stub/bin/timeout 60 ${command}`)
    expect(config.environment.systemPackages).toEqual(['/stub'])
    // The flake's build is the default package (mkDefault), and a setting replaces it.
    expect(moduleWith('{ enable = true; package = "/other"; }').systemd.services['vfio-doctor'].serviceConfig.ExecStart).toBe("'/other/bin/vfio-doctor' 'check' '--fail-on' 'error'")
  })

  it('not enabled: nothing is added to the system', () => {
    expect(Object.keys(moduleWith('{ }'))).toEqual(['services'])
  })

  it("the activation script prints one verdict line, logs the report, passes the new generation and never fails the switch", () => {
    const dir = mkdtempSync(join(tmpdir(), 'vfio-doctor-module-'))
    const bin = join(dir, 'bin')
    mkdirSync(bin)
    for (const tool of ['timeout', 'grep', 'tail']) symlinkSync(execFileSync('sh', ['-c', `command -v ${tool}`], {encoding: 'utf8'}).trim(), join(bin, tool))
    const script = (name: string, body: string) => {
      writeFileSync(join(bin, name), `#!/bin/sh\n${body}\n`)
      chmodSync(join(bin, name), 0o755)
    }
    // logger --journald sends one entry of FIELD=value lines; the stand-in keeps each entry.
    script('logger', `[ "$1" = --journald ] || exit 64\n{ cat; echo; } >> '${dir}/journal'`)
    const current = join(dir, 'run-current-system')
    writeFileSync(current, '')
    const activate = (vfioDoctor: string) => {
      script('vfio-doctor', vfioDoctor)
      const text = moduleWith('{ enable = true; }', dir).system.activationScripts['vfio-doctor'].text.replace('/run/current-system', current)
      return spawnSync('bash', ['-e', '-c', `systemConfig=/nix/store/new-system\n${text}`], {encoding: 'utf8'})
    }

    const found = activate(`echo "generation: $VFIO_DOCTOR_CURRENT_SYSTEM args: $*"\necho '[✗] IOMMU'\necho '1 error, 0 warnings in 1 area; 3 checks skipped (-v shows why).'\nexit 1`)
    expect(found.status, found.stderr).toBe(0)
    expect(found.stdout).toBe('vfio-doctor: 1 error, 0 warnings: see journalctl -u vfio-doctor\n')
    const entry = (message: string) => `MESSAGE=${message}\nSYSLOG_IDENTIFIER=vfio-doctor\nOBJECT_SYSTEMD_UNIT=vfio-doctor.service\n\n`
    expect(readFileSync(join(dir, 'journal'), 'utf8')).toBe(
      entry('generation: /nix/store/new-system args: check --fail-on error') + entry('[✗] IOMMU') + entry('1 error, 0 warnings in 1 area; 3 checks skipped (-v shows why).'),
    )

    const broken = activate("echo 'vfio-doctor: /etc/nixos: permission denied' >&2\nexit 2")
    expect(broken.status).toBe(0)
    expect(broken.stdout).toBe('vfio-doctor: no report (exit status 2): see journalctl -u vfio-doctor\n')
  })
})
