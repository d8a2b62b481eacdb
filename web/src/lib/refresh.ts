/**
 * A throttled refetch: `request()` as often as you like, `load` runs at most once per
 * `intervalMs` (first request at once, the rest folded into one trailing call), never
 * twice at the same time; `flush()` runs it as soon as the one in flight (if any) is done.
 * The trace page uses it to follow a live run's spans from its event stream.
 */
export interface Refresher {
  request: () => void
  flush: () => void
  cancel: () => void
}

export function createRefresher(load: () => Promise<unknown>, intervalMs: number, clock: () => number = Date.now): Refresher {
  let last = -Infinity
  let timer: ReturnType<typeof setTimeout> | null = null
  let inFlight = false
  let again: 'throttled' | 'now' | null = null
  let cancelled = false

  const clear = () => {
    if (timer !== null) clearTimeout(timer)
    timer = null
  }
  const run = () => {
    clear()
    if (cancelled) return
    inFlight = true
    last = clock()
    void load()
      .catch(() => undefined)
      .finally(() => {
        inFlight = false
        const next = again
        again = null
        if (next === 'now') flush()
        else if (next === 'throttled') request()
      })
  }
  function request() {
    if (cancelled) return
    if (inFlight) {
      again ??= 'throttled'
      return
    }
    if (timer !== null) return
    const wait = last + intervalMs - clock()
    if (wait <= 0) run()
    else timer = setTimeout(run, wait)
  }
  function flush() {
    if (cancelled) return
    if (inFlight) again = 'now'
    else run()
  }
  return {
    request,
    flush,
    cancel: () => {
      cancelled = true
      clear()
    },
  }
}
