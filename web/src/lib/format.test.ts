import { describe, expect, it } from 'vitest'
import { durationBetween, formatCost, formatDuration, formatTokens, preview } from './format'
import { exportFilename, serializeEvents } from './exportEvents'
import { logEvent } from '@/test/events'

describe('format', () => {
  it('formats durations', () => {
    expect(formatDuration(null)).toBe('—')
    expect(formatDuration(12.4)).toBe('12 ms')
    expect(formatDuration(1234)).toBe('1.23 s')
    expect(formatDuration(12_345)).toBe('12.3 s')
    expect(formatDuration(125_000)).toBe('2m 05s')
    expect(formatDuration(3_725_000)).toBe('1h 02m')
  })

  it('formats tokens and cost', () => {
    expect(formatTokens(1234)).toBe('1,234')
    expect(formatTokens(12_345)).toBe('12.3k')
    expect(formatTokens(2_500_000)).toBe('2.50M')
    expect(formatCost(0)).toBe('$0')
    expect(formatCost(0.00123)).toBe('$0.0012')
    expect(formatCost(1.5)).toBe('$1.50')
    expect(formatCost(null)).toBe('—')
  })

  it('measures durations between timestamps, open-ended to now', () => {
    expect(durationBetween('2025-01-01T00:00:00Z', '2025-01-01T00:00:02Z')).toBe(2000)
    expect(durationBetween('2025-01-01T00:00:00Z', null, Date.parse('2025-01-01T00:00:05Z'))).toBe(5000)
    expect(durationBetween(null, null)).toBeNull()
  })

  it('previews inputs', () => {
    expect(preview({ text: 'hello\n  world' })).toBe('hello world')
    expect(preview('x'.repeat(200), 10)).toBe('xxxxxxxxx…')
    expect(preview({ a: 1 })).toBe('{"a":1}')
  })
})

describe('exportEvents', () => {
  it('serialises JSON and JSONL in seq order', () => {
    const events = [logEvent(2, 'b'), logEvent(1, 'a')]
    const jsonl = serializeEvents(events, 'jsonl').trim().split('\n').map((l) => JSON.parse(l).seq)
    expect(jsonl).toEqual([1, 2])
    expect(JSON.parse(serializeEvents(events, 'json')).map((e: { seq: number }) => e.seq)).toEqual([1, 2])
    expect(serializeEvents([], 'jsonl')).toBe('')
    expect(exportFilename('run_1/x', 'jsonl')).toBe('run_1_x.events.jsonl')
  })
})
