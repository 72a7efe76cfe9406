import {Help, type Interfaces} from '@oclif/core'
import stringWidth from 'string-width'
import {terminalWidth} from '../util/terminal-width.js'
import {wrapLines} from '../util/wrap.js'

/**
 * oclif's --help, laid out for the width every other output uses: oclif reads OCLIF_COLUMNS, not
 * COLUMNS, and prints a command's summary line as it is, however long.
 */
export default class TerminalHelp extends Help {
  private readonly width: number

  constructor(config: Interfaces.Config, options: Partial<Interfaces.HelpOptions> = {}) {
    const width = terminalWidth()
    super(config, {...options, maxWidth: width})
    this.width = width
  }

  protected override log(...args: string[]): void {
    super.log(...args.map((text) => text.split('\n').flatMap((line) => this.fitted(line)).join('\n')))
  }

  /** A line past the width wraps under its own indent; the others oclif has wrapped already. */
  private fitted(line: string): string[] {
    if (stringWidth(line) <= this.width) return [line]
    const indent = /^\s*/.exec(line)![0]
    return wrapLines(line.trim(), this.width, indent)
  }
}
