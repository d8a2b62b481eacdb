import { useMemo, useRef } from 'react'
import type { RunEvent } from '@/api/types'
import { applyEvents, emptyRunView, type RunView } from '@/lib/eventReducer'
import { useEventStream, type UseEventStreamResult } from './useEventStream'

/** Events of a run folded into a RunView incrementally (see lib/eventReducer). */
export function useRunView(runId: string | null | undefined, opts: { replay?: boolean } = {}): UseEventStreamResult & { view: RunView } {
  const stream = useEventStream(runId, opts)
  const cache = useRef<{ runId: string | null | undefined; view: RunView; events: RunEvent[] }>({ runId, view: emptyRunView(), events: [] })
  const view = useMemo(() => {
    const c = cache.current
    if (c.runId !== runId || stream.events.length < c.events.length) {
      c.runId = runId
      c.view = emptyRunView()
    }
    c.view = applyEvents(c.view, stream.events)
    c.events = stream.events
    return c.view
  }, [runId, stream.events])
  return { ...stream, view }
}
