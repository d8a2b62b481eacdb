import { describe, expect, it } from 'vitest'
import { logEvent, runCancelled, runCompleted, runFailed, runStarted, stepStarted } from '@/test/events'
import { backoffDelay, contiguousSeq, hasTerminal, isTerminalEvent, mergeEvents, planResume, resumeHeaders } from './resume'

const seqs = (events: { seq: number }[]) => events.map((e) => e.seq)

describe('mergeEvents', () => {
  it('appends newer events', () => {
    const a = [logEvent(1, 'a'), logEvent(2, 'b')]
    expect(seqs(mergeEvents(a, [logEvent(3, 'c'), logEvent(4, 'd')]))).toEqual([1, 2, 3, 4])
  })

  it('returns the same array when nothing is new', () => {
    const a = [logEvent(1, 'a'), logEvent(2, 'b')]
    expect(mergeEvents(a, [logEvent(1, 'a'), logEvent(2, 'b')])).toBe(a)
    expect(mergeEvents(a, [])).toBe(a)
  })

  it('merges a replayed page overlapping live events without duplicates', () => {
    const live = [logEvent(5, 'x'), logEvent(6, 'y')]
    const page = [1, 2, 3, 4, 5, 6].map((s) => logEvent(s, 'p'))
    const merged = mergeEvents(live, page)
    expect(seqs(merged)).toEqual([1, 2, 3, 4, 5, 6])
    // The copy already held wins.
    expect(merged[4]!.agent_id).toBe('x')
  })

  it('sorts out-of-order input and drops duplicates within the batch', () => {
    expect(seqs(mergeEvents([], [logEvent(3, 'c'), logEvent(1, 'a'), logEvent(3, 'c2'), logEvent(2, 'b')]))).toEqual([1, 2, 3])
  })

  it('fills holes', () => {
    expect(seqs(mergeEvents([logEvent(1, 'a'), logEvent(4, 'd')], [logEvent(3, 'c'), logEvent(2, 'b')]))).toEqual([1, 2, 3, 4])
  })
})

describe('contiguousSeq', () => {
  it('is the highest seq with nothing missing below it', () => {
    expect(contiguousSeq([])).toBe(0)
    expect(contiguousSeq([logEvent(1, 'a'), logEvent(2, 'b'), logEvent(4, 'd')])).toBe(2)
    expect(contiguousSeq([logEvent(2, 'b')])).toBe(0)
  })

  it('counts from a base when the log was requested after a cursor', () => {
    expect(contiguousSeq([logEvent(11, 'a'), logEvent(12, 'b')], 10)).toBe(12)
    expect(contiguousSeq([logEvent(3, 'a'), logEvent(11, 'a'), logEvent(13, 'b')], 10)).toBe(11)
  })
})

describe('planResume', () => {
  it('streams from the start when nothing is held', () => {
    expect(planResume([])).toEqual({ action: 'stream', lastSeq: 0, headers: {} })
  })

  it('streams after the contiguous high-water mark', () => {
    expect(planResume([runStarted(1), stepStarted(2, 1), logEvent(4, 'x')])).toEqual({
      action: 'stream',
      lastSeq: 2,
      headers: { 'Last-Event-ID': '2' },
    })
  })

  it('is done when the terminal event is held with no gap before it', () => {
    expect(planResume([runStarted(1), runCompleted(2, 'ok')])).toEqual({ action: 'done', lastSeq: 2 })
  })

  it('still streams when a terminal event sits above a gap', () => {
    expect(planResume([runStarted(1), runFailed(3, 'boom')]).action).toBe('stream')
  })
})

describe('helpers', () => {
  it('recognises terminal events', () => {
    expect(['run.completed', 'run.failed', 'run.cancelled'].every(isTerminalEvent)).toBe(true)
    expect(isTerminalEvent('run.started')).toBe(false)
    expect(hasTerminal([runStarted(1), runCancelled(2, 'user')])).toBe(true)
    expect(hasTerminal([runStarted(1)])).toBe(false)
  })

  it('sends Last-Event-ID only after seq 0', () => {
    expect(resumeHeaders(0)).toEqual({})
    expect(resumeHeaders(42)).toEqual({ 'Last-Event-ID': '42' })
  })

  it('backs off exponentially with a cap and bounded jitter', () => {
    const fixed = { jitter: 0, baseMs: 500, maxMs: 8000 }
    expect([0, 1, 2, 3, 4, 5, 10].map((a) => backoffDelay(a, fixed))).toEqual([500, 1000, 2000, 4000, 8000, 8000, 8000])
    const lo = backoffDelay(2, { baseMs: 1000, jitter: 0.5, random: () => 0 })
    const hi = backoffDelay(2, { baseMs: 1000, jitter: 0.5, random: () => 0.999999 })
    expect(lo).toBe(2000)
    expect(hi).toBe(4000)
  })
})
