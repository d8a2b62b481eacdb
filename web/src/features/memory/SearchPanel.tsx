import { useState, type FormEvent } from 'react'
import { Search } from 'lucide-react'
import { asApiError, type ApiError } from '@/api/client'
import { searchMemory } from '@/api/memory'
import { MEMORY_TIERS, type MemorySearchResult, type MemoryTier } from '@/api/types'
import { Badge } from '@/components/ui/Badge'
import { Button } from '@/components/ui/Button'
import { Card } from '@/components/ui/Card'
import { Input, Select } from '@/components/ui/Input'
import { EmptyState, ErrorAlert } from '@/components/ui/States'
import { cn } from '@/lib/cn'
import { highlightSegments } from '@/lib/highlight'

const TIER_TONE = { core: 'brand', episodic: 'blue', archival: 'violet' } as const

function Snippet({ text, query }: { text: string; query: string }) {
  return (
    <p className="text-sm leading-relaxed text-zinc-600">
      {highlightSegments(text, query).map((s, i) =>
        s.match ? (
          <mark key={i} className="rounded-sm bg-amber-100 px-0.5 text-zinc-900">
            {s.text}
          </mark>
        ) : (
          <span key={i}>{s.text}</span>
        ),
      )}
    </p>
  )
}

function ScoreBar({ label, value, max, className }: { label: string; value: number | null; max: number; className: string }) {
  const pct = value === null || max <= 0 ? 0 : Math.max(2, (value / max) * 100)
  return (
    <div className="flex items-center gap-2 text-[11px] text-zinc-500">
      <span className="w-10 shrink-0">{label}</span>
      <div className="h-1.5 w-20 overflow-hidden rounded-full bg-zinc-100">
        <div className={cn('h-full rounded-full', className)} style={{ width: `${pct}%` }} />
      </div>
      <span className="w-12 text-right font-mono tabular-nums">{value === null ? '—' : value.toFixed(3)}</span>
    </div>
  )
}

export function SearchPanel({ onOpen }: { onOpen: (id: string) => void }) {
  const [query, setQuery] = useState('')
  const [tiers, setTiers] = useState<MemoryTier[]>([])
  const [topK, setTopK] = useState(10)
  const [results, setResults] = useState<MemorySearchResult[] | null>(null)
  const [searched, setSearched] = useState('')
  const [busy, setBusy] = useState(false)
  const [error, setError] = useState<ApiError | null>(null)

  const submit = async (e: FormEvent) => {
    e.preventDefault()
    const q = query.trim()
    if (!q) return
    setBusy(true)
    setError(null)
    try {
      const res = await searchMemory({ query: q, tiers: tiers.length ? tiers : undefined, top_k: topK })
      setResults(res.results)
      setSearched(q)
    } catch (err) {
      setError(asApiError(err))
    } finally {
      setBusy(false)
    }
  }
  const max = (k: 'vector' | 'text' | 'rrf') => Math.max(0, ...(results ?? []).map((r) => r.scores?.[k] ?? 0))

  return (
    <div className="space-y-4">
      <form onSubmit={submit} className="space-y-3" role="search">
        <div className="flex gap-2">
          <div className="relative flex-1">
            <Search className="pointer-events-none absolute top-2.5 left-3 size-4 text-zinc-400" />
            <Input autoFocus aria-label="Search memory" placeholder="Search memories — semantic and full text (CJK too)" value={query} onChange={(e) => setQuery(e.target.value)} className="pl-9" />
          </div>
          <Button type="submit" variant="primary" loading={busy} disabled={!query.trim()}>
            Search
          </Button>
        </div>
        <div className="flex flex-wrap items-center gap-3 text-sm">
          <span className="text-xs font-medium text-zinc-500">Tiers</span>
          {MEMORY_TIERS.map((t) => (
            <label key={t} className="flex items-center gap-1.5 text-zinc-700">
              <input type="checkbox" checked={tiers.includes(t)} onChange={(e) => setTiers((xs) => (e.target.checked ? [...xs, t] : xs.filter((x) => x !== t)))} className="rounded border-zinc-300 text-brand-600 focus:ring-brand-500" />
              {t}
            </label>
          ))}
          <label className="ml-auto flex items-center gap-2 text-xs text-zinc-500">
            Top
            <Select value={topK} onChange={(e) => setTopK(Number(e.target.value))} className="h-8 w-20 text-xs" aria-label="Number of results">
              {[5, 10, 20, 50].map((n) => (
                <option key={n}>{n}</option>
              ))}
            </Select>
          </label>
        </div>
      </form>
      {error && <ErrorAlert error={error} />}
      {results && results.length === 0 && (
        <EmptyState
          icon={<Search className="size-5" />}
          title="No good match"
          description={`No memory is relevant enough to “${searched}”: none matches its words, and none is close enough in meaning (memory.min_relevance). Try other words.`}
        />
      )}
      {results && results.length > 0 && (
        <ol className="space-y-3" aria-label="Search results">
          {results.map((r, i) => (
            <li key={`${r.memory_id}-${i}`}>
              <Card className="flex flex-col gap-3 p-4 sm:flex-row">
                <div className="min-w-0 flex-1 space-y-1.5">
                  <div className="flex items-center gap-2">
                    <button type="button" onClick={() => onOpen(r.memory_id)} className="truncate text-left text-sm font-semibold text-zinc-900 hover:text-brand-700">
                      {r.title || r.memory_id}
                    </button>
                    <Badge tone={TIER_TONE[r.tier] ?? 'neutral'}>{r.tier}</Badge>
                  </div>
                  <Snippet text={r.snippet} query={searched} />
                </div>
                <div className="shrink-0 space-y-1 sm:border-l sm:border-zinc-100 sm:pl-4" aria-label="Score breakdown">
                  <p className="mb-1 text-xs font-semibold text-zinc-700 tabular-nums">score {r.score.toFixed(4)}</p>
                  <ScoreBar label="vector" value={r.scores?.vector ?? null} max={max('vector')} className="bg-brand-500" />
                  <ScoreBar label="text" value={r.scores?.text ?? null} max={max('text')} className="bg-emerald-500" />
                  <ScoreBar label="rrf" value={r.scores?.rrf ?? null} max={max('rrf')} className="bg-amber-500" />
                </div>
              </Card>
            </li>
          ))}
        </ol>
      )}
      {!results && !error && <EmptyState icon={<Search className="size-5" />} title="Search your agents’ memory" description="Hybrid search: vector similarity and full text, fused by reciprocal rank." />}
    </div>
  )
}
