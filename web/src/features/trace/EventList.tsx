import { useMemo, useState } from 'react'
import type { RunEvent } from '@/api/types'
import { Select } from '@/components/ui/Input'
import { EmptyState } from '@/components/ui/States'
import { cn } from '@/lib/cn'
import { formatDuration, preview } from '@/lib/format'

const TYPE_COLORS: [string, string][] = [
  ['run.', 'text-zinc-700 bg-zinc-100'],
  ['step.', 'text-zinc-600 bg-zinc-100'],
  ['llm.', 'text-brand-700 bg-brand-50'],
  ['tool.', 'text-emerald-700 bg-emerald-50'],
  ['message.', 'text-violet-700 bg-violet-50'],
  ['memory.', 'text-sky-700 bg-sky-50'],
]
const typeColor = (t: string) => TYPE_COLORS.find(([p]) => t.startsWith(p))?.[1] ?? 'text-zinc-600 bg-zinc-100'

function summary(ev: RunEvent): string {
  const p = ev.payload ?? {}
  if (ev.type === 'llm.token') return JSON.stringify(p.delta ?? '')
  if (typeof p.name === 'string') return `${p.name} ${preview(p.arguments ?? p.result ?? p.reason ?? '', 80)}`
  if (ev.type === 'llm.called') return `${p.model ?? ''} · ${formatDuration(p.duration_ms as number)}`
  return preview(p, 100)
}

/** Event list with a type filter; "llm.token" can be hidden since it dominates long runs. */
export function EventList({ events, startMs, selectedSeq, onSelect, spanSeqs, onClearSpan }: { events: RunEvent[]; startMs: number; selectedSeq: number | null; onSelect: (ev: RunEvent) => void; spanSeqs: number[] | null; onClearSpan: () => void }) {
  const [type, setType] = useState('')
  const [hideTokens, setHideTokens] = useState(true)
  const types = useMemo(() => [...new Set(events.map((e) => e.type))].sort(), [events])
  const shown = useMemo(() => {
    const inSpan = spanSeqs ? new Set(spanSeqs) : null
    return events.filter((e) => (!type || e.type === type) && (!hideTokens || type === 'llm.token' || e.type !== 'llm.token') && (!inSpan || inSpan.has(e.seq)))
  }, [events, type, hideTokens, spanSeqs])
  const tokenCount = useMemo(() => events.filter((e) => e.type === 'llm.token').length, [events])

  return (
    <div className="flex h-full min-h-0 flex-col">
      <div className="flex flex-wrap items-center gap-2 border-b border-zinc-200 p-2.5">
        <Select aria-label="Event type" value={type} onChange={(e) => setType(e.target.value)} className="h-8 w-48 text-xs">
          <option value="">All types ({events.length})</option>
          {types.map((t) => (
            <option key={t} value={t}>
              {t}
            </option>
          ))}
        </Select>
        {tokenCount > 0 && (
          <label className="flex items-center gap-1.5 text-xs text-zinc-600">
            <input type="checkbox" checked={hideTokens} onChange={(e) => setHideTokens(e.target.checked)} className="rounded border-zinc-300 text-brand-600 focus:ring-brand-500" />
            Hide tokens ({tokenCount})
          </label>
        )}
        {spanSeqs && (
          <button type="button" onClick={onClearSpan} className="rounded-full bg-brand-50 px-2 py-0.5 text-xs font-medium text-brand-700 hover:bg-brand-100">
            Span filter ✕
          </button>
        )}
      </div>
      {shown.length === 0 ? (
        <EmptyState title="No events" description={events.length ? 'Nothing matches this filter.' : 'Waiting for the first event…'} />
      ) : (
        <ol className="min-h-0 flex-1 overflow-y-auto font-mono text-xs" aria-label="Events">
          {shown.map((ev) => {
            const off = Date.parse(ev.ts) - startMs
            return (
              <li key={ev.seq}>
                <button
                  type="button"
                  onClick={() => onSelect(ev)}
                  aria-current={selectedSeq === ev.seq ? 'true' : undefined}
                  className={cn('flex w-full items-center gap-2 border-b border-zinc-100 px-2.5 py-1.5 text-left hover:bg-zinc-50', selectedSeq === ev.seq && 'bg-brand-50 hover:bg-brand-50')}
                >
                  <span className="w-10 shrink-0 text-right text-zinc-400 tabular-nums">#{ev.seq}</span>
                  <span className="hidden w-16 shrink-0 text-right text-zinc-400 tabular-nums sm:inline">+{Number.isFinite(off) ? formatDuration(off) : '—'}</span>
                  <span className={cn('shrink-0 rounded px-1.5 py-px', typeColor(ev.type))}>{ev.type}</span>
                  {ev.step !== null && <span className="shrink-0 text-zinc-400">s{ev.step}</span>}
                  <span className="min-w-0 flex-1 truncate text-zinc-500">{summary(ev)}</span>
                </button>
              </li>
            )
          })}
        </ol>
      )}
    </div>
  )
}
