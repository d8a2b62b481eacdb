import { useMemo, useState } from 'react'
import type { RunEvent, TraceSpan } from '@/api/types'
import { Select } from '@/components/ui/Input'
import { EmptyState } from '@/components/ui/States'
import { cn } from '@/lib/cn'
import { formatDuration, preview } from '@/lib/format'
import { eventInSpan } from '@/lib/traceTree'

const TYPE_COLORS: [string, string][] = [
  ['run.', 'text-zinc-700 bg-zinc-100'],
  ['step.', 'text-zinc-600 bg-zinc-100'],
  ['llm.', 'text-brand-700 bg-brand-50'],
  ['tool.', 'text-emerald-700 bg-emerald-50'],
  ['message.', 'text-violet-700 bg-violet-50'],
  ['memory.', 'text-sky-700 bg-sky-50'],
]
const typeColor = (t: string) => TYPE_COLORS.find(([p]) => t.startsWith(p))?.[1] ?? 'text-zinc-600 bg-zinc-100'

/** One line per event, from its own payload type. */
function summary(ev: RunEvent): string {
  switch (ev.type) {
    case 'llm.token':
      return JSON.stringify(ev.payload.delta)
    case 'llm.started':
      return `${ev.payload.provider} / ${ev.payload.model}`
    case 'llm.called':
      return `${ev.payload.model} · ${formatDuration(ev.payload.duration_ms)}`
    case 'tool.called':
    case 'tool.requires_approval':
      return `${ev.payload.name} ${preview(ev.payload.arguments, 80)}`
    case 'tool.result':
      return `${ev.payload.name} ${preview(ev.payload.result, 80)}`
    case 'tool.blocked':
      return `${ev.payload.name} ${preview(ev.payload.reason, 80)}`
    case 'tool.approved':
    case 'tool.rejected':
      return `${ev.payload.name}${ev.payload.comment ? ` — ${preview(ev.payload.comment, 80)}` : ''}`
    case 'run.children_started':
    case 'run.children_completed':
      return ev.payload.children.map((c) => ('status' in c ? `${c.agent_id} ${c.status}` : c.agent_id)).join(', ')
    case 'message.task':
    case 'message.proposal':
    case 'message.decision':
      return `${ev.payload.agent_id}: ${preview(ev.payload.content, 90)}`
    case 'message.evidence':
      return `${ev.payload.agent_id} · ${ev.payload.tool}: ${preview(ev.payload.content, 80)}`
    case 'message.status':
      return `${ev.payload.agent_id} ${ev.payload.status}${ev.payload.detail ? ` — ${preview(ev.payload.detail, 80)}` : ''}`
    default:
      return preview(ev.payload, 100)
  }
}

/** Event list with a type filter; "llm.token" can be hidden since it dominates long runs. */
export function EventList({ events, startMs, selectedSeq, onSelect, span, onClearSpan }: { events: RunEvent[]; startMs: number; selectedSeq: number | null; onSelect: (ev: RunEvent) => void; span: TraceSpan | null; onClearSpan: () => void }) {
  const [type, setType] = useState('')
  const [hideTokens, setHideTokens] = useState(true)
  const types = useMemo(() => [...new Set(events.map((e) => e.type))].sort(), [events])
  const shown = useMemo(() => {
    return events.filter((e) => (!type || e.type === type) && (!hideTokens || type === 'llm.token' || e.type !== 'llm.token') && (!span || eventInSpan(e, span)))
  }, [events, type, hideTokens, span])
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
        {span && (
          <button type="button" onClick={onClearSpan} className="rounded-full bg-brand-50 px-2 py-0.5 text-xs font-medium text-brand-700 hover:bg-brand-100">
            Span filter ✕
          </button>
        )}
      </div>
      {shown.length === 0 ? (
        <EmptyState title="No events" description={!events.length ? 'Waiting for the first event…' : span?.span_id.includes('/') ? 'This span is in a child run’s log: open its trace.' : 'Nothing matches this filter.'} />
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
