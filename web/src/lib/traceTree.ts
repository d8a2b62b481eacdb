/**
 * Run events → span tree for the trace waterfall:
 *
 *   run ─┬─ step 1 ─┬─ llm call(s)      (end = llm.called ts, start = ts − duration_ms)
 *        │          └─ tool call(s)     (tool.called / requires_approval → result|blocked|rejected)
 *        ├─ step 2 …
 *        └─ child run(s)                (by parent_run_id; nested under the tool call that
 *                                        mentions them, else under the run)
 *
 * Open spans are closed at the run's end when the run ended, or measured to `now`.
 */
import type { RunEvent } from '@/api/types'
import { isTerminalEvent } from './resume'

export type SpanKind = 'run' | 'step' | 'llm' | 'tool' | 'child_run'
export type SpanStatus = 'running' | 'ok' | 'error' | 'blocked' | 'waiting' | 'cancelled'

export interface Span {
  id: string
  kind: SpanKind
  name: string
  start: number
  end: number | null
  status: SpanStatus
  agentId: string | null
  step: number | null
  /** seqs of the events that make up this span (for filtering the event list). */
  seqs: number[]
  attrs: Record<string, unknown>
  children: Span[]
}

export interface ChildRunInput {
  runId: string
  status?: string
  createdAt?: string | null
  startedAt?: string | null
  finishedAt?: string | null
  label?: string
  events?: readonly RunEvent[]
}

export interface TraceOptions {
  runId: string
  childRuns?: ChildRunInput[]
  /** Fallbacks when the log has no run.started yet (e.g. a queued run). */
  startedAt?: string | null
}

const toMs = (ts: string | null | undefined): number | null => {
  if (!ts) return null
  const t = Date.parse(ts)
  return Number.isNaN(t) ? null : t
}

function span(kind: SpanKind, id: string, name: string, start: number, ev?: RunEvent): Span {
  return {
    id,
    kind,
    name,
    start,
    end: null,
    status: 'running',
    agentId: ev?.agent_id ?? null,
    step: ev?.step ?? null,
    seqs: ev ? [ev.seq] : [],
    attrs: {},
    children: [],
  }
}

const TERMINAL_STATUS: Record<string, SpanStatus> = {
  'run.completed': 'ok',
  'run.failed': 'error',
  'run.cancelled': 'cancelled',
}

/** Build the span tree of one run (and, recursively, of its children). */
export function buildTraceTree(events: readonly RunEvent[], opts: TraceOptions): Span {
  const sorted = [...events].sort((a, b) => a.seq - b.seq)
  const firstTs = toMs(sorted[0]?.ts) ?? toMs(opts.startedAt) ?? Date.now()
  const root = span('run', opts.runId, opts.runId, firstTs)
  root.attrs.runId = opts.runId
  root.agentId = sorted[0]?.agent_id ?? null
  const steps = new Map<number, Span>()
  const tools = new Map<string, Span>()
  const approvals = new Map<string, Span>()
  const llmCount = new Map<number, number>()
  const firstTokenTs = new Map<number, number>()
  /** LLM calls still streaming (tokens seen, no llm.called yet), by step: shown live. */
  const streaming = new Map<number, Span>()
  let currentStep: number | null = null

  const stepSpan = (n: number, ev: RunEvent, ts: number): Span => {
    let s = steps.get(n)
    if (!s) {
      s = span('step', `${opts.runId}:step:${n}`, `step ${n}`, ts, ev)
      s.step = n
      steps.set(n, s)
      root.children.push(s)
    } else if (!s.seqs.includes(ev.seq)) s.seqs.push(ev.seq)
    return s
  }
  const parentFor = (ev: RunEvent, ts: number): Span => {
    const n = typeof ev.step === 'number' ? ev.step : currentStep
    return n === null ? root : stepSpan(n, ev, ts)
  }

  for (const ev of sorted) {
    const ts = toMs(ev.ts) ?? root.start
    const p = (ev.payload ?? {}) as Record<string, unknown>
    if (!root.seqs.includes(ev.seq) && (ev.type.startsWith('run.') || root.seqs.length === 0)) root.seqs.push(ev.seq)
    switch (ev.type) {
      case 'run.started':
        root.start = Math.min(root.start, ts)
        break
      case 'step.started': {
        const n = typeof ev.step === 'number' ? ev.step : Number(p.step)
        if (Number.isFinite(n)) {
          currentStep = n
          const s = stepSpan(n, ev, ts)
          s.start = Math.min(s.start, ts)
        }
        break
      }
      case 'step.completed': {
        const n = typeof ev.step === 'number' ? ev.step : Number(p.step)
        const s = Number.isFinite(n) ? stepSpan(n, ev, ts) : null
        if (s) {
          s.end = ts
          s.status = s.children.some((c) => c.status === 'error') ? 'error' : 'ok'
        }
        break
      }
      case 'llm.token': {
        const n = ev.step ?? currentStep ?? -1
        if (!firstTokenTs.has(n)) firstTokenTs.set(n, ts)
        let s = streaming.get(n)
        if (!s) {
          s = span('llm', `${opts.runId}:llm:${n}:${(llmCount.get(n) ?? 0) + 1}`, 'llm call (streaming)', ts, ev)
          streaming.set(n, s)
          parentFor(ev, ts).children.push(s)
        } else s.seqs.push(ev.seq)
        break
      }
      case 'llm.called': {
        const parent = parentFor(ev, ts)
        const n = ev.step ?? currentStep ?? -1
        const k = (llmCount.get(n) ?? 0) + 1
        llmCount.set(n, k)
        const dur = typeof p.duration_ms === 'number' ? p.duration_ms : null
        const tokenStart = firstTokenTs.get(n)
        firstTokenTs.delete(n)
        const start = dur !== null ? ts - dur : (tokenStart ?? ts)
        const name = [p.provider, p.model].filter((x) => typeof x === 'string' && x).join(' / ') || 'llm call'
        const live = streaming.get(n)
        streaming.delete(n)
        const s = live ?? span('llm', `${opts.runId}:llm:${n}:${k}`, name, start, ev)
        if (live) {
          Object.assign(s, { name, start })
          s.seqs.push(ev.seq)
        }
        s.end = ts
        s.status = p.finish_reason === 'error' ? 'error' : 'ok'
        s.attrs = { usage: p.usage, cost_usd: p.cost_usd, finish_reason: p.finish_reason, duration_ms: dur, model: p.model, provider: p.provider }
        if (!live) parent.children.push(s)
        parent.start = Math.min(parent.start, start)
        break
      }
      case 'tool.called':
      case 'tool.requires_approval': {
        const id = String(p.tool_call_id ?? `seq${ev.seq}`)
        let s = tools.get(id)
        if (!s) {
          s = span('tool', `${opts.runId}:tool:${id}`, String(p.name ?? 'tool'), ts, ev)
          s.attrs = { tool_call_id: id, arguments: p.arguments }
          tools.set(id, s)
          parentFor(ev, ts).children.push(s)
        } else s.seqs.push(ev.seq)
        if (ev.type === 'tool.requires_approval') {
          s.status = 'waiting'
          s.attrs.approval_id = p.approval_id
          if (typeof p.approval_id === 'string') approvals.set(p.approval_id, s)
        } else if (s.status === 'waiting') s.status = 'running'
        break
      }
      case 'tool.approved':
      case 'tool.rejected': {
        const s = typeof p.approval_id === 'string' ? approvals.get(p.approval_id) : undefined
        if (!s) break
        s.seqs.push(ev.seq)
        s.attrs.approval = ev.type === 'tool.approved' ? 'approved' : 'rejected'
        s.attrs.approval_comment = p.comment
        if (ev.type === 'tool.rejected') {
          s.status = 'error'
          s.end = ts
        } else if (s.status === 'waiting') s.status = 'running'
        break
      }
      case 'tool.result':
      case 'tool.blocked': {
        const id = String(p.tool_call_id ?? `seq${ev.seq}`)
        let s = tools.get(id)
        if (!s) {
          const dur = typeof p.duration_ms === 'number' ? p.duration_ms : 0
          s = span('tool', `${opts.runId}:tool:${id}`, String(p.name ?? 'tool'), ts - dur, ev)
          s.attrs = { tool_call_id: id }
          tools.set(id, s)
          parentFor(ev, ts).children.push(s)
        } else s.seqs.push(ev.seq)
        s.end = ts
        if (ev.type === 'tool.blocked') {
          s.status = 'blocked'
          s.attrs.reason = p.reason
        } else {
          s.status = p.is_error === true ? 'error' : 'ok'
          s.attrs.result = p.result
          s.attrs.duration_ms = p.duration_ms
        }
        break
      }
      default:
        if (isTerminalEvent(ev.type)) {
          root.end = ts
          root.status = TERMINAL_STATUS[ev.type] ?? 'ok'
          root.attrs.output = p.output
          root.attrs.error = p.error
        } else if (typeof ev.step === 'number') {
          stepSpan(ev.step, ev, ts)
        }
    }
  }

  for (const child of opts.childRuns ?? []) attachChild(root, tools, child)
  if (root.end !== null) closeOpen(root, root.end, root.status)
  sortChildren(root)
  return root
}

function attachChild(root: Span, tools: Map<string, Span>, child: ChildRunInput): void {
  const sub = buildTraceTree(child.events ?? [], { runId: child.runId, startedAt: child.startedAt ?? child.createdAt })
  sub.kind = 'child_run'
  sub.name = child.label ?? child.runId
  if (!child.events?.length) {
    sub.start = toMs(child.startedAt) ?? toMs(child.createdAt) ?? root.start
    sub.end = toMs(child.finishedAt)
    sub.status = ({ completed: 'ok', failed: 'error', cancelled: 'cancelled', waiting: 'waiting' } as Record<string, SpanStatus>)[child.status ?? ''] ?? 'running'
  }
  const parent =
    [...tools.values()].find((t) => JSON.stringify([t.attrs.result ?? null, t.attrs.arguments ?? null]).includes(child.runId)) ?? root
  parent.children.push(sub)
}

function closeOpen(s: Span, end: number, runStatus: SpanStatus): void {
  for (const c of s.children) {
    if (c.kind === 'child_run') continue
    if (c.end === null) {
      c.end = Math.max(end, c.start)
      if (c.status === 'running' || c.status === 'waiting') c.status = runStatus === 'ok' ? 'ok' : runStatus
    }
    closeOpen(c, end, runStatus)
  }
}

function sortChildren(s: Span): void {
  s.children.sort((a, b) => a.start - b.start)
  s.children.forEach(sortChildren)
}

export function spanDuration(s: Span, now: number): number {
  return Math.max(0, (s.end ?? now) - s.start)
}

/** Every span, depth-first. */
export function flattenSpans(root: Span): Span[] {
  const out: Span[] = []
  const walk = (s: Span) => {
    out.push(s)
    s.children.forEach(walk)
  }
  walk(root)
  return out
}

export interface WaterfallRow {
  span: Span
  depth: number
  offsetMs: number
  durationMs: number
  leftPct: number
  widthPct: number
}

/** Rows for the waterfall: offsets relative to the root's start, widths as a share of the total. */
export function layoutWaterfall(root: Span, now: number, minWidthPct = 0.4): { rows: WaterfallRow[]; totalMs: number } {
  const spans = flattenSpans(root)
  const end = Math.max(...spans.map((s) => s.end ?? now))
  const totalMs = Math.max(1, end - root.start)
  const rows: WaterfallRow[] = []
  const walk = (s: Span, depth: number) => {
    const offsetMs = Math.max(0, s.start - root.start)
    const durationMs = spanDuration(s, now)
    const leftPct = Math.min(100, (offsetMs / totalMs) * 100)
    const widthPct = Math.min(100 - leftPct, Math.max(minWidthPct, (durationMs / totalMs) * 100))
    rows.push({ span: s, depth, offsetMs, durationMs, leftPct, widthPct })
    s.children.forEach((c) => walk(c, depth + 1))
  }
  walk(root, 0)
  return { rows, totalMs }
}

export interface TraceTotals {
  promptTokens: number
  completionTokens: number
  totalTokens: number
  costUsd: number
  llmCalls: number
  toolCalls: number
  errors: number
}

/** Token/cost totals over the whole tree (children included). */
export function traceTotals(root: Span): TraceTotals {
  const t: TraceTotals = { promptTokens: 0, completionTokens: 0, totalTokens: 0, costUsd: 0, llmCalls: 0, toolCalls: 0, errors: 0 }
  for (const s of flattenSpans(root)) {
    if (s.kind === 'llm') {
      const u = (s.attrs.usage ?? {}) as Record<string, unknown>
      const n = (x: unknown) => (typeof x === 'number' ? x : 0)
      t.promptTokens += n(u.prompt_tokens)
      t.completionTokens += n(u.completion_tokens)
      t.totalTokens += n(u.total_tokens) || n(u.prompt_tokens) + n(u.completion_tokens)
      t.costUsd += n(s.attrs.cost_usd)
      t.llmCalls++
    }
    if (s.kind === 'tool') t.toolCalls++
    if (s.status === 'error') t.errors++
  }
  return t
}
