import type { CSSProperties } from 'react'
import { Bot, Boxes, Cpu, GitBranch, Wrench } from 'lucide-react'
import { cn } from '@/lib/cn'
import { formatDuration } from '@/lib/format'
import { layoutWaterfall, type Span, type SpanKind, type SpanStatus } from '@/lib/traceTree'

const ICONS: Record<SpanKind, typeof Bot> = { run: Bot, step: Boxes, llm: Cpu, tool: Wrench, child_run: GitBranch }
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
  cancelled: 'bg-zinc-400',
}

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

/** Span waterfall: one row per span, bars placed by offset from the run start. */
export function Waterfall({ root, now, selected, onSelect }: { root: Span; now: number; selected: string | null; onSelect: (span: Span | null) => void }) {
  const { rows, totalMs } = layoutWaterfall(root, now)
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
        {rows.map(({ span, depth, durationMs, leftPct, widthPct }) => {
          const Icon = ICONS[span.kind]
          const isSel = selected === span.id
          return (
            <button
              key={span.id}
              type="button"
              role="treeitem"
              aria-selected={isSel}
              onClick={() => onSelect(isSel ? null : span)}
              className={cn('flex w-full items-center text-left hover:bg-zinc-50 focus-visible:bg-brand-50 focus-visible:outline-none', isSel && 'bg-brand-50 hover:bg-brand-50')}
            >
              <div className="flex w-[45%] shrink-0 items-center gap-1.5 truncate px-3 py-1.5 sm:w-[35%]" style={{ paddingLeft: `${12 + depth * 14}px` }}>
                <Icon className={cn('size-3.5 shrink-0', span.kind === 'llm' ? 'text-brand-500' : span.kind === 'tool' ? 'text-emerald-600' : span.kind === 'child_run' ? 'text-violet-500' : 'text-zinc-400')} />
                <span className={cn('truncate', span.kind === 'tool' || span.kind === 'llm' ? 'font-mono text-[12px]' : 'font-medium', span.kind === 'run' && 'text-zinc-900')}>{span.name}</span>
                {span.agentId && span.agentId !== root.agentId && <span className="truncate text-xs text-zinc-400">{span.agentId}</span>}
              </div>
              <div className="relative h-7 flex-1 pr-3">
                <div
                  className={cn('absolute top-1/2 h-3.5 -translate-y-1/2 rounded-sm', STATUS_BAR[span.status] ?? BAR[span.kind], span.end === null && 'animate-pulse')}
                  style={{ left: `${leftPct}%`, width: `${widthPct}%`, minWidth: 2 }}
                />
                <span
                  className={cn('absolute top-1/2 -translate-y-1/2 text-[11px] leading-none whitespace-nowrap tabular-nums', labelInside(leftPct, widthPct) ? 'font-medium text-white' : 'text-zinc-500')}
                  style={labelStyle(leftPct, widthPct)}
                >
                  {formatDuration(durationMs)}
                </span>
              </div>
            </button>
          )
        })}
      </div>
    </div>
  )
}
