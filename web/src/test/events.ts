/**
 * Typed event builders shared by the lib tests (not shipped: only *.test.ts import it).
 * Every fixture is a member of the generated `RunEvent` union, so a payload that no
 * longer matches the backend's model fails `npm run typecheck`.
 */
import type { ChildOutcome, ChildRef, EventOf, EventPayload, RunEvent, RunEventType } from '@/api/types'

const T0 = Date.parse('2025-01-01T00:00:00.000Z')

type Envelope = Partial<Pick<RunEvent, 'ts' | 'run_id' | 'agent_id' | 'step' | 'span_id' | 'parent_span_id'>>

/** One event of type `type`; `ts` is T0 + seq × 100 ms unless `extra` says otherwise. */
export function ev<T extends RunEventType>(seq: number, type: T, payload: EventPayload<T>, extra: Envelope = {}): EventOf<T> {
  const event = { seq, type, ts: new Date(T0 + seq * 100).toISOString(), run_id: 'run_test', agent_id: 'main', step: null, span_id: null, parent_span_id: null, ...extra, payload }
  // TypeScript cannot tie `type` to `payload` through the generic; the signature does.
  return event as unknown as EventOf<T>
}

export const at = (ms: number) => new Date(T0 + ms).toISOString()
export const T0_MS = T0

const USAGE = { prompt_tokens: 0, completion_tokens: 0, total_tokens: 0, cost_usd: null }
const inStep = (step: number): Envelope => ({ step, span_id: `step-${step}` })
const underStep = (step: number, span: string): Envelope => ({ step, span_id: span, parent_span_id: `step-${step}` })

export const runStarted = (seq: number) => ev(seq, 'run.started', { kind: 'agent', attempt: 1, from_step: null })
export const runResumed = (seq: number, fromStep: number) => ev(seq, 'run.resumed', { kind: 'agent', attempt: 2, from_step: fromStep })
export const stepStarted = (seq: number, step: number) => ev(seq, 'step.started', { step }, inStep(step))
export const stepCompleted = (seq: number, step: number) => ev(seq, 'step.completed', { step }, inStep(step))
export const token = (seq: number, step: number | null, delta: string, extra: Envelope = {}) =>
  ev(seq, 'llm.token', { delta }, step === null ? extra : { ...underStep(step, `llm-${step}-1`), ...extra })

export function llmCalled(seq: number, step: number, p: Partial<EventPayload<'llm.called'>> = {}) {
  const payload = { provider: 'openai', model: 'gpt-4o', usage: {}, cost_usd: null, duration_ms: 0, finish_reason: 'stop', text: '', tool_calls: [], ...p }
  return ev(seq, 'llm.called', payload, underStep(step, `llm-${step}-1`))
}

export const toolCalled = (seq: number, step: number | null, id: string, name: string, args: unknown = {}) =>
  ev(seq, 'tool.called', { tool_call_id: id, name, arguments: args }, step === null ? {} : underStep(step, id))

export function toolResult(seq: number, step: number | null, id: string, name: string, result: string, p: { is_error?: boolean; duration_ms?: number | null } = {}) {
  return ev(seq, 'tool.result', { tool_call_id: id, name, result, is_error: p.is_error ?? false, duration_ms: p.duration_ms ?? null, interrupted: null }, step === null ? {} : underStep(step, id))
}

export const toolBlocked = (seq: number, id: string, name: string, reason: string) => ev(seq, 'tool.blocked', { tool_call_id: id, name, reason })

export const approvalRequested = (seq: number, approvalId: string, id: string, name: string, args: unknown = {}) =>
  ev(seq, 'tool.requires_approval', { approval_id: approvalId, tool_call_id: id, name, arguments: args, reason: 'policy' })

export const approved = (seq: number, approvalId: string, id: string, name: string, comment: string | null = null) =>
  ev(seq, 'tool.approved', { approval_id: approvalId, tool_call_id: id, name, comment })

export const rejected = (seq: number, approvalId: string, id: string, name: string, comment: string | null = null) =>
  ev(seq, 'tool.rejected', { approval_id: approvalId, tool_call_id: id, name, comment })

export const childrenStarted = (seq: number, step: number, children: ChildRef[]) => ev(seq, 'run.children_started', { step, children }, { step })

export function childrenCompleted(seq: number, step: number, children: (ChildRef & Partial<ChildOutcome>)[]) {
  const outcomes: ChildOutcome[] = children.map((c) => ({ status: 'completed', output: null, error: null, usage: { ...USAGE }, ...c }))
  return ev(seq, 'run.children_completed', { step, children: outcomes }, { step })
}

export const runCompleted = (seq: number, output: string) => ev(seq, 'run.completed', { output, usage: { ...USAGE } })
export const runFailed = (seq: number, error: string) => ev(seq, 'run.failed', { error })
export const runCancelled = (seq: number, reason: string) => ev(seq, 'run.cancelled', { reason })

/** An event that only its seq (and `tag`, as its agent) tells apart: for log-order tests. */
export const logEvent = (seq: number, tag = 'main') => ev(seq, 'step.started', { step: seq }, { agent_id: tag })

/** A complete agent run: 2 steps, streamed text, one tool call, final answer. */
export function sampleRun(): RunEvent[] {
  return [
    runStarted(1),
    stepStarted(2, 1),
    token(3, 1, 'Let me '),
    token(4, 1, 'check.'),
    llmCalled(5, 1, { usage: { prompt_tokens: 100, completion_tokens: 10, total_tokens: 110 }, cost_usd: 0.001, duration_ms: 250, finish_reason: 'tool_calls' }),
    toolCalled(6, 1, 'call_1', 'read_file', { path: 'README.md' }),
    toolResult(7, 1, 'call_1', 'read_file', '# Hello', { duration_ms: 12 }),
    stepCompleted(8, 1),
    stepStarted(9, 2),
    token(10, 2, 'It says '),
    token(11, 2, 'Hello.'),
    llmCalled(12, 2, { usage: { prompt_tokens: 150, completion_tokens: 5, total_tokens: 155 }, cost_usd: 0.002, duration_ms: 300 }),
    stepCompleted(13, 2),
    runCompleted(14, 'It says Hello.'),
  ]
}

/** A run that delegates to two sub-agents in step 1, waits, resumes and answers. */
export function delegatingRun(): RunEvent[] {
  const kids: ChildRef[] = [
    { run_id: 'run_c1', kind: 'agent', agent_id: 'researcher' },
    { run_id: 'run_c2', kind: 'agent', agent_id: 'writer' },
  ]
  return [
    runStarted(1),
    stepStarted(2, 1),
    llmCalled(3, 1, { finish_reason: 'tool_calls' }),
    toolCalled(4, 1, 'call_d', 'delegate', { tasks: [{ input: 'a' }, { input: 'b' }] }),
    childrenStarted(5, 1, kids),
    runResumed(6, 0),
    childrenCompleted(7, 1, [
      { ...kids[0]!, output: 'found it', usage: { prompt_tokens: 10, completion_tokens: 5, total_tokens: 15, cost_usd: null } },
      { ...kids[1]!, status: 'failed', error: 'model down' },
    ]),
    toolResult(8, 1, 'call_d', 'delegate', '[…]'),
    stepCompleted(9, 1),
    stepStarted(10, 2),
    token(11, 2, 'Done.'),
    llmCalled(12, 2),
    stepCompleted(13, 2),
    runCompleted(14, 'Done.'),
  ]
}

// ---- group runs: members' messages (top-level agent_id is the member) -----------------

type MessageType = 'message.task' | 'message.proposal' | 'message.decision'
export const teamMessage = (seq: number, type: MessageType, agent: string, content: string, runId: string | null, step = 1, round = 1) =>
  ev(seq, type, { agent_id: agent, content, run_id: runId, round }, { agent_id: agent, step })
export const memberStatus = (seq: number, agent: string, status: EventPayload<'message.status'>['status'], runId: string | null, step = 1, detail: string | null = null) =>
  ev(seq, 'message.status', { agent_id: agent, status, run_id: runId, detail }, { agent_id: agent, step })
export const evidence = (seq: number, agent: string, tool: string, content: string, runId: string, step = 1) =>
  ev(seq, 'message.evidence', { agent_id: agent, content, run_id: runId, tool }, { agent_id: agent, step })

/** A serial group run: the researcher's turn (a tool's evidence, a proposal), then the lead decides. */
export function serialGroupRun(): RunEvent[] {
  const team = { agent_id: 'team' } as const
  return [
    ev(1, 'run.started', { kind: 'group', attempt: 1, from_step: null }, team),
    teamMessage(2, 'message.task', 'researcher', 'Team task: pick a name', 'run_r1', 1),
    memberStatus(3, 'researcher', 'working', 'run_r1', 1),
    ev(4, 'run.children_started', { step: 1, children: [{ run_id: 'run_r1', kind: 'agent', agent_id: 'researcher' }] }, { step: 1, agent_id: 'team' }),
    ev(5, 'run.children_completed', { step: 1, children: [{ run_id: 'run_r1', kind: 'agent', agent_id: 'researcher', status: 'completed', output: 'Alpha.', error: null, usage: { ...USAGE } }] }, { step: 1, agent_id: 'team' }),
    evidence(6, 'researcher', 'echo', 'alpha evidence', 'run_r1', 1),
    memberStatus(7, 'researcher', 'done', 'run_r1', 1),
    teamMessage(8, 'message.proposal', 'researcher', 'Alpha.', 'run_r1', 1),
    teamMessage(9, 'message.task', 'lead', 'Decide', 'run_l1', 2),
    memberStatus(10, 'lead', 'working', 'run_l1', 2),
    memberStatus(11, 'lead', 'done', 'run_l1', 2),
    teamMessage(12, 'message.decision', 'lead', 'We go with Alpha.', 'run_l1', 2),
    ev(13, 'run.completed', { output: 'We go with Alpha.', usage: { ...USAGE } }, team),
  ]
}
