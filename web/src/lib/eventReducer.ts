/**
 * Run events → the view of one run: chat transcript (assistant text assembled from
 * `llm.token` deltas per step, tool calls paired with their result / block / approval,
 * sub-agents started with `delegate`), status (and why it waits) and usage totals; for a
 * group run, the team: one lane per member (`agent_id`) with its `message.*` events.
 *
 * Events are the generated `RunEvent` union: `applyOne` switches on `event.type` and each
 * case reads its own payload type. A type the switch does not handle fails
 * `npm run typecheck` at the `never` default, so adding an event type is one backend
 * model plus one case here.
 *
 * `applyEvents` is idempotent on duplicate seqs and tolerant of out-of-order delivery:
 * events newer than everything seen are folded in incrementally (the streaming fast path);
 * anything older triggers a rebuild from the seq-ordered log.
 */
import type { ChildOutcome, EventOf, MemberStatus, RunEvent, WaitReason } from '@/api/types'
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
  result?: string
  isError?: boolean
  durationMs?: number | null
  reason?: string | null
  approvalId?: string
  approval?: 'pending' | 'approved' | 'rejected'
  approvalComment?: string | null
}

/** A sub-agent (child run) the run started; ended by `run.children_completed`. */
export interface ChildRunView {
  runId: string
  kind: string
  agentId: string
  status: 'running' | ChildOutcome['status']
  output: string | null
  error: string | null
  totalTokens: number | null
}

export type TranscriptItem =
  | { kind: 'assistant'; key: string; step: number | null; agentId: string | null; text: string; streaming: boolean }
  | { kind: 'tool'; key: string; step: number | null; toolCallId: string }
  | { kind: 'children'; key: string; step: number; runIds: string[] }
  | { kind: 'error'; key: string; text: string }
  | { kind: 'notice'; key: string; text: string }

/** One `message.*` event of a member, as its lane shows it. */
export type LaneMessage =
  | { kind: 'task' | 'proposal' | 'decision'; seq: number; ts: string; content: string; runId: string | null; round: number }
  | { kind: 'evidence'; seq: number; ts: string; content: string; runId: string; tool: string }
  | { kind: 'status'; seq: number; ts: string; status: MemberStatus; runId: string | null; detail: string | null }

/** A member of a group run: its messages in log order, its turns (child runs), where it is. */
export interface LaneView {
  agentId: string
  /** `idle` until its first `message.status`. */
  status: 'idle' | MemberStatus
  /** Its turns' child runs, in the order they started. */
  runIds: string[]
  messages: LaneMessage[]
  /** It gave the team's decision (the lead). */
  decided: boolean
}

/** The team of a group run: lanes in the order members first appear in the log. */
export interface TeamView {
  order: string[]
  lanes: Record<string, LaneView>
  decision: { agentId: string; content: string; runId: string | null } | null
}

export interface UsageTotals {
  promptTokens: number
  completionTokens: number
  totalTokens: number
  costUsd: number
  llmCalls: number
}

export interface RunView {
  status: RunViewStatus
  /** While `status` is `waiting`: on what (null otherwise, or when the events do not say). */
  waitReason: WaitReason | null
  /** All events applied, seq-sorted, no duplicates. */
  events: RunEvent[]
  lastSeq: number
  currentStep: number | null
  items: TranscriptItem[]
  toolCalls: Record<string, ToolCallView>
  /** approval_id → tool_call_id */
  approvals: Record<string, string>
  /** child run id → its view */
  children: Record<string, ChildRunView>
  /** Group runs: the members' lanes (empty for other kinds). */
  team: TeamView
  usage: UsageTotals
  model: string | null
  output: string | null
  error: string | null
  cancelReason: string | null
}

export function emptyRunView(): RunView {
  return {
    status: 'idle',
    waitReason: null,
    events: [],
    lastSeq: 0,
    currentStep: null,
    items: [],
    toolCalls: {},
    approvals: {},
    children: {},
    team: { order: [], lanes: {}, decision: null },
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
    children: { ...base.children },
    team: { ...base.team, order: [...base.team.order], lanes: { ...base.team.lanes } },
    usage: { ...base.usage },
  }
  for (const ev of newEvents) applyOne(v, ev)
  return v
}

function applyOne(v: RunView, ev: RunEvent): void {
  v.lastSeq = Math.max(v.lastSeq, ev.seq)
  switch (ev.type) {
    case 'run.started':
    case 'run.resumed':
      resume(v)
      break
    case 'step.started':
      v.currentStep = ev.payload.step
      resume(v)
      break
    case 'step.completed':
      stopStreaming(v, ev.payload.step)
      break
    case 'llm.started':
      v.model = ev.payload.model
      break
    case 'llm.token':
      appendToken(v, ev)
      break
    case 'llm.called':
      addLlmCall(v, ev)
      break
    case 'tool.called':
      upsertTool(v, ev, { status: 'running' })
      break
    case 'tool.result': {
      const { is_error: isError, result, duration_ms: durationMs } = ev.payload
      upsertTool(v, ev, { result, isError, durationMs: durationMs ?? null, status: isError ? 'failed' : 'succeeded' })
      break
    }
    case 'tool.blocked':
      upsertTool(v, ev, { status: 'blocked', reason: ev.payload.reason })
      break
    case 'tool.requires_approval':
      v.approvals[ev.payload.approval_id] = ev.payload.tool_call_id
      upsertTool(v, ev, { status: 'awaiting_approval', approvalId: ev.payload.approval_id, approval: 'pending' })
      setStatus(v, 'waiting', 'approval')
      break
    case 'tool.approved':
    case 'tool.rejected':
      decideApproval(v, ev)
      resume(v)
      break
    case 'run.children_started':
      startChildren(v, ev)
      setStatus(v, 'waiting', 'children')
      break
    case 'run.children_completed':
      endChildren(v, ev)
      resume(v)
      break
    case 'message.task':
    case 'message.proposal':
    case 'message.decision':
      addMessage(v, ev)
      break
    case 'message.evidence':
      addEvidence(v, ev)
      break
    case 'message.status':
      setMemberStatus(v, ev)
      break
    case 'run.completed':
      stopStreaming(v)
      v.output = ev.payload.output
      addFinalOutput(v)
      setStatus(v, 'completed')
      break
    case 'run.failed':
      stopStreaming(v)
      v.error = ev.payload.error || 'Run failed'
      v.items.push({ kind: 'error', key: `error:${ev.seq}`, text: v.error })
      setStatus(v, 'failed')
      break
    case 'run.cancelled':
      stopStreaming(v)
      v.cancelReason = ev.payload.reason || null
      v.items.push({ kind: 'notice', key: `cancelled:${ev.seq}`, text: cancelNotice(v.cancelReason) })
      setStatus(v, 'cancelled')
      break
    default: {
      // A member of the union with no case fails to compile here; at run time (a newer
      // server than this UI) the event is kept in `events` and otherwise ignored.
      const unhandled: never = ev
      void unhandled
    }
  }
}

function setStatus(v: RunView, status: RunViewStatus, waitReason: WaitReason | null = null): void {
  if (v.status in { completed: 1, failed: 1, cancelled: 1 }) return // terminal is final
  v.status = status
  v.waitReason = status === 'waiting' ? waitReason : null
}

/** Running again, unless a tool call still waits for its approval. */
function resume(v: RunView): void {
  if (hasPendingApproval(v)) setStatus(v, 'waiting', 'approval')
  else setStatus(v, 'running')
}

function stepOf(v: RunView, ev: RunEvent): number | null {
  return ev.step ?? v.currentStep
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

function appendToken(v: RunView, ev: EventOf<'llm.token'>): void {
  const delta = ev.payload.delta
  if (!delta) return
  const step = stepOf(v, ev)
  const agentId = ev.agent_id
  const i = assistantItemIndex(v, step, agentId)
  if (i === -1) {
    v.items.push({ kind: 'assistant', key: `assistant:${agentId}:${step ?? ev.seq}`, step, agentId, text: delta, streaming: true })
  } else {
    const it = v.items[i] as Extract<TranscriptItem, { kind: 'assistant' }>
    v.items[i] = { ...it, text: it.text + delta, streaming: true }
  }
  setStatus(v, 'running')
}

function addLlmCall(v: RunView, ev: EventOf<'llm.called'>): void {
  const { usage, cost_usd: cost, model } = ev.payload
  const prompt = usage.prompt_tokens ?? 0
  const completion = usage.completion_tokens ?? 0
  v.usage.promptTokens += prompt
  v.usage.completionTokens += completion
  v.usage.totalTokens += usage.total_tokens || prompt + completion
  v.usage.costUsd += cost ?? 0
  v.usage.llmCalls += 1
  v.model = model
  stopStreaming(v, stepOf(v, ev))
}

type ToolEvent = EventOf<'tool.called' | 'tool.result' | 'tool.blocked' | 'tool.requires_approval'>

/** The call's view, created by whichever of its events comes first. */
function upsertTool(v: RunView, ev: ToolEvent, patch: Partial<ToolCallView>): void {
  const id = ev.payload.tool_call_id
  const args = 'arguments' in ev.payload ? { arguments: ev.payload.arguments } : {}
  const existing = v.toolCalls[id]
  if (existing) {
    v.toolCalls[id] = { ...existing, name: ev.payload.name, ...args, ...patch }
    return
  }
  const step = stepOf(v, ev)
  v.toolCalls[id] = { id, name: ev.payload.name, arguments: {}, step, agentId: ev.agent_id, status: 'running', ...args, ...patch }
  v.items.push({ kind: 'tool', key: `tool:${id}`, step, toolCallId: id })
}

function decideApproval(v: RunView, ev: EventOf<'tool.approved' | 'tool.rejected'>): void {
  const id = v.approvals[ev.payload.approval_id] ?? ev.payload.tool_call_id
  const tc = v.toolCalls[id]
  if (!tc) return
  const approved = ev.type === 'tool.approved'
  v.toolCalls[id] = {
    ...tc,
    approval: approved ? 'approved' : 'rejected',
    approvalComment: ev.payload.comment,
    // A result may already be in (late delivery); keep it.
    status: tc.status === 'awaiting_approval' ? (approved ? 'running' : 'rejected') : tc.status,
  }
}

function startChildren(v: RunView, ev: EventOf<'run.children_started'>): void {
  const { step, children } = ev.payload
  for (const c of children) {
    v.children[c.run_id] ??= { runId: c.run_id, kind: c.kind, agentId: c.agent_id, status: 'running', output: null, error: null, totalTokens: null }
  }
  v.items.push({ kind: 'children', key: `children:${ev.seq}`, step, runIds: children.map((c) => c.run_id) })
}

function endChildren(v: RunView, ev: EventOf<'run.children_completed'>): void {
  const { step, children } = ev.payload
  const unseen = children.filter((c) => !v.children[c.run_id]).map((c) => c.run_id)
  for (const c of children) {
    v.children[c.run_id] = { runId: c.run_id, kind: c.kind, agentId: c.agent_id, status: c.status, output: c.output, error: c.error, totalTokens: c.usage.total_tokens }
  }
  if (unseen.length) v.items.push({ kind: 'children', key: `children:${ev.seq}`, step, runIds: unseen })
}

/** The member's lane, created on its first message; `runId` joins its turns. */
function lane(v: RunView, agentId: string, runId: string | null): LaneView {
  let l = v.team.lanes[agentId]
  if (!l) {
    l = { agentId, status: 'idle', runIds: [], messages: [], decided: false }
    v.team.order.push(agentId)
  } else {
    l = { ...l, messages: [...l.messages] }
  }
  if (runId && !l.runIds.includes(runId)) l.runIds = [...l.runIds, runId]
  v.team.lanes[agentId] = l
  return l
}

function addMessage(v: RunView, ev: EventOf<'message.task' | 'message.proposal' | 'message.decision'>): void {
  const { content, run_id: runId, round } = ev.payload
  const kind = ev.type === 'message.task' ? 'task' : ev.type === 'message.proposal' ? 'proposal' : 'decision'
  const l = lane(v, ev.agent_id, runId)
  l.messages.push({ kind, seq: ev.seq, ts: ev.ts, content, runId, round })
  if (kind === 'decision') {
    l.decided = true
    v.team.decision = { agentId: ev.agent_id, content, runId }
  }
}

function addEvidence(v: RunView, ev: EventOf<'message.evidence'>): void {
  const { content, run_id: runId, tool } = ev.payload
  lane(v, ev.agent_id, runId).messages.push({ kind: 'evidence', seq: ev.seq, ts: ev.ts, content, runId, tool })
}

function setMemberStatus(v: RunView, ev: EventOf<'message.status'>): void {
  const { status, run_id: runId, detail } = ev.payload
  const l = lane(v, ev.agent_id, runId)
  l.status = status
  l.messages.push({ kind: 'status', seq: ev.seq, ts: ev.ts, status, runId, detail })
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
  const text = (v.output ?? '').trim()
  if (!text) return
  for (let i = v.items.length - 1; i >= 0; i--) {
    const it = v.items[i]!
    if (it.kind === 'tool' || it.kind === 'children') break
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
