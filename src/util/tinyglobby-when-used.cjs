// oclif's core requires tinyglobby (with fdir and picomatch) as it loads, to find a plugin's commands
// by their file names; with a manifest, as every run of the built tool has, it never globs. So
// scripts/bundle.mjs puts this in its place: the package is loaded on the first glob.
let tinyglobby

module.exports = {
  glob: (...args) => {
    tinyglobby ??= require('tinyglobby')
    return tinyglobby.glob(...args)
  },
}
