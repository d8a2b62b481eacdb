/**
 * Run events → the view of one run: chat transcript (assistant text assembled from
 * `llm.token` deltas per step, tool calls paired with their result / block / approval),
 * status and usage totals.
 *
 * `applyEvents` is idempotent on duplicate seqs and tolerant of out-of-order delivery:
 * events newer than everything seen are folded in incrementally (the streaming fast path);
 * anything older triggers a rebuild from the seq-ordered log.
 */
import type { RunEvent } from '@/api/types'
import { mergeEvents } from './resume'

export type RunViewStatus = 'idle' | 'running' | 'waiting' | 'completed' | 'failed' | 'cancelled'

export type ToolCallStatus =
  | 'awaiting_approval'
  | 'running'
  | 'succeeded'
  | 'failed'
  | 'blocked'
  | 'rejected'

export interface ToolCallView {
  id: string
  name: string
  arguments: unknown
  step: number | null
  agentId: string | null
  status: ToolCallStatus
  result?: unknown
  isError?: boolean
  durationMs?: number | null
  reason?: string | null
  approvalId?: string
  approval?: 'pending' | 'approved' | 'rejected'
  approvalComment?: string | null
}

export type TranscriptItem =
  | { kind: 'assistant'; key: string; step: number | null; agentId: string | null; text: string; streaming: boolean }
  | { kind: 'tool'; key: string; step: number | null; toolCallId: string }
  | { kind: 'message'; key: string; agentId: string | null; messageType: string; text: string }
  | { kind: 'error'; key: string; text: string }
  | { kind: 'notice'; key: string; text: string }

export interface UsageTotals {
  promptTokens: number
  completionTokens: number
  totalTokens: number
  costUsd: number
  llmCalls: number
}

export interface RunView {
  status: RunViewStatus
  /** All events applied, seq-sorted, no duplicates. */
  events: RunEvent[]
  lastSeq: number
  currentStep: number | null
  items: TranscriptItem[]
  toolCalls: Record<string, ToolCallView>
  /** approval_id → tool_call_id */
  approvals: Record<string, string>
  usage: UsageTotals
  model: string | null
  output: unknown
  error: unknown
  cancelReason: string | null
}

export function emptyRunView(): RunView {
  return {
    status: 'idle',
    events: [],
    lastSeq: 0,
    currentStep: null,
    items: [],
    toolCalls: {},
    approvals: {},
    usage: { promptTokens: 0, completionTokens: 0, totalTokens: 0, costUsd: 0, llmCalls: 0 },
    model: null,
    output: null,
    error: null,
    cancelReason: null,
  }
}

/** Build the view from scratch. */
export function buildRunView(events: readonly RunEvent[]): RunView {
  return applyEvents(emptyRunView(), events)
}

/** Apply a batch of events (any order, duplicates allowed). Returns `view` if nothing changed. */
export function applyEvents(view: RunView, batch: readonly RunEvent[]): RunView {
  const events = mergeEvents(view.events, batch)
  if (events === view.events) return view
  const added = events.length - view.events.length
  const tail = events.slice(events.length - added)
  const inOrder = view.events.length === 0 || tail[0]!.seq > view.lastSeq
  if (!inOrder || !isSuffix(events, view.events.length)) {
    // Out-of-order delivery: replay the whole ordered log.
    return fold(emptyRunView(), events, events)
  }
  return fold(view, tail, events)
}

function isSuffix(events: RunEvent[], oldLength: number): boolean {
  return oldLength === 0 || events[oldLength - 1]!.seq < events[oldLength]!.seq
}

/** Copy the mutable parts once per batch, then fold each event in. */
function fold(base: RunView, newEvents: readonly RunEvent[], allEvents: RunEvent[]): RunView {
  const v: RunView = {
    ...base,
    events: allEvents,
    items: [...base.items],
    toolCalls: { ...base.toolCalls },
    approvals: { ...base.approvals },
    usage: { ...base.usage },
  }
  for (const ev of newEvents) applyOne(v, ev)
  return v
}

function str(x: unknown): string | null {
  return typeof x === 'string' ? x : null
}

function num(x: unknown): number {
  return typeof x === 'number' && Number.isFinite(x) ? x : 0
}

function stepOf(v: RunView, ev: RunEvent): number | null {
  if (typeof ev.step === 'number') return ev.step
  const p = ev.payload?.step
  return typeof p === 'number' ? p : v.currentStep
}

function setStatus(v: RunView, status: RunViewStatus): void {
  if (v.status in { completed: 1, failed: 1, cancelled: 1 }) return // terminal is final
  v.status = status
}

function assistantItemIndex(v: RunView, step: number | null, agentId: string | null): number {
  for (let i = v.items.length - 1; i >= 0; i--) {
    const it = v.items[i]!
    if (it.kind === 'assistant' && it.step === step && it.agentId === agentId) return i
    if (it.kind === 'assistant' && step !== null && it.step !== null && it.step < step) break
  }
  return -1
}

function stopStreaming(v: RunView, step?: number | null): void {
  v.items = v.items.map((it) =>
    it.kind === 'assistant' && it.streaming && (step === undefined || it.step === step)
      ? { ...it, streaming: false }
      : it,
  )
}

function upsertTool(v: RunView, ev: RunEvent, id: string, patch: Partial<ToolCallView>): void {
  const existing = v.toolCalls[id]
  if (!existing) {
    v.toolCalls[id] = {
      id,
      name: str(ev.payload.name) ?? 'tool',
      arguments: ev.payload.arguments ?? {},
      step: stepOf(v, ev),
      agentId: ev.agent_id ?? null,
      status: 'running',
      ...patch,
    }
    v.items.push({ kind: 'tool', key: `tool:${id}`, step: stepOf(v, ev), toolCallId: id })
  } else {
    v.toolCalls[id] = { ...existing, ...patch }
  }
}

function textOf(x: unknown): string {
  if (x === null || x === undefined) return ''
  if (typeof x === 'string') return x
  if (typeof x === 'object' && x !== null && 'text' in x && typeof (x as { text: unknown }).text === 'string') {
    return (x as { text: string }).text
  }
  return JSON.stringify(x, null, 2)
}

function applyOne(v: RunView, ev: RunEvent): void {
  v.lastSeq = Math.max(v.lastSeq, ev.seq)
  const p = ev.payload ?? {}
  switch (ev.type) {
    case 'run.started':
      setStatus(v, 'running')
      break
    case 'step.started':
      v.currentStep = stepOf(v, ev)
      setStatus(v, hasPendingApproval(v) ? 'waiting' : 'running')
      break
    case 'step.completed':
      stopStreaming(v, stepOf(v, ev))
      break
    case 'llm.token': {
      const delta = str(p.delta) ?? ''
      if (!delta) break
      const step = stepOf(v, ev)
      const agentId = ev.agent_id ?? null
      const i = assistantItemIndex(v, step, agentId)
      if (i === -1) {
        v.items.push({ kind: 'assistant', key: `assistant:${agentId ?? ''}:${step ?? ev.seq}`, step, agentId, text: delta, streaming: true })
      } else {
        const it = v.items[i] as Extract<TranscriptItem, { kind: 'assistant' }>
        v.items[i] = { ...it, text: it.text + delta, streaming: true }
      }
      setStatus(v, 'running')
      break
    }
    case 'llm.called': {
      const usage = (p.usage ?? {}) as Record<string, unknown>
      v.usage.promptTokens += num(usage.prompt_tokens)
      v.usage.completionTokens += num(usage.completion_tokens)
      v.usage.totalTokens += num(usage.total_tokens) || num(usage.prompt_tokens) + num(usage.completion_tokens)
      v.usage.costUsd += num(p.cost_usd)
      v.usage.llmCalls += 1
      v.model = str(p.model) ?? v.model
      stopStreaming(v, stepOf(v, ev))
      break
    }
    case 'tool.called': {
      const id = str(p.tool_call_id) ?? `seq${ev.seq}`
      const prev = v.toolCalls[id]
      upsertTool(v, ev, id, {
        name: str(p.name) ?? prev?.name ?? 'tool',
        arguments: p.arguments ?? prev?.arguments ?? {},
        status: 'running',
      })
      break
    }
    case 'tool.result': {
      const id = str(p.tool_call_id) ?? `seq${ev.seq}`
      const isError = p.is_error === true
      upsertTool(v, ev, id, {
        result: p.result,
        isError,
        durationMs: typeof p.duration_ms === 'number' ? p.duration_ms : null,
        status: isError ? 'failed' : 'succeeded',
      })
      break
    }
    case 'tool.blocked': {
      const id = str(p.tool_call_id) ?? `seq${ev.seq}`
      upsertTool(v, ev, id, { status: 'blocked', reason: str(p.reason) })
      break
    }
    case 'tool.requires_approval': {
      const id = str(p.tool_call_id) ?? `seq${ev.seq}`
      const approvalId = str(p.approval_id) ?? id
      v.approvals[approvalId] = id
      upsertTool(v, ev, id, {
        name: str(p.name) ?? v.toolCalls[id]?.name ?? 'tool',
        arguments: p.arguments ?? v.toolCalls[id]?.arguments ?? {},
        status: 'awaiting_approval',
        approvalId,
        approval: 'pending',
      })
      setStatus(v, 'waiting')
      break
    }
    case 'tool.approved':
    case 'tool.rejected': {
      const approvalId = str(p.approval_id)
      const id = approvalId ? v.approvals[approvalId] : undefined
      const approved = ev.type === 'tool.approved'
      if (id && v.toolCalls[id]) {
        const tc = v.toolCalls[id]!
        v.toolCalls[id] = {
          ...tc,
          approval: approved ? 'approved' : 'rejected',
          approvalComment: str(p.comment),
          // A result may already be in (late delivery); keep it.
          status: tc.status === 'awaiting_approval' ? (approved ? 'running' : 'rejected') : tc.status,
        }
      }
      setStatus(v, hasPendingApproval(v) ? 'waiting' : 'running')
      break
    }
    case 'run.completed':
      stopStreaming(v)
      v.output = p.output ?? null
      addFinalOutput(v)
      setStatus(v, 'completed')
      break
    case 'run.failed':
      stopStreaming(v)
      v.error = p.error ?? 'Run failed'
      v.items.push({ kind: 'error', key: `error:${ev.seq}`, text: textOf(p.error) || 'Run failed' })
      setStatus(v, 'failed')
      break
    case 'run.cancelled':
      stopStreaming(v)
      v.cancelReason = str(p.reason)
      v.items.push({ kind: 'notice', key: `cancelled:${ev.seq}`, text: cancelNotice(v.cancelReason) })
      setStatus(v, 'cancelled')
      break
    default:
      if (ev.type.startsWith('message.') || ev.type === 'agent.output') {
        const text = textOf(p.content ?? p.text ?? p.output ?? p)
        v.items.push({ kind: 'message', key: `msg:${ev.seq}`, agentId: ev.agent_id ?? null, messageType: ev.type, text })
      }
  }
}

/** "cancelled by request" → "Cancelled by request"; "budget" → "Cancelled: budget". */
function cancelNotice(reason: string | null): string {
  if (!reason) return 'Cancelled'
  if (/^cancel/i.test(reason)) return reason[0]!.toUpperCase() + reason.slice(1)
  return `Cancelled: ${reason}`
}

function hasPendingApproval(v: RunView): boolean {
  return Object.values(v.approvals).some((id) => v.toolCalls[id]?.approval === 'pending')
}

/** Show the output as a final answer unless the streamed text after the last tool call already is it. */
function addFinalOutput(v: RunView): void {
  const text = textOf(v.output).trim()
  if (!text) return
  for (let i = v.items.length - 1; i >= 0; i--) {
    const it = v.items[i]!
    if (it.kind === 'tool') break
    if (it.kind === 'assistant' && it.text.trim()) return
  }
  v.items.push({ kind: 'assistant', key: 'output', step: v.currentStep, agentId: null, text, streaming: false })
}

export function pendingApprovalIds(v: RunView): string[] {
  return Object.keys(v.approvals).filter((a) => v.toolCalls[v.approvals[a]!]?.approval === 'pending')
}

export function isRunActive(status: RunViewStatus): boolean {
  return status === 'running' || status === 'waiting'
}
