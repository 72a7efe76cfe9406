// Types for gen-host.mjs, so the TypeScript tests can import it.
export function generateHost(dir: string, options?: {groups?: number; logMB?: number; domains?: number}): Promise<string>
