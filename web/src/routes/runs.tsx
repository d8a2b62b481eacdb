import { useState } from 'react'
import { useSearchParams } from 'react-router'
import { ListChecks, RefreshCw, Search } from 'lucide-react'
import { RUN_STATUSES, type RunKind, type RunStatus } from '@/api/types'
import { Button } from '@/components/ui/Button'
import { Card, PageHeader } from '@/components/ui/Card'
import { Input, Select } from '@/components/ui/Input'
import { EmptyState, ErrorAlert, LoadingState } from '@/components/ui/States'
import { RunsTable } from '@/features/runs/RunsTable'
import { useRunsList } from '@/features/runs/useRunsList'
import { useDebounced, useInterval, useNow } from '@/hooks/useResource'

/** Live rows (running/waiting) refresh on this period. */
const LIVE_REFRESH_MS = 5_000

export function RunsRoute() {
  const [params, setParams] = useSearchParams()
  const status = (params.get('status') ?? '') as RunStatus | ''
  const kind = (params.get('kind') ?? '') as RunKind | ''
  const [session, setSession] = useState(params.get('session') ?? '')
  const debouncedSession = useDebounced(session.trim(), 350)
  const list = useRunsList({ status, kind, session_key: debouncedSession })
  const anyLive = list.runs.some((r) => ['pending', 'queued', 'running', 'waiting'].includes(r.status))
  const now = useNow(anyLive, 1000)
  // Only while the first page is all we hold, so "Load more" pages are not thrown away.
  useInterval(list.reload, anyLive && !list.loadingMore && list.runs.length <= 25 ? LIVE_REFRESH_MS : null)

  const setParam = (k: string, v: string) => {
    const next = new URLSearchParams(params)
    if (v) next.set(k, v)
    else next.delete(k)
    setParams(next, { replace: true })
  }
  const filtered = !!(status || kind || debouncedSession)

  return (
    <div className="mx-auto max-w-7xl px-4 py-6 sm:px-6">
      <PageHeader
        title="Runs"
        description="Every run in this scope, newest first. Open one to see its live trace."
        actions={
          <Button onClick={list.reload} icon={<RefreshCw className="size-4" />} loading={list.loading && list.runs.length > 0}>
            Refresh
          </Button>
        }
      />
      <Card>
        <div className="flex flex-wrap items-center gap-2 border-b border-zinc-200 p-3">
          <Select aria-label="Status" value={status} onChange={(e) => setParam('status', e.target.value)} className="w-40">
            <option value="">All statuses</option>
            {RUN_STATUSES.map((s) => (
              <option key={s} value={s}>
                {s}
              </option>
            ))}
          </Select>
          <Select aria-label="Kind" value={kind} onChange={(e) => setParam('kind', e.target.value)} className="w-36">
            <option value="">All kinds</option>
            {['agent', 'group', 'workflow', 'external'].map((k) => (
              <option key={k} value={k}>
                {k}
              </option>
            ))}
          </Select>
          <div className="relative min-w-[12rem] flex-1 sm:max-w-xs">
            <Search className="pointer-events-none absolute top-2.5 left-2.5 size-4 text-zinc-400" />
            <Input
              aria-label="Session key"
              placeholder="Filter by session key"
              value={session}
              onChange={(e) => {
                setSession(e.target.value)
                setParam('session', e.target.value.trim())
              }}
              className="pl-8"
            />
          </div>
        </div>
        {list.error && <ErrorAlert error={list.error} onRetry={list.reload} className="m-3" />}
        {list.loading && list.runs.length === 0 ? (
          <LoadingState />
        ) : list.runs.length === 0 && !list.error ? (
          <EmptyState icon={<ListChecks className="size-5" />} title={filtered ? 'No runs match these filters' : 'No runs yet'} description={filtered ? 'Try another status or session.' : 'Start one from Chat, the CLI or POST /api/runs.'} />
        ) : (
          <RunsTable runs={list.runs} now={now} />
        )}
        {list.hasMore && (
          <div className="flex justify-center border-t border-zinc-200 p-3">
            <Button onClick={list.loadMore} loading={list.loadingMore}>
              Load more
            </Button>
          </div>
        )}
      </Card>
    </div>
  )
}
