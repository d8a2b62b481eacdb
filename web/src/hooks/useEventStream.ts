/**
 * Live events of one run: replays the log page by page (GET /events), then follows the
 * SSE stream from the last contiguous seq (Last-Event-ID), reconnecting with backoff.
 * Events are kept seq-sorted without duplicates; the stream stops after run.completed,
 * run.failed or run.cancelled.
 */
import { useCallback, useEffect, useRef, useState } from 'react'
import { authHeaders, type ApiError, asApiError } from '@/api/client'
import { listEvents, streamUrl } from '@/api/runs'
import type { RunEvent } from '@/api/types'
import { runEventStream, type StreamStatus } from '@/lib/eventStream'
import { mergeEvents, planResume } from '@/lib/resume'

export type EventStreamState = StreamStatus | 'idle' | 'replaying'

/** Bounds the replay so a huge log cannot stall the page; the stream continues after it. */
const MAX_REPLAY_PAGES = 200
const REPLAY_PAGE_SIZE = 500

export interface UseEventStreamResult {
  events: RunEvent[]
  status: EventStreamState
  error: ApiError | null
  /** Reconnection attempt number while reconnecting. */
  attempt: number
  /** Start over (e.g. after a fatal error). */
  restart: () => void
}

export function useEventStream(
  runId: string | null | undefined,
  opts: { replay?: boolean; onEvents?: (batch: RunEvent[]) => void } = {},
): UseEventStreamResult {
  const replay = opts.replay ?? true
  const [events, setEvents] = useState<RunEvent[]>([])
  const [status, setStatus] = useState<EventStreamState>('idle')
  const [error, setError] = useState<ApiError | null>(null)
  const [attempt, setAttempt] = useState(0)
  const [generation, setGeneration] = useState(0)
  const onEventsRef = useRef(opts.onEvents)
  onEventsRef.current = opts.onEvents

  useEffect(() => {
    setEvents([])
    setError(null)
    setAttempt(0)
    if (!runId) {
      setStatus('idle')
      return
    }
    const ctrl = new AbortController()
    let held: RunEvent[] = []
    const deliver = (batch: RunEvent[]) => {
      const merged = mergeEvents(held, batch)
      if (merged === held) return
      held = merged
      setEvents(merged)
      onEventsRef.current?.(batch)
    }

    ;(async () => {
      if (replay) {
        setStatus('replaying')
        let cursor: number | null = null
        for (let page = 0; page < MAX_REPLAY_PAGES && !ctrl.signal.aborted; page++) {
          const res = await listEvents(runId, { cursor, limit: REPLAY_PAGE_SIZE }, ctrl.signal)
          deliver(res.events)
          cursor = res.next_cursor
          if (!cursor || res.events.length === 0) break
        }
      }
      const plan = planResume(held)
      if (plan.action === 'done') {
        setStatus('done')
        return
      }
      await runEventStream({
        url: streamUrl(runId),
        lastSeq: plan.lastSeq,
        headers: () => authHeaders(),
        signal: ctrl.signal,
        onEvents: deliver,
        onStatus: (s, detail) => {
          if (ctrl.signal.aborted) return
          setStatus(s)
          setAttempt(detail?.attempt ?? 0)
          if (s === 'error') setError(detail?.error ?? null)
        },
      })
    })().catch((e: unknown) => {
      if (ctrl.signal.aborted) return
      setError(asApiError(e))
      setStatus('error')
    })
    return () => ctrl.abort()
  }, [runId, replay, generation])

  const restart = useCallback(() => setGeneration((g) => g + 1), [])
  return { events, status, error, attempt, restart }
}
