import {createInterface} from 'node:readline/promises'
import {thousands} from '../report/forum.js'
import {servicesFor, shareReport, type ShareOptions} from './upload.js'

export interface ShareRequest extends ShareOptions {
  /** The redacted Markdown report. */
  markdown: string
  /** What redaction replaced, to say so before asking. */
  redacted: string
  /** --yes: upload without asking. */
  yes: boolean
  /** Whether there is a person at a terminal to ask. */
  interactive: boolean
  input: NodeJS.ReadableStream
  /** Where the questions and the one-line outcome go (stderr: stdout holds the report). */
  output: NodeJS.WritableStream
}

/**
 * --share: shows what will leave the machine and asks; without a terminal only --yes uploads.
 * Returns the exit status it calls for: 2 when it was refused for want of --yes, else undefined.
 */
export async function shareFlow(request: ShareRequest): Promise<2 | undefined> {
  const {output} = request
  const service = servicesFor(request.url)[0]!.name
  if (!request.yes) {
    if (!request.interactive) {
      output.write(`vfio-doctor: not shared: --share needs --yes when there is no terminal to ask on\n`)
      return 2
    }
    output.write(`\n----- this is what would be uploaded to ${service} (${thousands(request.markdown.length)} characters) -----\n`)
    output.write(request.markdown)
    output.write(`----- end -----\nRedacted: ${request.redacted}. Anyone with the link can read it.\n`)
    if (!(await ask(`Upload it to ${service}? [y/N] `, request))) {
      output.write('Not shared.\n')
      return undefined
    }
  }
  const result = await shareReport(request.markdown, request)
  if (!result.ok) output.write(`vfio-doctor: ${result.message}\n`)
  else if (result.truncated) output.write(`Shared, but ${result.service} kept only the start of the report (it was too large): ${result.url}\n`)
  else output.write(`Shared: ${result.url}\n`)
  return undefined
}

async function ask(question: string, request: ShareRequest): Promise<boolean> {
  const rl = createInterface({input: request.input, output: request.output, terminal: true})
  try {
    return /^y(es)?$/i.test((await rl.question(question)).trim())
  } finally {
    rl.close()
  }
}
