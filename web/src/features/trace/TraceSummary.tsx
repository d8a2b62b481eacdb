import type { ReactNode } from 'react'
import type { Run, Usage, WaitReason } from '@/api/types'
import { RunStatusBadge } from '@/components/ui/Badge'
import { formatCost, formatDuration, formatTokens } from '@/lib/format'
import type { TraceCounts } from '@/lib/traceTree'

function Stat({ label, value, sub }: { label: string; value: ReactNode; sub?: ReactNode }) {
  return (
    <div className="min-w-0 px-4 py-3">
      <dt className="text-xs font-medium text-zinc-500">{label}</dt>
      <dd className="mt-0.5 truncate text-lg font-semibold text-zinc-900 tabular-nums">{value}</dd>
      {sub && <dd className="truncate text-xs text-zinc-400">{sub}</dd>}
    </div>
  )
}

/** `usage`: the trace's (the run's, children's rolled up as they are collected). */
export function TraceSummary({ run, status, waitReason, counts, usage, durationMs }: { run: Run | undefined; status: string; waitReason: WaitReason | null; counts: TraceCounts; usage: Usage | undefined; durationMs: number | null }) {
  // Whichever was read last is ahead: the run record is polled, the trace refetched.
  const tokens = Math.max(usage?.total_tokens ?? 0, run?.usage?.total_tokens ?? 0)
  const cost = Math.max(usage?.cost_usd ?? 0, run?.usage?.cost_usd ?? 0)
  const prompt = Math.max(usage?.prompt_tokens ?? 0, run?.usage?.prompt_tokens ?? 0)
  const completion = Math.max(usage?.completion_tokens ?? 0, run?.usage?.completion_tokens ?? 0)
  const kind = run ? `${run.kind}${run.model ? ` · ${run.model}` : ''}${run.depth ? ` · depth ${run.depth}` : ''}` : undefined
  return (
    <dl className="grid grid-cols-2 divide-zinc-200 sm:grid-cols-3 lg:grid-cols-5 lg:divide-x">
      <Stat label="Status" value={<RunStatusBadge status={status} waitReason={waitReason} className="text-sm" />} sub={kind} />
      <Stat label="Duration" value={durationMs === null ? '—' : formatDuration(durationMs)} sub={counts.errors ? `${counts.errors} error span${counts.errors > 1 ? 's' : ''}` : undefined} />
      <Stat label="Tokens" value={formatTokens(tokens)} sub={`${formatTokens(prompt)} in · ${formatTokens(completion)} out`} />
      <Stat label="Cost" value={formatCost(cost)} />
      <Stat label="Calls" value={`${counts.llmCalls} / ${counts.toolCalls}${counts.childRuns ? ` / ${counts.childRuns}` : ''}`} sub={counts.childRuns ? 'LLM / tool / sub-agent' : 'LLM / tool'} />
    </dl>
  )
}
