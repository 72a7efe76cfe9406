import type {Report} from './model.js'

/**
 * One host of a run: a run reads this host, one evidence folder, or several (`--input` given more
 * than once, or a folder of evidence folders). `name` is how the person named it (the path given);
 * `root` is where its files are, for the locations CI shows on a file's lines.
 */
export interface HostReport {
  name: string
  root: string
  report: Report
  /** The text of a source by its origin (as the report names it), in parts with the file line each starts at. */
  sourceText?: (origin: string) => Array<{text: string; firstLine: number}>
}

/** The name of this host in a live run: the machine's own name would need redacting, and says nothing more. */
export const LIVE_HOST_NAME = 'this host'
