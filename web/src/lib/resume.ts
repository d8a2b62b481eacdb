/**
 * Resume logic shared by the replay (GET /events pages) and the live SSE stream.
 *
 * The server's log is gap-free from seq 1, so the client's position is one number: the
 * highest seq it holds with nothing missing below it. That is what a reconnect sends as
 * `Last-Event-ID`; anything the client held above a gap is fetched again and deduped.
 */
import type { RunEvent } from '@/api/types'
import { TERMINAL_EVENT_TYPES } from '@/api/types'

export type TerminalEventType = (typeof TERMINAL_EVENT_TYPES)[number]

export function isTerminalEvent(type: string): type is TerminalEventType {
  return (TERMINAL_EVENT_TYPES as readonly string[]).includes(type)
}

/** Index of the first event with seq >= `seq` in a seq-sorted array. */
export function lowerBound(events: readonly RunEvent[], seq: number): number {
  let lo = 0
  let hi = events.length
  while (lo < hi) {
    const mid = (lo + hi) >>> 1
    if (events[mid]!.seq < seq) lo = mid + 1
    else hi = mid
  }
  return lo
}

export function hasSeq(events: readonly RunEvent[], seq: number): boolean {
  const i = lowerBound(events, seq)
  return i < events.length && events[i]!.seq === seq
}

/**
 * Merge `incoming` into the seq-sorted, duplicate-free `existing`. The first copy of a
 * seq wins. Returns `existing` itself when nothing is new (cheap change detection).
 */
export function mergeEvents(existing: readonly RunEvent[], incoming: readonly RunEvent[]): RunEvent[] {
  const fresh = new Map<number, RunEvent>()
  for (const ev of incoming) {
    if (!Number.isFinite(ev.seq) || fresh.has(ev.seq) || hasSeq(existing, ev.seq)) continue
    fresh.set(ev.seq, ev)
  }
  if (fresh.size === 0) return existing as RunEvent[]
  const add = [...fresh.values()].sort((a, b) => a.seq - b.seq)
  const last = existing[existing.length - 1]
  if (!last || add[0]!.seq > last.seq) return [...existing, ...add]
  const out: RunEvent[] = []
  let i = 0
  let j = 0
  while (i < existing.length || j < add.length) {
    if (j >= add.length || (i < existing.length && existing[i]!.seq < add[j]!.seq)) out.push(existing[i++]!)
    else out.push(add[j++]!)
  }
  return out
}

/**
 * Highest seq `n` such that every seq in (base, n] is present, where `base` is the seq
 * the log was requested after (0 = from the start). This is the resume cursor.
 */
export function contiguousSeq(events: readonly RunEvent[], base = 0): number {
  let seq = base
  for (let i = lowerBound(events, base + 1); i < events.length; i++) {
    const ev = events[i]!
    if (ev.seq === seq + 1) seq = ev.seq
    else if (ev.seq > seq + 1) break
  }
  return seq
}

export function hasTerminal(events: readonly RunEvent[]): boolean {
  // Terminal events are the last thing a run writes; look from the end.
  for (let i = events.length - 1; i >= 0 && i >= events.length - 5; i--) {
    if (isTerminalEvent(events[i]!.type)) return true
  }
  return events.some((e) => isTerminalEvent(e.type))
}

/** Headers for (re)opening the stream after `lastSeq` (none when starting from 0). */
export function resumeHeaders(lastSeq: number): Record<string, string> {
  return lastSeq > 0 ? { 'Last-Event-ID': String(lastSeq) } : {}
}

export type ResumePlan =
  | { action: 'done'; lastSeq: number }
  | { action: 'stream'; lastSeq: number; headers: Record<string, string> }

/**
 * After replaying pages of the log: if the run already ended (and we hold everything up
 * to its terminal event) there is nothing to stream; otherwise stream after the
 * contiguous high-water mark.
 */
export function planResume(events: readonly RunEvent[], base = 0): ResumePlan {
  const lastSeq = contiguousSeq(events, base)
  const terminal = events.find((e) => isTerminalEvent(e.type))
  if (terminal && terminal.seq <= lastSeq) return { action: 'done', lastSeq }
  return { action: 'stream', lastSeq, headers: resumeHeaders(lastSeq) }
}

export interface BackoffOptions {
  baseMs?: number
  maxMs?: number
  /** 0..1 share of the delay that is randomised (full jitter at 1). */
  jitter?: number
  random?: () => number
}

/** Exponential backoff: base · 2^attempt, capped, with proportional jitter. */
export function backoffDelay(attempt: number, opts: BackoffOptions = {}): number {
  const { baseMs = 500, maxMs = 15_000, jitter = 0.3, random = Math.random } = opts
  const raw = Math.min(maxMs, baseMs * 2 ** Math.max(0, attempt))
  return Math.round(raw * (1 - jitter) + raw * jitter * random())
}
