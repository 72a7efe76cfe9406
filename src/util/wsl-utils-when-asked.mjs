// oclif's core asks wsl-utils one thing as it starts: whether this is WSL, for the platform it names.
// The package's other exports reach PowerShell (oclif asks for it only on Windows) and so load
// child_process, with net, dgram and streams: every start paid for compiling those. scripts/bundle.mjs
// puts this in its place: isWsl is is-wsl's own answer, and the rest loads the package on first call.
export {default as isWsl} from 'is-wsl'

export const powerShellPath = async () => (await import('wsl-utils')).powerShellPath()
