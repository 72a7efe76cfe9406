/**
 * The unified diff `plan` shows for a rewritten file: jsdiff's, three lines of context, with only
 * the `---`/`+++` file headers (no "Index:" and "====" lines), the form `diff -u` writes and `patch`
 * applies.
 */
import {createTwoFilesPatch, FILE_HEADERS_ONLY} from 'diff'

export function unifiedDiff(oldText: string, newText: string, oldName: string, newName: string): string {
  if (oldText === newText) return ''
  return createTwoFilesPatch(oldName, newName, oldText, newText, undefined, undefined, {context: 3, headerOptions: FILE_HEADERS_ONLY})
}
