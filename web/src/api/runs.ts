import { api, withQuery } from './client'
import type {
  EventsPage,
  Page,
  Run,
  RunCreate,
  RunEventType,
  RunFilters,
  SessionRunsPage,
  Trace,
} from './types'

export const listRuns = (filters: RunFilters = {}, signal?: AbortSignal) =>
  api.get<Page<Run>>('/api/runs', { ...filters }, signal)

export const getRun = (runId: string, signal?: AbortSignal) =>
  api.get<Run>(`/api/runs/${encodeURIComponent(runId)}`, undefined, signal)

export const createRun = (body: RunCreate, idempotencyKey?: string) =>
  api.post<Run>(
    '/api/runs',
    body,
    idempotencyKey ? { 'Idempotency-Key': idempotencyKey } : undefined,
  )

export const cancelRun = (runId: string) =>
  api.post<Run>(`/api/runs/${encodeURIComponent(runId)}/cancel`)

export const listSessionRuns = (sessionKey: string, page = 1, limit = 50, signal?: AbortSignal) =>
  api.get<SessionRunsPage>(
    `/api/sessions/${encodeURIComponent(sessionKey)}/runs`,
    { page, limit },
    signal,
  )

export const listEvents = (
  runId: string,
  opts: { cursor?: number | null; limit?: number; type?: RunEventType } = {},
  signal?: AbortSignal,
) => api.get<EventsPage>(`/api/runs/${encodeURIComponent(runId)}/events`, opts, signal)

/** The run's spans (its children's nested), derived on the server from the logs. */
export const getTrace = (runId: string, signal?: AbortSignal) =>
  api.get<Trace>(`/api/runs/${encodeURIComponent(runId)}/trace`, undefined, signal)

/** URL of the SSE stream; auth goes in headers (see hooks/useEventStream). */
export const streamUrl = (runId: string, cursor?: number) =>
  withQuery(`/api/runs/${encodeURIComponent(runId)}/stream`, { cursor })
