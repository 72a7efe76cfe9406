/** Bad usage or unreadable input: the command prints its one-line message and exits 2. */
export class UsageError extends Error {
  override readonly name = 'UsageError'
}
