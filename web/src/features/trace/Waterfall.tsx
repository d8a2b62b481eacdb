import type { CSSProperties, KeyboardEvent } from 'react'
import { Link } from 'react-router'
import { Bot, Boxes, Cpu, ExternalLink, GitBranch, Wrench } from 'lucide-react'
import type { SpanKind, SpanStatus } from '@/api/types'
import { cn } from '@/lib/cn'
import { formatDuration } from '@/lib/format'
import { childRunId, layoutWaterfall, type SpanNode } from '@/lib/traceTree'

const ICONS: Record<SpanKind, typeof Bot> = { run: Bot, step: Boxes, llm: Cpu, tool: Wrench, child_run: GitBranch }
const ICON_COLOR: Record<SpanKind, string> = { run: 'text-zinc-400', step: 'text-zinc-400', llm: 'text-brand-500', tool: 'text-emerald-600', child_run: 'text-violet-500' }
const BAR: Record<SpanKind, string> = {
  run: 'bg-zinc-400',
  step: 'bg-zinc-300',
  llm: 'bg-brand-500',
  tool: 'bg-emerald-500',
  child_run: 'bg-violet-500',
}
const STATUS_BAR: Partial<Record<SpanStatus, string>> = {
  error: 'bg-red-500',
  blocked: 'bg-red-400',
  waiting: 'bg-amber-400',
}
/** Characters of a streaming call's text shown on its row. */
const PREVIEW_CHARS = 80

/** Duration label: right of the bar if there is room, else left of it, else inside its end. */
function labelInside(left: number, width: number): boolean {
  return left + width > 85 && left < 15
}
function labelStyle(left: number, width: number): CSSProperties {
  if (left + width <= 85) return { left: `${left + width}%`, paddingLeft: 6 }
  if (left >= 15) return { right: `${100 - left}%`, paddingRight: 6 }
  return { right: `${100 - left - width}%`, paddingRight: 6 }
}

function ticks(totalMs: number): number[] {
  return [0, 0.25, 0.5, 0.75, 1].map((f) => f * totalMs)
}

function tail(text: string): string {
  const t = text.replace(/\s+/g, ' ').trim()
  return t.length > PREVIEW_CHARS ? `…${t.slice(-PREVIEW_CHARS)}` : t
}

/**
 * Span waterfall: one row per span of the server's trace, nested by parent, bars placed
 * by offset from the earliest start. A child run's row links to its own trace page.
 * `previews`: text streamed so far by LLM calls that are still open (by span id).
 */
export function Waterfall({ roots, now, selected, onSelect, previews }: { roots: SpanNode[]; now: number; selected: string | null; onSelect: (node: SpanNode | null) => void; previews: ReadonlyMap<string, string> }) {
  const { rows, totalMs } = layoutWaterfall(roots, now)
  return (
    <div className="text-sm" role="tree" aria-label="Spans">
      <div className="flex border-b border-zinc-200 bg-zinc-50/80 text-[11px] text-zinc-400">
        <div className="w-[45%] shrink-0 px-3 py-1.5 font-medium tracking-wide uppercase sm:w-[35%]">Span</div>
        <div className="relative flex-1 py-1.5">
          {ticks(totalMs).map((t, i) => (
            <span key={i} className={cn('absolute whitespace-nowrap tabular-nums', i === 4 ? '-translate-x-full pr-2' : i > 0 && '-translate-x-1/2')} style={{ left: `${(t / totalMs) * 100}%` }}>
              {formatDuration(t)}
            </span>
          ))}
        </div>
      </div>
      <div className="divide-y divide-zinc-100">
        {rows.map(({ node, depth, durationMs, leftPct, widthPct }) => {
          const { span } = node
          const Icon = ICONS[span.kind]
          const isSel = selected === span.span_id
          const child = childRunId(span)
          const preview = span.kind === 'llm' && node.end === null ? previews.get(span.span_id) : undefined
          const select = () => onSelect(isSel ? null : node)
          const onKey = (e: KeyboardEvent) => {
            if (e.target !== e.currentTarget || (e.key !== 'Enter' && e.key !== ' ')) return
            e.preventDefault()
            select()
          }
          return (
            <div
              key={span.span_id}
              role="treeitem"
              tabIndex={0}
              aria-level={depth + 1}
              aria-selected={isSel}
              data-span-id={span.span_id}
              data-span-kind={span.kind}
              data-span-status={span.status}
              onClick={select}
              onKeyDown={onKey}
              className={cn('flex w-full cursor-pointer items-center text-left hover:bg-zinc-50 focus-visible:bg-brand-50 focus-visible:outline-none', isSel && 'bg-brand-50 hover:bg-brand-50')}
            >
              <div className="flex w-[45%] shrink-0 items-center gap-1.5 truncate px-3 py-1.5 sm:w-[35%]" style={{ paddingLeft: `${12 + depth * 14}px` }}>
                <Icon className={cn('size-3.5 shrink-0', ICON_COLOR[span.kind])} />
                <span data-testid="span-name" className={cn('truncate', span.kind === 'tool' || span.kind === 'llm' ? 'font-mono text-[12px]' : 'font-medium', span.kind === 'run' && 'text-zinc-900')}>
                  {span.name}
                </span>
                {preview && <span className="min-w-0 truncate text-xs text-zinc-400 italic" data-testid="span-preview">{tail(preview)}</span>}
                {child && (
                  <Link to={`/trace/${encodeURIComponent(child)}`} onClick={(e) => e.stopPropagation()} className="inline-flex shrink-0 items-center gap-0.5 rounded px-1 text-xs font-medium text-violet-600 hover:bg-violet-50 hover:text-violet-800">
                    trace <ExternalLink className="size-3" />
                  </Link>
                )}
              </div>
              <div className="relative h-7 flex-1 pr-3">
                <div
                  className={cn('absolute top-1/2 h-3.5 -translate-y-1/2 rounded-sm', STATUS_BAR[span.status] ?? BAR[span.kind], node.end === null && 'animate-pulse')}
                  style={{ left: `${leftPct}%`, width: `${widthPct}%`, minWidth: 2 }}
                />
                <span
                  className={cn('absolute top-1/2 -translate-y-1/2 text-[11px] leading-none whitespace-nowrap tabular-nums', labelInside(leftPct, widthPct) ? 'font-medium text-white' : 'text-zinc-500')}
                  style={labelStyle(leftPct, widthPct)}
                >
                  {formatDuration(durationMs)}
                </span>
              </div>
            </div>
          )
        })}
      </div>
    </div>
  )
}
