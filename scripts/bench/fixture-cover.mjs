// The fixture hosts the bench runs by default: every one in every format would take most of the
// time budget, and start-up cost depends on which kinds of evidence a host has (each kind loads
// its parser and checks), not on which host it is.
import {readdirSync} from 'node:fs'
import {join} from 'node:path'

/** Greedily, the fewest hosts that together hold every kind of evidence file (by file name). */
export function coveringHosts(filesByHost) {
  const uncovered = new Set(Object.values(filesByHost).flat())
  const chosen = []
  while (uncovered.size > 0) {
    const gain = (host) => filesByHost[host].filter((file) => uncovered.has(file)).length
    const best = Object.keys(filesByHost)
      .sort()
      .reduce((a, b) => (gain(b) > gain(a) ? b : a))
    chosen.push(best)
    for (const file of filesByHost[best]) uncovered.delete(file)
  }
  return chosen.sort()
}

/** Fixture host folders: every one when `all`, else a covering subset. */
export function fixtureHosts(fixturesDir, all) {
  const hosts = readdirSync(fixturesDir, {withFileTypes: true}).filter((entry) => entry.isDirectory())
  const filesByHost = Object.fromEntries(hosts.map((host) => [host.name, readdirSync(join(fixturesDir, host.name))]))
  const names = all ? Object.keys(filesByHost).sort() : coveringHosts(filesByHost)
  return names.map((name) => join(fixturesDir, name))
}
