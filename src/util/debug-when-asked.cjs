// oclif's core makes a `debug` logger for each part of it as it loads; none prints unless DEBUG names
// it, and loading the debug package (its colour support and environment reading) cost every command
// about as much as parsing its flags. scripts/bundle.mjs puts this in the place of `debug`: with DEBUG
// set, it is the package itself, required from node_modules (so the bundle does not carry it), and
// `DEBUG=oclif:* vfio-doctor ...` shows what oclif does.
const silent = () => {
  const log = () => {}
  log.enabled = false
  return log
}

module.exports = process.env.DEBUG ? require('node:module').createRequire(__filename)('debug') : silent
