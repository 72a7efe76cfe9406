/** What a line may hold when nothing says: the width of a classic terminal. */
export const DEFAULT_WIDTH = 80
/** Narrower than this, indented reports and tables have no room left for words. */
const MIN_WIDTH = 40

/**
 * The columns every command's text is laid out for: COLUMNS when set (a pipe or a terminal alike,
 * so `COLUMNS=120 vfio-doctor check | less` works), else the terminal's own width, else 80.
 */
export function terminalWidth(stream: {isTTY?: boolean; columns?: number} = process.stdout, env: NodeJS.ProcessEnv = process.env): number {
  const fromEnv = Number.parseInt(env.COLUMNS ?? '', 10)
  const width = fromEnv > 0 ? fromEnv : stream.isTTY && stream.columns ? stream.columns : DEFAULT_WIDTH
  return Math.max(width, MIN_WIDTH)
}
