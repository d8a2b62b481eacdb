import { useCallback, useEffect, useMemo, useRef, useState } from 'react'
import { asApiError, type ApiError } from '@/api/client'
import { getRun, getTrace } from '@/api/runs'
import type { RunEvent, Trace } from '@/api/types'
import { useEventStream } from '@/hooks/useEventStream'
import { useInterval, useNow, useResource } from '@/hooks/useResource'
import { createRefresher, type Refresher } from '@/lib/refresh'
import { hasTerminal, isTerminalEvent } from '@/lib/resume'
import { movesSpans, nestSpans, streamedText, traceCounts } from '@/lib/traceTree'

/** The trace is fetched again at most this often while the run moves. */
const TRACE_REFRESH_MS = 300
/** While children run, the parent's log is quiet: their spans are polled instead. */
const CHILDREN_POLL_MS = 2_000
const RUN_POLL_MS = 3_000

/** Once the run's own span is closed nothing in its trace changes any more. */
function isFinal(trace: Trace | null): boolean {
  return !!trace?.spans.some((s) => s.kind === 'run' && s.parent_span_id === null && s.end !== null)
}

/**
 * One run's trace page: the spans the server derives (GET /trace), fetched again
 * (throttled) whenever the run's event stream moves a span boundary and once more at its
 * terminal event; the events themselves, for the list, the download and the live preview
 * of calls still streaming tokens.
 */
export function useTrace(runId: string) {
  const run = useResource((s) => getRun(runId, s), [runId])
  const [trace, setTrace] = useState<Trace | null>(null)
  const [traceError, setTraceError] = useState<ApiError | null>(null)
  const traceRef = useRef<Trace | null>(null)
  const known = useRef<ReadonlySet<string>>(new Set())
  const refresher = useRef<Refresher | null>(null)
  const reloadRun = useRef(run.reload)
  reloadRun.current = run.reload

  useEffect(() => {
    const ctrl = new AbortController()
    traceRef.current = null
    known.current = new Set()
    setTrace(null)
    setTraceError(null)
    const r = createRefresher(async () => {
      if (isFinal(traceRef.current)) return
      try {
        const t = await getTrace(runId, ctrl.signal)
        if (ctrl.signal.aborted) return
        traceRef.current = t
        known.current = new Set(t.spans.map((s) => s.span_id))
        setTrace(t)
        setTraceError(null)
      } catch (e) {
        if (!ctrl.signal.aborted) setTraceError(asApiError(e))
      }
    }, TRACE_REFRESH_MS)
    refresher.current = r
    r.flush()
    return () => {
      r.cancel()
      ctrl.abort()
    }
  }, [runId])

  const onEvents = useCallback((batch: RunEvent[]) => {
    if (batch.some((e) => isTerminalEvent(e.type))) {
      refresher.current?.flush()
      reloadRun.current()
    } else if (batch.some((e) => movesSpans(e, known.current))) {
      refresher.current?.request()
    }
  }, [])
  const stream = useEventStream(runId, { onEvents })
  const live = !hasTerminal(stream.events) && stream.status !== 'error' && stream.status !== 'done'
  // The run record (status, wait reason, usage) is refreshed while the run is live.
  useInterval(run.reload, live ? RUN_POLL_MS : null)
  const childrenRunning = live && !!trace?.spans.some((s) => s.kind === 'child_run' && s.end === null)
  const pollTrace = useCallback(() => refresher.current?.request(), [])
  useInterval(pollTrace, childrenRunning ? CHILDREN_POLL_MS : null)
  const now = useNow(live, 200)

  const roots = useMemo(() => nestSpans(trace?.spans ?? []), [trace])
  const counts = useMemo(() => traceCounts(trace?.spans ?? []), [trace])
  const previews = useMemo(() => (live ? streamedText(stream.events) : new Map<string, string>()), [live, stream.events])
  const reloadTrace = useCallback(() => refresher.current?.flush(), [])
  return { run, stream, trace, traceError, reloadTrace, roots, counts, previews, live, now }
}
