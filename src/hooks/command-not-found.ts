import type {Hook} from '@oclif/core'
import {didYouMean} from '../cli/did-you-mean.js'

/**
 * `vfio-doctor chek` or `vfio-doctor check extra`: one line in the tool's own style, exit 2, with a
 * did-you-mean, instead of oclif's "command chek not found".
 */
const commandNotFound: Hook.CommandNotFound = async function ({config, id}) {
  const commands = config.commands.filter((c) => !c.hidden).map((c) => c.id)
  const [first = id, ...rest] = id.split(':')
  const line = commands.includes(first)
    ? `${first} takes no argument ${JSON.stringify(rest.join(' '))} (vfio-doctor ${first} --help shows its flags)`
    : `no command ${JSON.stringify(first)}${didYouMean(first, commands)}; vfio-doctor --help lists them`
  process.stderr.write(`vfio-doctor: ${line}\n`)
  process.exitCode = 2
}

export default commandNotFound
