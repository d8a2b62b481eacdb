import type { ReactNode } from 'react'
import type { ApiError } from '@/api/client'
import type { TeamStats } from '@/api/types'
import { ErrorAlert } from '@/components/ui/States'
import { formatCost, formatDateTime, formatRelative, formatTokens } from '@/lib/format'

function Stat({ label, value, sub }: { label: string; value: ReactNode; sub?: ReactNode }) {
  return (
    <div className="min-w-0 px-4 py-3">
      <dt className="text-xs font-medium text-zinc-500">{label}</dt>
      <dd className="mt-0.5 truncate text-lg font-semibold text-zinc-900 tabular-nums">{value}</dd>
      {sub && <dd className="truncate text-xs text-zinc-400">{sub}</dd>}
    </div>
  )
}

/** Runs, success rate, usage and last use of a role or a group (`GET …/stats`). */
export function StatsGrid({ stats, error, onRetry, label }: { stats: TeamStats | undefined; error: ApiError | null; onRetry: () => void; label: string }) {
  if (error) return <ErrorAlert error={error} onRetry={onRetry} className="m-3" />
  const s = stats
  const rate = s?.success_rate
  return (
    <dl aria-label={label} className="grid grid-cols-2 divide-zinc-200 sm:grid-cols-3 xl:grid-cols-5 xl:divide-x">
      <Stat label="Runs" value={s ? s.runs : '—'} sub={s ? `${s.active} active` : undefined} />
      <Stat label="Success rate" value={rate === null || rate === undefined ? '—' : `${Math.round(rate * 100)}%`} sub={s ? `${s.completed} ok · ${s.failed} failed` : undefined} />
      <Stat label="Tokens" value={formatTokens(s?.usage.total_tokens)} sub={s ? `${formatTokens(s.usage.prompt_tokens)} in · ${formatTokens(s.usage.completion_tokens)} out` : undefined} />
      <Stat label="Cost" value={formatCost(s?.usage.cost_usd)} />
      <Stat label="Last used" value={<span title={formatDateTime(s?.last_used_at)}>{s?.last_used_at ? formatRelative(s.last_used_at) : 'never'}</span>} />
    </dl>
  )
}
