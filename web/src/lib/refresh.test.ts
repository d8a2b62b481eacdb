import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest'
import { createRefresher } from './refresh'

/** A load that resolves when the test says so, counting calls. */
function controlledLoad() {
  const pending: (() => void)[] = []
  const load = vi.fn(() => new Promise<void>((resolve) => pending.push(resolve)))
  const finish = async () => {
    pending.shift()?.()
    await vi.advanceTimersByTimeAsync(0)
  }
  return { load, finish }
}

describe('createRefresher', () => {
  beforeEach(() => vi.useFakeTimers())
  afterEach(() => vi.useRealTimers())

  it('runs the first request at once and folds a burst into one trailing call', async () => {
    const { load, finish } = controlledLoad()
    const r = createRefresher(load, 300)
    r.request()
    expect(load).toHaveBeenCalledTimes(1)
    await finish()
    for (let i = 0; i < 10; i++) r.request()
    expect(load).toHaveBeenCalledTimes(1)
    await vi.advanceTimersByTimeAsync(299)
    expect(load).toHaveBeenCalledTimes(1)
    await vi.advanceTimersByTimeAsync(1)
    expect(load).toHaveBeenCalledTimes(2)
  })

  it('never overlaps: a request during a load runs after it, throttled', async () => {
    const { load, finish } = controlledLoad()
    const r = createRefresher(load, 300)
    r.request()
    r.request()
    r.request()
    await vi.advanceTimersByTimeAsync(1000)
    expect(load).toHaveBeenCalledTimes(1) // still in flight
    await finish()
    expect(load).toHaveBeenCalledTimes(2) // 300 ms had passed since it started
    await finish()
    expect(load).toHaveBeenCalledTimes(2)
  })

  it('flush skips the wait (the terminal event), but still not during a load', async () => {
    const { load, finish } = controlledLoad()
    const r = createRefresher(load, 300)
    r.request()
    await finish()
    r.request() // scheduled in 300 ms
    r.flush()
    expect(load).toHaveBeenCalledTimes(2)
    r.flush()
    expect(load).toHaveBeenCalledTimes(2)
    await finish()
    expect(load).toHaveBeenCalledTimes(3)
    await finish()
    await vi.advanceTimersByTimeAsync(1000)
    expect(load).toHaveBeenCalledTimes(3) // the scheduled one was folded into the flush
  })

  it('keeps going after a failed load and stops when cancelled', async () => {
    const load = vi.fn(() => Promise.reject(new Error('503')))
    const r = createRefresher(load, 300)
    r.request()
    await vi.advanceTimersByTimeAsync(0)
    r.request()
    await vi.advanceTimersByTimeAsync(300)
    expect(load).toHaveBeenCalledTimes(2)
    r.request()
    r.cancel()
    await vi.advanceTimersByTimeAsync(1000)
    r.flush()
    expect(load).toHaveBeenCalledTimes(2)
  })
})
