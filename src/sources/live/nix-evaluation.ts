import type {Source} from '../types.js'
import {nixEvalArgs} from '../nix-eval.js'
import {hostPath, type LiveContext} from './context.js'
import {listDir} from './files.js'

const CONFIGURATION = '/etc/nixos/configuration.nix'

/**
 * /etc/nixos/configuration.nix as Nix evaluates it (src/sources/nix-eval.ts), on a host that has
 * one. A flake is not evaluated: Nix copies a flake into its store before evaluating it, and
 * vfio-doctor never writes to the host; its files are read as text. No source at all on a host
 * without a NixOS configuration.
 */
export async function nixEvaluation(ctx: LiveContext): Promise<Source[]> {
  const files = (await listDir(ctx, '/etc/nixos')) ?? []
  const origin = `nix-instantiate --eval ${CONFIGURATION}`
  if (files.includes('flake.nix'))
    return [{kind: 'nixEval', origin, status: 'missing', reason: 'the configuration is a flake: Nix evaluates a flake only after copying it into the Nix store, which vfio-doctor never does; its files were read as text'}]
  if (!files.includes('configuration.nix')) return []
  const r = await ctx.run('nix-instantiate', nixEvalArgs(hostPath(ctx, CONFIGURATION)))
  if (r.status === 'ok') return [{kind: 'nixEval', origin, status: 'ok', text: r.stdout}]
  return [{kind: 'nixEval', origin, status: r.status, reason: `${r.reason}; the configuration's files were read as text`}]
}
