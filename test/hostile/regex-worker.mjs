// Applies one regular expression to a series of inputs for the parent, reporting after each one. The
// parent terminates this thread when a match outruns its budget: a match cannot be interrupted from
// its own thread.
import {parentPort} from 'node:worker_threads'

const built = new Map()
/** `start`, `unit` repeated to `bytes`, then `end`: built here, so that megabytes are not copied per message. */
function input({start = '', unit, bytes, end}) {
  const key = `${bytes}\0${end}\0${unit}\0${start}`
  let text = built.get(key)
  if (text === undefined) {
    text = start + unit.repeat(Math.ceil(bytes / unit.length)).slice(0, bytes) + end
    if (built.size > 200) built.clear()
    built.set(key, text)
  }
  return text
}

parentPort.on('message', ({source, flags, inputs}) => {
  const re = new RegExp(source, flags)
  for (const spec of inputs) {
    const text = input(spec)
    const started = performance.now()
    if (re.global) text.replace(re, '') // every match, as the code's replace and matchAll loops do
    else {
      re.lastIndex = 0
      re.exec(text)
    }
    parentPort.postMessage(performance.now() - started)
  }
})
