/**
 * The run-event stream as a plain async loop (no React), so it can be tested with a fake
 * `fetch`. `hooks/useEventStream` wraps it.
 *
 * - `fetch` + ReadableStream, not EventSource: we must send `Authorization` and
 *   `Last-Event-ID` ourselves;
 * - keeps the last contiguous seq; a reconnect (backoff) sends `Last-Event-ID: <lastSeq>`;
 * - drops duplicates (seq <= lastSeq); on a gap it reconnects from lastSeq rather than
 *   deliver out of order, so the consumer never sees a duplicate and never a hole;
 * - stops after a terminal event; 401/403/404 are final (retrying will not help).
 */
import { ApiError, toApiError } from '@/api/client'
import type { RunEvent } from '@/api/types'
import { backoffDelay, isTerminalEvent, resumeHeaders, type BackoffOptions } from './resume'
import { SseParser } from './sseParser'

export type StreamStatus = 'connecting' | 'open' | 'reconnecting' | 'done' | 'error' | 'closed'

export interface EventStreamOptions {
  url: string
  /** Extra headers per attempt (auth, project); Last-Event-ID is added here. */
  headers?: () => HeadersInit
  /** Resume after this seq (0 = from the start). */
  lastSeq?: number
  signal: AbortSignal
  onEvents: (events: RunEvent[]) => void
  onStatus?: (status: StreamStatus, detail?: { attempt?: number; error?: ApiError }) => void
  fetch?: typeof fetch
  backoff?: BackoffOptions
  /** Give up after this many consecutive failed attempts. */
  maxAttempts?: number
  /** Reconnect when nothing (not even a keep-alive) arrives for this long. */
  idleTimeoutMs?: number
  sleep?: (ms: number, signal: AbortSignal) => Promise<void>
}

const FATAL_STATUSES = new Set([400, 401, 403, 404, 410, 422])
/** The server sends keep-alive comments far more often than this. */
const DEFAULT_IDLE_TIMEOUT_MS = 45_000

export function abortableSleep(ms: number, signal: AbortSignal): Promise<void> {
  return new Promise((resolve) => {
    if (signal.aborted) return resolve()
    const t = setTimeout(done, ms)
    function done() {
      clearTimeout(t)
      signal.removeEventListener('abort', done)
      resolve()
    }
    signal.addEventListener('abort', done, { once: true })
  })
}

/**
 * One SSE message's `data:` → the event it carries (a `RunEvent`, as the OpenAPI document
 * says of the stream), or null for a frame that is not one. Only the envelope is checked:
 * the payload is the server's contract, narrowed by `type` where it is used.
 */
export function parseRunEvent(data: string): RunEvent | null {
  let parsed: unknown
  try {
    parsed = JSON.parse(data)
  } catch {
    return null
  }
  return isRunEvent(parsed) ? parsed : null
}

function isRunEvent(x: unknown): x is RunEvent {
  if (typeof x !== 'object' || x === null) return false
  const e = x as Record<string, unknown>
  return typeof e.type === 'string' && Number.isInteger(e.seq) && typeof e.payload === 'object' && e.payload !== null
}

type ReadOutcome = 'terminal' | 'ended' | 'gap' | 'idle'

/** Runs until a terminal event, a fatal error, too many failures, or abort. Returns lastSeq. */
export async function runEventStream(opts: EventStreamOptions): Promise<number> {
  const doFetch = opts.fetch ?? globalThis.fetch.bind(globalThis)
  const sleep = opts.sleep ?? abortableSleep
  const maxAttempts = opts.maxAttempts ?? Infinity
  const { signal } = opts
  let lastSeq = opts.lastSeq ?? 0
  let failures = 0

  while (!signal.aborted) {
    opts.onStatus?.(failures === 0 ? 'connecting' : 'reconnecting', { attempt: failures })
    let outcome: ReadOutcome | 'failed' = 'failed'
    let error: ApiError | undefined
    try {
      const headers = new Headers(opts.headers?.())
      headers.set('Accept', 'text/event-stream')
      for (const [k, v] of Object.entries(resumeHeaders(lastSeq))) headers.set(k, v)
      const res = await doFetch(opts.url, { headers, signal, cache: 'no-store' })
      if (!res.ok || !res.body) {
        error = await toApiError(res)
        if (FATAL_STATUSES.has(res.status)) {
          opts.onStatus?.('error', { error })
          return lastSeq
        }
      } else {
        opts.onStatus?.('open')
        const before = lastSeq
        outcome = await readStream(res.body, opts, lastSeq, (seq) => (lastSeq = seq))
        if (lastSeq > before || outcome === 'gap') failures = 0
      }
    } catch (err) {
      if (signal.aborted) break
      error = err instanceof ApiError ? err : new ApiError({ title: 'Stream interrupted', status: 0, detail: String(err) })
    }
    if (outcome === 'terminal') {
      opts.onStatus?.('done')
      return lastSeq
    }
    if (signal.aborted) break
    if (outcome === 'gap') continue
    failures++
    if (failures >= maxAttempts) {
      opts.onStatus?.('error', { error: error ?? new ApiError({ title: 'Stream closed', status: 0 }) })
      return lastSeq
    }
    opts.onStatus?.('reconnecting', { attempt: failures, error })
    await sleep(backoffDelay(failures - 1, opts.backoff), signal)
  }
  opts.onStatus?.('closed')
  return lastSeq
}

async function readStream(
  body: ReadableStream<Uint8Array>,
  opts: EventStreamOptions,
  startSeq: number,
  setSeq: (seq: number) => void,
): Promise<ReadOutcome> {
  const reader = body.getReader()
  const decoder = new TextDecoder()
  const parser = new SseParser()
  const idleMs = opts.idleTimeoutMs ?? DEFAULT_IDLE_TIMEOUT_MS
  let lastSeq = startSeq
  try {
    for (;;) {
      const chunk = await readWithTimeout(reader, idleMs)
      if (chunk === 'idle') return 'idle'
      if (chunk.done) {
        parser.push(decoder.decode())
        return 'ended'
      }
      const batch: RunEvent[] = []
      let outcome: ReadOutcome | null = null
      for (const msg of parser.push(decoder.decode(chunk.value, { stream: true }))) {
        const ev = parseRunEvent(msg.data)
        if (!ev || ev.seq <= lastSeq) continue // malformed or duplicate
        if (ev.seq > lastSeq + 1) {
          outcome = 'gap'
          break
        }
        batch.push(ev)
        lastSeq = ev.seq
        if (isTerminalEvent(ev.type)) {
          outcome = 'terminal'
          break
        }
      }
      if (batch.length) {
        setSeq(lastSeq)
        opts.onEvents(batch)
      }
      if (outcome) return outcome
    }
  } finally {
    reader.cancel().catch(() => undefined)
  }
}

function readWithTimeout(
  reader: ReadableStreamDefaultReader<Uint8Array>,
  ms: number,
): Promise<ReadableStreamReadResult<Uint8Array> | 'idle'> {
  let timer: ReturnType<typeof setTimeout> | undefined
  const idle = new Promise<'idle'>((resolve) => {
    timer = setTimeout(() => resolve('idle'), ms)
  })
  return Promise.race([reader.read(), idle]).finally(() => clearTimeout(timer))
}
