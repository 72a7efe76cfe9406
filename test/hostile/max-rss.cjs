// Preloaded into the CLI by the hostile tests: at exit, the peak resident memory the kernel counted
// for the process (getrusage's ru_maxrss, in KiB) goes to the file the test named.
const {writeFileSync} = require('node:fs')

process.on('exit', () => {
  writeFileSync(process.env.VFIO_DOCTOR_TEST_RSS_FILE, String(process.resourceUsage().maxRSS))
})
