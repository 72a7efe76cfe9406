/** The diff generator against the real `patch`: whatever the change, patch turns the old text into the new. */
import {hasPatch} from '../helpers/tools.js'
import {spawnSync} from 'node:child_process'
import {mkdtempSync, readFileSync, writeFileSync} from 'node:fs'
import {tmpdir} from 'node:os'
import {join} from 'node:path'
import fc from 'fast-check'
import {describe, expect, it} from 'vitest'
import {unifiedDiff} from '../../src/plan/unified-diff.js'
import {corpusDir, hasShared, readShared} from '../helpers/paths.js'

const work = mkdtempSync(join(tmpdir(), 'vfio-doctor-diff-'))
let n = 0

/** Runs patch on a copy of `before` and returns what it made of it. */
function patched(before: string, diff: string): {status: number | null; text: string; output: string} {
  const file = join(work, `file-${n++}.xml`)
  writeFileSync(file, before)
  const result = spawnSync('patch', ['--quiet', '--no-backup-if-mismatch', file], {input: diff, encoding: 'utf8'})
  return {status: result.status, text: readFileSync(file, 'utf8'), output: result.stdout + result.stderr}
}

const kvmWin10 = readShared(join(corpusDir, 'libvirt-domains-real', 'bryansteiner__gpu-passthrough-tutorial__kvm_win10.xml'))

describe('unifiedDiff', () => {
  it('is empty for equal texts', () => {
    expect(unifiedDiff(kvmWin10, kvmWin10, 'a/x', 'b/x')).toBe('')
  })

  it('writes diff -u hunks: headers, ranges, three lines of context', () => {
    const diff = unifiedDiff('a\nb\nc\nd\ne\nf\ng\n', 'a\nb\nc\nD\ne\nf\ng\n', 'a/f.txt', 'b/f.txt')
    expect(diff).toBe('--- a/f.txt\n+++ b/f.txt\n@@ -1,7 +1,7 @@\n a\n b\n c\n-d\n+D\n e\n f\n g\n')
  })

  it('gives an insertion into an empty range its "start-1,0" form (and a one-line range its count, where diff -u leaves it out)', () => {
    expect(unifiedDiff('', 'x\n', 'a/f', 'b/f')).toBe('--- a/f\n+++ b/f\n@@ -0,0 +1,1 @@\n+x\n')
  })

  it('marks a last line without a newline', () => {
    const diff = unifiedDiff('a\nb', 'a\nb\n', 'a/f', 'b/f')
    expect(diff).toContain('-b\n\\ No newline at end of file\n+b\n')
  })

  it.runIf(hasPatch && hasShared)('applies with patch to the edits a domain rewrite makes (real passthrough domain)', () => {
    const lines = kvmWin10.split('\n')
    const edited = [...lines.slice(0, 14), '  <vcpu placement="static">8</vcpu>', ...lines.slice(15, 200), '    <tpm model="tpm-crb">', '      <backend type="emulator" version="2.0"/>', '    </tpm>', ...lines.slice(200)].join('\n')
    const diff = unifiedDiff(kvmWin10, edited, 'a/win10.xml', 'b/win10.xml')
    const result = patched(kvmWin10, diff)
    expect(result.status, result.output).toBe(0)
    expect(result.text).toBe(edited)
  })

  it.runIf(hasPatch)('applies with patch for any line edits, final newlines included', () => {
    const line = fc.constantFrom('<a/>', '<b>', '</b>', '', '  <c x="1"/>', 'text', '<a/>')
    const doc = fc.tuple(fc.array(line, {maxLength: 30}), fc.boolean()).map(([ls, nl]) => ls.join('\n') + (nl && ls.length ? '\n' : ''))
    fc.assert(
      fc.property(doc, doc, (before, after) => {
        const diff = unifiedDiff(before, after, 'a/f', 'b/f')
        if (before === after) return diff === ''
        const result = patched(before, diff)
        return result.status === 0 && result.text === after
      }),
      {numRuns: 150},
    )
  })
})
