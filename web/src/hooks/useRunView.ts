import { useMemo, useRef } from 'react'
import type { RunEvent } from '@/api/types'
import { applyEvents, emptyRunView, type RunView } from '@/lib/eventReducer'
import { useEventStream, type UseEventStreamResult } from './useEventStream'

/** Events of a run folded into a RunView incrementally (see lib/eventReducer). */
export function useRunView(runId: string | null | undefined, opts: { replay?: boolean } = {}): UseEventStreamResult & { view: RunView } {
  const stream = useEventStream(runId, opts)
  const view = useFoldedView(runId, stream.events)
  return { ...stream, view }
}

/**
 * `events` (a stream's, which only grows for one run) folded into a RunView: each new
 * batch is applied to the previous view, so a long log is not replayed per event.
 */
export function useFoldedView(runId: string | null | undefined, events: RunEvent[]): RunView {
  const cache = useRef<{ runId: string | null | undefined; view: RunView; events: RunEvent[] }>({ runId, view: emptyRunView(), events: [] })
  return useMemo(() => {
    const c = cache.current
    if (c.runId !== runId || events.length < c.events.length) {
      c.runId = runId
      c.view = emptyRunView()
    }
    c.view = applyEvents(c.view, events)
    c.events = events
    return c.view
  }, [runId, events])
}
