import { useEffect, useMemo, useState } from 'react'
import { getRun, listEvents, listRuns } from '@/api/runs'
import type { Run, RunEvent } from '@/api/types'
import { useEventStream } from '@/hooks/useEventStream'
import { useInterval, useNow, useResource } from '@/hooks/useResource'
import { hasTerminal } from '@/lib/resume'
import { buildTraceTree, traceTotals, type ChildRunInput } from '@/lib/traceTree'

/** Child runs are fetched with their first page of events; more would be a separate trace. */
const MAX_CHILD_RUNS = 20
const CHILD_EVENTS_LIMIT = 500
const RUN_POLL_MS = 3_000

export function useTrace(runId: string) {
  const run = useResource((s) => getRun(runId, s), [runId])
  const stream = useEventStream(runId)
  const live = !hasTerminal(stream.events) && stream.status !== 'error' && stream.status !== 'done'
  // The run record (status, usage, timestamps) is refreshed while the run is live.
  useInterval(run.reload, live ? RUN_POLL_MS : null)
  const now = useNow(live, 200)

  const [children, setChildren] = useState<ChildRunInput[]>([])
  const childKey = `${runId}:${stream.events.filter((e) => e.type === 'tool.result' || e.type.startsWith('run.')).length}`
  useEffect(() => {
    const ctrl = new AbortController()
    ;(async () => {
      // The filter may be ignored by an older backend: filter again here.
      const page = await listRuns({ parent_run_id: runId, limit: MAX_CHILD_RUNS }, ctrl.signal)
      const kids = page.items.filter((r) => r.parent_run_id === runId).slice(0, MAX_CHILD_RUNS)
      const withEvents = await Promise.all(
        kids.map(async (r: Run): Promise<ChildRunInput> => {
          let events: RunEvent[] = []
          try {
            events = (await listEvents(r.run_id, { limit: CHILD_EVENTS_LIMIT }, ctrl.signal)).events
          } catch {
            /* show the child from its record alone */
          }
          return { runId: r.run_id, status: r.status, createdAt: r.created_at, startedAt: r.started_at, finishedAt: r.finished_at, label: `${r.kind} ${r.run_id}`, events }
        }),
      )
      if (!ctrl.signal.aborted) setChildren(withEvents)
    })().catch(() => undefined)
    return () => ctrl.abort()
  }, [childKey, runId])

  const tree = useMemo(
    () => buildTraceTree(stream.events, { runId, childRuns: children, startedAt: run.data?.started_at ?? run.data?.created_at }),
    [stream.events, runId, children, run.data?.started_at, run.data?.created_at],
  )
  const totals = useMemo(() => traceTotals(tree), [tree])
  return { run, stream, tree, totals, live, now }
}
