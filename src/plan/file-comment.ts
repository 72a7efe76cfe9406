import {wrapLines} from '../util/wrap.js'

/** Generated files wrap their comments at the usual editor width, whatever the terminal's: the file outlives it. */
const FILE_WIDTH = 80

/** A `#` comment of a generated file (Nix, modprobe.d, tmpfiles.d), wrapped to FILE_WIDTH. */
export function fileComment(text: string, indent = ''): string[] {
  return wrapLines(text, FILE_WIDTH, `${indent}# `)
}
