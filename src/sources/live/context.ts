import {join} from 'node:path'
import type {CommandRunner} from '../commands.js'

/** What every live collector gets: the root to read under (a fake one in tests) and the command runner. */
export interface LiveContext {
  root: string
  run: CommandRunner
  libvirtUri: string
  /** The person who runs VMs: SUDO_USER when run with sudo, else the current user. */
  user: string
  /** A generation to read as the current one instead of /run/current-system's target. */
  currentSystem?: string
}

/** A host path under the context's root ("/proc/cmdline" -> "<root>/proc/cmdline"). */
export function hostPath(ctx: LiveContext, path: string): string {
  return ctx.root === '/' ? path : join(ctx.root, path)
}
