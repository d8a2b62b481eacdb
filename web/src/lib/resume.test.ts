import { describe, expect, it } from 'vitest'
import { ev } from '@/test/events'
import { backoffDelay, contiguousSeq, hasTerminal, isTerminalEvent, mergeEvents, planResume, resumeHeaders } from './resume'

const seqs = (events: { seq: number }[]) => events.map((e) => e.seq)

describe('mergeEvents', () => {
  it('appends newer events', () => {
    const a = [ev(1, 'a'), ev(2, 'b')]
    expect(seqs(mergeEvents(a, [ev(3, 'c'), ev(4, 'd')]))).toEqual([1, 2, 3, 4])
  })

  it('returns the same array when nothing is new', () => {
    const a = [ev(1, 'a'), ev(2, 'b')]
    expect(mergeEvents(a, [ev(1, 'a'), ev(2, 'b')])).toBe(a)
    expect(mergeEvents(a, [])).toBe(a)
  })

  it('merges a replayed page overlapping live events without duplicates', () => {
    const live = [ev(5, 'x'), ev(6, 'y')]
    const page = [1, 2, 3, 4, 5, 6].map((s) => ev(s, 'p'))
    const merged = mergeEvents(live, page)
    expect(seqs(merged)).toEqual([1, 2, 3, 4, 5, 6])
    // The copy already held wins.
    expect(merged[4]!.type).toBe('x')
  })

  it('sorts out-of-order input and drops duplicates within the batch', () => {
    expect(seqs(mergeEvents([], [ev(3, 'c'), ev(1, 'a'), ev(3, 'c2'), ev(2, 'b')]))).toEqual([1, 2, 3])
  })

  it('fills holes', () => {
    expect(seqs(mergeEvents([ev(1, 'a'), ev(4, 'd')], [ev(3, 'c'), ev(2, 'b')]))).toEqual([1, 2, 3, 4])
  })
})

describe('contiguousSeq', () => {
  it('is the highest seq with nothing missing below it', () => {
    expect(contiguousSeq([])).toBe(0)
    expect(contiguousSeq([ev(1, 'a'), ev(2, 'b'), ev(4, 'd')])).toBe(2)
    expect(contiguousSeq([ev(2, 'b')])).toBe(0)
  })

  it('counts from a base when the log was requested after a cursor', () => {
    expect(contiguousSeq([ev(11, 'a'), ev(12, 'b')], 10)).toBe(12)
    expect(contiguousSeq([ev(3, 'a'), ev(11, 'a'), ev(13, 'b')], 10)).toBe(11)
  })
})

describe('planResume', () => {
  it('streams from the start when nothing is held', () => {
    expect(planResume([])).toEqual({ action: 'stream', lastSeq: 0, headers: {} })
  })

  it('streams after the contiguous high-water mark', () => {
    expect(planResume([ev(1, 'run.started'), ev(2, 'step.started'), ev(4, 'x')])).toEqual({
      action: 'stream',
      lastSeq: 2,
      headers: { 'Last-Event-ID': '2' },
    })
  })

  it('is done when the terminal event is held with no gap before it', () => {
    expect(planResume([ev(1, 'run.started'), ev(2, 'run.completed')])).toEqual({ action: 'done', lastSeq: 2 })
  })

  it('still streams when a terminal event sits above a gap', () => {
    expect(planResume([ev(1, 'run.started'), ev(3, 'run.failed')]).action).toBe('stream')
  })
})

describe('helpers', () => {
  it('recognises terminal events', () => {
    expect(['run.completed', 'run.failed', 'run.cancelled'].every(isTerminalEvent)).toBe(true)
    expect(isTerminalEvent('run.started')).toBe(false)
    expect(hasTerminal([ev(1, 'run.started'), ev(2, 'run.cancelled')])).toBe(true)
    expect(hasTerminal([ev(1, 'run.started')])).toBe(false)
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
