import { useMemo } from 'react'
import { cn } from '@/lib/cn'

const TOKEN_RE = /("(?:\\u[a-fA-F0-9]{4}|\\[^u]|[^\\"])*"(\s*:)?|\b(?:true|false|null)\b|-?\d+(?:\.\d*)?(?:[eE][+-]?\d+)?)/g

function tokenClass(tok: string): string {
  if (tok.startsWith('"')) return tok.trimEnd().endsWith(':') ? 'text-sky-700' : 'text-emerald-700'
  if (tok === 'true' || tok === 'false') return 'text-violet-700'
  if (tok === 'null') return 'text-zinc-400'
  return 'text-amber-700'
}

/** Pretty-printed, syntax-coloured JSON (strings are rendered as text, never as HTML). */
export function JsonView({ value, className, maxHeight = 'max-h-96' }: { value: unknown; className?: string; maxHeight?: string }) {
  const parts = useMemo(() => {
    const text = typeof value === 'string' ? value : (JSON.stringify(value, null, 2) ?? 'undefined')
    if (typeof value === 'string') return [{ text, cls: 'text-zinc-800' }]
    const out: { text: string; cls: string }[] = []
    let last = 0
    for (const m of text.matchAll(TOKEN_RE)) {
      const i = m.index ?? 0
      if (i > last) out.push({ text: text.slice(last, i), cls: 'text-zinc-500' })
      out.push({ text: m[0], cls: tokenClass(m[0]) })
      last = i + m[0].length
    }
    out.push({ text: text.slice(last), cls: 'text-zinc-500' })
    return out
  }, [value])
  return (
    <pre className={cn('overflow-auto rounded-md border border-zinc-200 bg-zinc-50 p-3 font-mono text-xs leading-relaxed whitespace-pre-wrap break-words', maxHeight, className)}>
      {parts.map((p, i) => (
        <span key={i} className={p.cls}>
          {p.text}
        </span>
      ))}
    </pre>
  )
}
