/**
 * The little Markdown that blackboard entries hold (a team run's entry: `# Task`,
 * `# Decision`, a bullet list of `**member** (status): …`), parsed into blocks and
 * inline segments that the UI renders as React elements: never as HTML, so nothing in
 * an entry can inject markup. Anything else stays plain text.
 */

export type Inline = { text: string; bold?: boolean; code?: boolean }
export type Block =
  | { kind: 'heading'; level: number; inline: Inline[] }
  | { kind: 'list'; items: Inline[][] }
  | { kind: 'paragraph'; inline: Inline[] }

const HEADING = /^(#{1,6})\s+(.*)$/
const BULLET = /^\s*[-*]\s+(.*)$/
const INLINE = /(\*\*([^*]+)\*\*|`([^`]+)`)/g

export function inline(text: string): Inline[] {
  const out: Inline[] = []
  let last = 0
  for (const m of text.matchAll(INLINE)) {
    const i = m.index ?? 0
    if (i > last) out.push({ text: text.slice(last, i) })
    out.push(m[2] !== undefined ? { text: m[2], bold: true } : { text: m[3]!, code: true })
    last = i + m[0].length
  }
  if (last < text.length || out.length === 0) out.push({ text: text.slice(last) })
  return out
}

export function markdownBlocks(text: string): Block[] {
  const blocks: Block[] = []
  let para: string[] = []
  const flush = () => {
    if (para.length) blocks.push({ kind: 'paragraph', inline: inline(para.join('\n')) })
    para = []
  }
  for (const line of text.replace(/\r\n?/g, '\n').split('\n')) {
    const heading = HEADING.exec(line)
    const bullet = BULLET.exec(line)
    if (heading) {
      flush()
      blocks.push({ kind: 'heading', level: heading[1]!.length, inline: inline(heading[2]!) })
    } else if (bullet) {
      flush()
      const prev = blocks[blocks.length - 1]
      if (prev?.kind === 'list') prev.items.push(inline(bullet[1]!))
      else blocks.push({ kind: 'list', items: [inline(bullet[1]!)] })
    } else if (!line.trim()) {
      flush()
    } else {
      para.push(line)
    }
  }
  flush()
  return blocks
}

/** One line of plain text for previews: marks dropped, whitespace collapsed. */
export function plainText(text: string): string {
  return text
    .replace(/^#{1,6}\s+/gm, '')
    .replace(/^\s*[-*]\s+/gm, '· ')
    .replace(/\*\*([^*]+)\*\*/g, '$1')
    .replace(/`([^`]+)`/g, '$1')
    .replace(/\s+/g, ' ')
    .trim()
}
