/**
 * The server's spans → the trace waterfall. The span tree is derived once, on the server
 * (`GET /api/runs/{id}/trace`, src/openintern/runs/trace.py); this module only nests the
 * flat list by `parent_span_id` and lays it out:
 *
 *   run ─┬─ step 1 ─┬─ llm call
 *        │          ├─ tool call
 *        │          └─ child run ── step 1 ── …   (the child's spans: `<child id>/step-1`)
 *        └─ step 2 …
 *
 * plus what the live page needs from the event stream: which events move span
 * boundaries (so the trace is fetched again) and the text of calls still streaming.
 */
import type { RunEvent, TraceSpan } from '@/api/types'

export interface SpanNode {
  span: TraceSpan
  /** Epoch ms of `span.start` / `span.end` (null while the span is open). */
  start: number
  end: number | null
  children: SpanNode[]
}

const toMs = (iso: string | null): number | null => {
  if (!iso) return null
  const t = Date.parse(iso)
  return Number.isNaN(t) ? null : t
}

/**
 * Nest spans under their parents, children in start order. A span whose parent is not in
 * the list (or that sits on a parent cycle) becomes a root: every span is shown once.
 */
export function nestSpans(spans: readonly TraceSpan[]): SpanNode[] {
  const nodes = new Map<string, SpanNode>()
  for (const span of spans) {
    if (!nodes.has(span.span_id)) nodes.set(span.span_id, { span, start: toMs(span.start) ?? 0, end: toMs(span.end), children: [] })
  }
  const roots: SpanNode[] = []
  for (const node of nodes.values()) {
    const parent = node.span.parent_span_id ? nodes.get(node.span.parent_span_id) : undefined
    if (parent && parent !== node) parent.children.push(node)
    else roots.push(node)
  }
  const seen = new Set<SpanNode>()
  const visit = (n: SpanNode) => {
    seen.add(n)
    n.children.sort((a, b) => a.start - b.start)
    n.children.forEach(visit)
  }
  roots.sort((a, b) => a.start - b.start).forEach(visit)
  for (const node of nodes.values()) {
    if (seen.has(node)) continue
    // On a cycle: cut it here.
    const parent = nodes.get(node.span.parent_span_id ?? '')
    if (parent) parent.children = parent.children.filter((c) => c !== node)
    roots.push(node)
    visit(node)
  }
  return roots
}

/** Every node, depth-first. */
export function flattenSpans(roots: readonly SpanNode[]): SpanNode[] {
  const out: SpanNode[] = []
  const walk = (n: SpanNode) => {
    out.push(n)
    n.children.forEach(walk)
  }
  roots.forEach(walk)
  return out
}

export function spanDuration(node: SpanNode, now: number): number {
  return Math.max(0, (node.end ?? now) - node.start)
}

export interface WaterfallRow {
  node: SpanNode
  depth: number
  offsetMs: number
  durationMs: number
  leftPct: number
  widthPct: number
}

/** Rows for the waterfall: offsets from the earliest start, widths as a share of the whole; open spans end at `now`. */
export function layoutWaterfall(roots: readonly SpanNode[], now: number, minWidthPct = 0.4): { rows: WaterfallRow[]; totalMs: number; startMs: number } {
  const all = flattenSpans(roots)
  if (all.length === 0) return { rows: [], totalMs: 1, startMs: now }
  const startMs = Math.min(...all.map((n) => n.start))
  const endMs = Math.max(...all.map((n) => n.end ?? now))
  const totalMs = Math.max(1, endMs - startMs)
  const rows: WaterfallRow[] = []
  const walk = (node: SpanNode, depth: number) => {
    const offsetMs = node.start - startMs
    const durationMs = spanDuration(node, now)
    const leftPct = Math.min(100, (offsetMs / totalMs) * 100)
    const widthPct = Math.min(100 - leftPct, Math.max(minWidthPct, (durationMs / totalMs) * 100))
    rows.push({ node, depth, offsetMs, durationMs, leftPct, widthPct })
    node.children.forEach((c) => walk(c, depth + 1))
  }
  roots.forEach((r) => walk(r, 0))
  return { rows, totalMs, startMs }
}

export interface TraceCounts {
  llmCalls: number
  toolCalls: number
  childRuns: number
  errors: number
}

/** Calls and errors over the whole trace (children's spans included). */
export function traceCounts(spans: readonly TraceSpan[]): TraceCounts {
  const c: TraceCounts = { llmCalls: 0, toolCalls: 0, childRuns: 0, errors: 0 }
  for (const s of spans) {
    if (s.kind === 'llm') c.llmCalls++
    else if (s.kind === 'tool') c.toolCalls++
    else if (s.kind === 'child_run') c.childRuns++
    if (s.status === 'error') c.errors++
  }
  return c
}

/** The run a `child_run` span stands for (null for other spans). */
export function childRunId(span: TraceSpan): string | null {
  const id = span.kind === 'child_run' ? span.attributes?.run_id : null
  return typeof id === 'string' ? id : null
}

/**
 * Whether an event of this run's log belongs to `span`: its own events and those of the
 * calls under it; for a child run, the events that started and ended it. (A child's own
 * events are in its log, on its trace page.)
 */
export function eventInSpan(ev: RunEvent, span: TraceSpan): boolean {
  if (span.kind === 'run' && span.parent_span_id === null) return true
  const child = childRunId(span)
  if (child !== null) {
    return (ev.type === 'run.children_started' || ev.type === 'run.children_completed') && ev.payload.children.some((c) => c.run_id === child)
  }
  return ev.span_id === span.span_id || ev.parent_span_id === span.span_id
}

/**
 * Whether an event moves a span boundary, so the trace is worth fetching again: every
 * event but streamed tokens, and the first token of a call the trace does not hold yet.
 */
export function movesSpans(ev: RunEvent, known: ReadonlySet<string>): boolean {
  if (ev.type === 'llm.token') return ev.span_id !== null && !known.has(ev.span_id)
  return true
}

/** Text streamed so far per LLM span id (`llm.token` deltas): the live preview of open calls. */
export function streamedText(events: readonly RunEvent[]): Map<string, string> {
  const out = new Map<string, string>()
  for (const ev of events) {
    if (ev.type === 'llm.token' && ev.span_id) out.set(ev.span_id, (out.get(ev.span_id) ?? '') + ev.payload.delta)
  }
  return out
}
