// Types for fixture-cover.mjs, so the TypeScript tests can import it.
export function coveringHosts(filesByHost: Record<string, string[]>): string[]
export function fixtureHosts(fixturesDir: string, all: boolean): string[]
