/**
 * Knowledge pages wrap their prose at a fixed width. Forums (GitHub comments, Discourse, FluxBB) and
 * a terminal of another width turn those line ends into breaks, so paragraphs are joined back into
 * one line each; code blocks, lists, headings, tables and quotes keep their lines.
 */
export function unwrapParagraphs(markdown: string): string {
  const out: string[] = []
  let fence: string | undefined
  let joinable = false
  for (const line of markdown.split('\n')) {
    const fenceMark = /^\s*(`{3,}|~{3,})/.exec(line)?.[1]
    if (fence) {
      out.push(line)
      if (fenceMark && fenceMark[0] === fence[0] && fenceMark.length >= fence.length) fence = undefined
      continue
    }
    if (fenceMark) {
      fence = fenceMark
      out.push(line)
      joinable = false
      continue
    }
    const structural = !line.trim() || /^\s*(?:[-*+]\s|\d+\.\s|#{1,6}\s|>|\|)/.test(line) || /^\s{4,}\S/.test(line)
    // A list item's wrapped continuation is indented text after the item: it joins the item.
    const continuation = joinable && /^\s+\S/.test(line) && !/^\s*(?:[-*+]\s|\d+\.\s)/.test(line)
    if ((joinable && !structural) || continuation) out[out.length - 1] = `${out.at(-1)!.trimEnd()} ${line.trim()}`
    else out.push(line)
    joinable = !!line.trim() && !/^\s*(?:#{1,6}\s|\|)/.test(line)
  }
  return out.join('\n')
}
