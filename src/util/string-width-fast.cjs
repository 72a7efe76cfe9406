// string-width, answering at once for printable ASCII (as many columns as characters), which is most
// of what is measured: the library strips escapes and replaces emoji with a large pattern on every
// call, and a report's wrapping spent half its time there. scripts/bundle.mjs puts this in the place
// of the project's string-width for every package that imports it (ours, wrap-ansi, cli-table3), so
// all of them measure alike. CommonJS, as the packages that require it expect a function.
const stringWidth = require('string-width')

const PRINTABLE_ASCII = /^[\x20-\x7e]*$/

module.exports = (text) => (typeof text === 'string' && PRINTABLE_ASCII.test(text) ? text.length : stringWidth(text))
