import type { ReactNode } from 'react'
import type { Run } from '@/api/types'
import { StatusBadge } from '@/components/ui/Badge'
import { formatCost, formatDuration, formatTokens } from '@/lib/format'
import type { TraceTotals } from '@/lib/traceTree'

function Stat({ label, value, sub }: { label: string; value: ReactNode; sub?: ReactNode }) {
  return (
    <div className="min-w-0 px-4 py-3">
      <dt className="text-xs font-medium text-zinc-500">{label}</dt>
      <dd className="mt-0.5 truncate text-lg font-semibold text-zinc-900 tabular-nums">{value}</dd>
      {sub && <dd className="truncate text-xs text-zinc-400">{sub}</dd>}
    </div>
  )
}

export function TraceSummary({ run, status, totals, durationMs }: { run: Run | undefined; status: string; totals: TraceTotals; durationMs: number }) {
  // Prefer the run record's usage when it is ahead of the events (e.g. provider-reported totals).
  const tokens = Math.max(totals.totalTokens, run?.usage?.total_tokens ?? 0)
  const cost = Math.max(totals.costUsd, run?.usage?.cost_usd ?? 0)
  return (
    <dl className="grid grid-cols-2 divide-zinc-200 sm:grid-cols-3 lg:grid-cols-5 lg:divide-x">
      <Stat label="Status" value={<StatusBadge status={status} className="text-sm" />} sub={run ? `${run.kind}${run.model ? ` · ${run.model}` : ''}` : undefined} />
      <Stat label="Duration" value={formatDuration(durationMs)} sub={totals.errors ? `${totals.errors} error span${totals.errors > 1 ? 's' : ''}` : undefined} />
      <Stat label="Tokens" value={formatTokens(tokens)} sub={`${formatTokens(totals.promptTokens)} in · ${formatTokens(totals.completionTokens)} out`} />
      <Stat label="Cost" value={formatCost(cost)} />
      <Stat label="Calls" value={`${totals.llmCalls} / ${totals.toolCalls}`} sub="LLM / tool" />
    </dl>
  )
}
