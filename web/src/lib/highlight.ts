/**
 * Split a search snippet into plain and highlighted segments, without ever rendering
 * HTML from the server. When the server marked the snippet (`<b>…</b>` / `<mark>…</mark>`),
 * its marks are used as they are: it knows which words matched. Otherwise the query's own
 * terms are marked (case-insensitive); one-letter Latin terms ("a") are left out, or every
 * word containing that letter would light up.
 */

export interface Segment {
  text: string
  match: boolean
}

const MARK_RE = /<(b|mark|em|strong)>([\s\S]*?)<\/\1>/gi
const TAG_RE = /<\/?[a-z][^>]*>/gi

export function queryTerms(query: string): string[] {
  const terms = query
    .toLowerCase()
    .split(/[\s,;，。、]+/u)
    .map((t) => t.replace(/^["'(]+|["')]+$/g, ''))
    .filter((t) => (t.length > 1 || /[^\x00-\x7f]/u.test(t)) && !['and', 'or', 'not'].includes(t))
  return [...new Set(terms)].sort((a, b) => b.length - a.length)
}

function escapeRe(s: string): string {
  return s.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')
}

function splitByTerms(text: string, terms: string[]): Segment[] {
  if (!terms.length || !text) return text ? [{ text, match: false }] : []
  const re = new RegExp(`(${terms.map(escapeRe).join('|')})`, 'giu')
  const out: Segment[] = []
  let last = 0
  for (const m of text.matchAll(re)) {
    const i = m.index ?? 0
    if (i > last) out.push({ text: text.slice(last, i), match: false })
    out.push({ text: m[0], match: true })
    last = i + m[0].length
  }
  if (last < text.length) out.push({ text: text.slice(last), match: false })
  return out
}

function decodeEntities(s: string): string {
  return s
    .replace(/&lt;/g, '<')
    .replace(/&gt;/g, '>')
    .replace(/&quot;/g, '"')
    .replace(/&#39;/g, "'")
    .replace(/&amp;/g, '&')
}

export function highlightSegments(snippet: string, query: string): Segment[] {
  const terms = MARK_RE.test(snippet) ? [] : queryTerms(query)
  MARK_RE.lastIndex = 0 // a global RegExp's test() moves it
  const out: Segment[] = []
  let last = 0
  const push = (text: string, match: boolean) => {
    const clean = decodeEntities(text.replace(TAG_RE, ''))
    if (!clean) return
    if (match) out.push({ text: clean, match: true })
    else out.push(...splitByTerms(clean, terms))
  }
  for (const m of snippet.matchAll(MARK_RE)) {
    const i = m.index ?? 0
    push(snippet.slice(last, i), false)
    push(m[2] ?? '', true)
    last = i + m[0].length
  }
  push(snippet.slice(last), false)
  // Merge neighbours of the same kind.
  return out.reduce<Segment[]>((acc, s) => {
    const prev = acc[acc.length - 1]
    if (prev && prev.match === s.match) prev.text += s.text
    else acc.push({ ...s })
    return acc
  }, [])
}
