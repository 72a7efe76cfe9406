// The few statistics the bench needs; a library would be more code to load than these lines.

/** The middle value; the mean of the two middle values for an even count. */
export function median(values) {
  if (values.length === 0) throw new Error('median of no values')
  const sorted = [...values].sort((a, b) => a - b)
  const middle = Math.floor(sorted.length / 2)
  return sorted.length % 2 ? sorted[middle] : (sorted[middle - 1] + sorted[middle]) / 2
}

/** Each run of the command divided by the floor run next to it: a noisy moment slows both. */
export function pairwiseRatios(commandMs, floorMs) {
  if (commandMs.length !== floorMs.length) throw new Error(`${commandMs.length} command runs against ${floorMs.length} floor runs`)
  return commandMs.map((ms, i) => ms / floorMs[i])
}

/** A command's figures from its runs and the floor runs alternated with them. */
export function summarize(command, floor) {
  return {
    ms: median(command.map((run) => run.ms)),
    ratio: median(pairwiseRatios(command.map((run) => run.ms), floor.map((run) => run.ms))),
    rssMiB: Math.max(...command.map((run) => run.rssMiB)),
  }
}
