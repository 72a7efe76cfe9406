/**
 * Every temporary file of a run goes into one folder, removed when the run ends: tests that made
 * their own under /tmp and did not remove them had left ~85 MB there on every run. The workers (and
 * the programs they start) inherit TMPDIR, which os.tmpdir() reads.
 */
import {chmodSync, mkdtempSync, rmSync} from 'node:fs'
import {tmpdir} from 'node:os'
import {join} from 'node:path'

export default function setup(): (() => void) | undefined {
  // Each vitest project runs the global setup before any test, and every teardown after the last.
  if (process.env.VFIO_DOCTOR_TEST_TMP) return undefined
  const dir = mkdtempSync(join(tmpdir(), 'vfio-doctor-tests-'))
  // Like /tmp: tests run programs as another user (nobody), which must reach their own folders.
  chmodSync(dir, 0o1777)
  process.env.VFIO_DOCTOR_TEST_TMP = dir
  process.env.TMPDIR = dir
  return () => rmSync(dir, {recursive: true, force: true})
}
