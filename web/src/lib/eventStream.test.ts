import { describe, expect, it } from 'vitest'
import type { RunEvent } from '@/api/types'
import { runCompleted, runStarted, token } from '@/test/events'
import { runEventStream, type StreamStatus } from './eventStream'

function frame(e: RunEvent): string {
  return `id: ${e.seq}\nevent: ${e.type}\ndata: ${JSON.stringify(e)}\n\n`
}

type Script = { status?: number; chunks?: string[]; body?: string; error?: boolean }

/** A fake fetch that answers each connection attempt from a script and records requests. */
function fakeFetch(scripts: Script[]) {
  const requests: { url: string; headers: Headers }[] = []
  const enc = new TextEncoder()
  const impl = async (url: RequestInfo | URL, init?: RequestInit): Promise<Response> => {
    requests.push({ url: String(url), headers: new Headers(init?.headers) })
    const s = scripts.shift()
    if (!s || s.error) throw new TypeError('network down')
    if (s.status && s.status >= 400) {
      return new Response(JSON.stringify({ title: 'Not Found', status: s.status, detail: 'no run' }), {
        status: s.status,
        headers: { 'Content-Type': 'application/problem+json' },
      })
    }
    const chunks = s.chunks ?? []
    const body = new ReadableStream<Uint8Array>({
      start(controller) {
        for (const c of chunks) controller.enqueue(enc.encode(c))
        controller.close()
      },
    })
    return new Response(body, { status: 200, headers: { 'Content-Type': 'text/event-stream' } })
  }
  return { impl: impl as typeof fetch, requests }
}

async function collect(scripts: Script[], extra: Partial<Parameters<typeof runEventStream>[0]> = {}) {
  const { impl, requests } = fakeFetch(scripts)
  const received: RunEvent[] = []
  const statuses: StreamStatus[] = []
  const sleeps: number[] = []
  const lastSeq = await runEventStream({
    url: '/api/runs/run_1/stream',
    signal: new AbortController().signal,
    fetch: impl,
    headers: () => ({ Authorization: 'Bearer t' }),
    onEvents: (b) => received.push(...b),
    onStatus: (s) => statuses.push(s),
    sleep: async (ms) => void sleeps.push(ms),
    backoff: { jitter: 0, baseMs: 100 },
    ...extra,
  })
  return { received, statuses, sleeps, requests, lastSeq }
}

const run = [runStarted(1), token(2, 1, 'hi'), token(3, 1, '!'), runCompleted(4, 'hi!')]

describe('runEventStream', () => {
  it('delivers events and stops after the terminal event', async () => {
    const r = await collect([{ chunks: [run.map(frame).join('')] }])
    expect(r.received.map((e) => e.seq)).toEqual([1, 2, 3, 4])
    expect(r.statuses).toEqual(['connecting', 'open', 'done'])
    expect(r.lastSeq).toBe(4)
    expect(r.requests).toHaveLength(1)
    expect(r.requests[0]!.headers.get('Authorization')).toBe('Bearer t')
    expect(r.requests[0]!.headers.get('Accept')).toBe('text/event-stream')
    expect(r.requests[0]!.headers.has('Last-Event-ID')).toBe(false)
  })

  it('handles frames split across chunks, with keep-alives', async () => {
    const text = ': ping\n\n' + run.map(frame).join(': ping\n\n')
    const chunks = text.match(/[\s\S]{1,7}/g)!
    const r = await collect([{ chunks }])
    expect(r.received.map((e) => e.seq)).toEqual([1, 2, 3, 4])
  })

  it('reconnects after a dropped connection with Last-Event-ID and skips the replayed duplicates', async () => {
    const r = await collect([
      { chunks: [frame(run[0]!), frame(run[1]!)] }, // drops after seq 2
      { error: true }, // network down
      { chunks: [frame(run[1]!), frame(run[2]!), frame(run[3]!)] }, // server replays 2
    ])
    expect(r.received.map((e) => e.seq)).toEqual([1, 2, 3, 4])
    expect(r.requests.map((q) => q.headers.get('Last-Event-ID'))).toEqual([null, '2', '2'])
    expect(r.statuses).toContain('reconnecting')
    expect(r.sleeps).toEqual([100, 200])
  })

  it('resets the backoff after a connection makes progress', async () => {
    const r = await collect([
      { error: true },
      { chunks: [frame(run[0]!)] },
      { error: true },
      { chunks: [frame(run[1]!), frame(run[2]!), frame(run[3]!)] },
    ])
    expect(r.received.map((e) => e.seq)).toEqual([1, 2, 3, 4])
    // fail → 100; progress then drop → back to 100; fail again → 200
    expect(r.sleeps).toEqual([100, 100, 200])
  })

  it('never skips: on a gap it reconnects from the last contiguous seq', async () => {
    const r = await collect([
      { chunks: [frame(run[0]!), frame(run[2]!)] }, // seq 2 missing
      { chunks: [frame(run[1]!), frame(run[2]!), frame(run[3]!)] },
    ])
    expect(r.received.map((e) => e.seq)).toEqual([1, 2, 3, 4])
    expect(r.requests[1]!.headers.get('Last-Event-ID')).toBe('1')
    expect(r.sleeps).toEqual([])
  })

  it('resumes from a given seq', async () => {
    const r = await collect([{ chunks: [frame(run[2]!), frame(run[3]!)] }], { lastSeq: 2 })
    expect(r.requests[0]!.headers.get('Last-Event-ID')).toBe('2')
    expect(r.received.map((e) => e.seq)).toEqual([3, 4])
  })

  it('stops on a fatal HTTP status and reports the problem', async () => {
    const errors: unknown[] = []
    const { impl } = fakeFetch([{ status: 404 }])
    await runEventStream({
      url: '/x',
      signal: new AbortController().signal,
      fetch: impl,
      onEvents: () => undefined,
      onStatus: (s, d) => s === 'error' && errors.push(d?.error),
    })
    expect(errors).toHaveLength(1)
    expect(errors[0]).toMatchObject({ status: 404, title: 'Not Found', detail: 'no run' })
  })

  it('gives up after maxAttempts consecutive failures', async () => {
    const r = await collect([{ error: true }, { status: 503 }, { error: true }], { maxAttempts: 3 })
    expect(r.statuses[r.statuses.length - 1]).toBe('error')
    expect(r.requests).toHaveLength(3)
  })

  it('stops when aborted', async () => {
    const ctrl = new AbortController()
    const { impl, requests } = fakeFetch([{ chunks: [frame(run[0]!)] }, { chunks: [] }, { chunks: [] }])
    const statuses: string[] = []
    await runEventStream({
      url: '/x',
      signal: ctrl.signal,
      fetch: impl,
      onEvents: () => ctrl.abort(),
      onStatus: (s) => statuses.push(s),
      sleep: async () => undefined,
    })
    expect(requests).toHaveLength(1)
    expect(statuses[statuses.length - 1]).toBe('closed')
  })

  it('reconnects when the connection goes silent', async () => {
    const { impl: base } = fakeFetch([])
    let n = 0
    const enc = new TextEncoder()
    const impl = (async (url: RequestInfo | URL, init?: RequestInit) => {
      n++
      if (n === 1) {
        // Sends one event then hangs forever.
        const body = new ReadableStream<Uint8Array>({ start: (c) => c.enqueue(enc.encode(frame(run[0]!))) })
        return new Response(body, { status: 200 })
      }
      void base
      void url
      const seen = new Headers(init?.headers).get('Last-Event-ID')
      const rest = run.filter((e) => e.seq > Number(seen)).map(frame).join('')
      return new Response(rest, { status: 200 })
    }) as typeof fetch
    const got: number[] = []
    await runEventStream({
      url: '/x',
      signal: new AbortController().signal,
      fetch: impl,
      idleTimeoutMs: 20,
      onEvents: (b) => got.push(...b.map((e) => e.seq)),
      sleep: async () => undefined,
    })
    expect(got).toEqual([1, 2, 3, 4])
    expect(n).toBe(2)
  })

  it('skips malformed frames', async () => {
    const r = await collect([{ chunks: ['data: not json\n\n', 'event: x\ndata: {"nope":1}\n\n', run.map(frame).join('')] }])
    expect(r.received.map((e) => e.seq)).toEqual([1, 2, 3, 4])
  })
})
