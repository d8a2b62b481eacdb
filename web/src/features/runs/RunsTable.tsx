import { Link } from 'react-router'
import type { Run } from '@/api/types'
import { Badge, RunStatusBadge } from '@/components/ui/Badge'
import { Table, Td, Th } from '@/components/ui/Table'
import { durationBetween, formatCost, formatDateTime, formatDuration, formatRelative, formatTokens, preview } from '@/lib/format'

export function RunsTable({ runs, now }: { runs: Run[]; now: number }) {
  return (
    <Table>
      <thead>
        <tr>
          <Th>Status</Th>
          <Th className="w-full">Input</Th>
          <Th className="hidden md:table-cell">Session</Th>
          <Th className="hidden text-right sm:table-cell">Duration</Th>
          <Th className="hidden text-right sm:table-cell">Tokens</Th>
          <Th className="hidden text-right sm:table-cell">Cost</Th>
          <Th className="text-right">Created</Th>
        </tr>
      </thead>
      <tbody className="divide-y divide-zinc-100 bg-white">
        {runs.map((run) => (
          <tr key={run.run_id} className="group relative hover:bg-zinc-50">
            <Td>
              <RunStatusBadge status={run.status} waitReason={run.wait_reason} />
            </Td>
            <Td className="max-w-0 min-w-[9rem]">
              <Link to={`/trace/${run.run_id}`} className="block truncate font-medium text-zinc-900 after:absolute after:inset-0 group-hover:text-brand-700 focus-visible:outline-none focus-visible:after:ring-2 focus-visible:after:ring-brand-500 focus-visible:after:ring-inset">
                {preview(run.input, 140) || <span className="text-zinc-400">(no input)</span>}
              </Link>
              <span className="flex flex-wrap items-center gap-x-1.5 text-xs text-zinc-400">
                <span className="font-mono">{run.run_id}</span>
                {run.kind !== 'agent' && <Badge tone="violet">{run.kind}</Badge>}
                {run.parent_run_id && <span>child of {run.parent_run_id}{run.depth > 1 ? ` (depth ${run.depth})` : ''}</span>}
                <span className="tabular-nums sm:hidden">· {formatDuration(durationBetween(run.started_at, run.finished_at, now))}</span>
              </span>
            </Td>
            <Td className="hidden max-w-[12rem] truncate font-mono text-xs md:table-cell">{run.session_key ?? '—'}</Td>
            <Td className="hidden text-right whitespace-nowrap tabular-nums sm:table-cell">{formatDuration(durationBetween(run.started_at, run.finished_at, now))}</Td>
            <Td className="hidden text-right tabular-nums sm:table-cell">{formatTokens(run.usage?.total_tokens)}</Td>
            <Td className="hidden text-right tabular-nums sm:table-cell">{formatCost(run.usage?.cost_usd)}</Td>
            <Td className="text-right whitespace-nowrap text-zinc-500" title={formatDateTime(run.created_at)}>
              {formatRelative(run.created_at, now)}
            </Td>
          </tr>
        ))}
      </tbody>
    </Table>
  )
}
