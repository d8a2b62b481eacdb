import { describe, expect, it } from 'vitest'
import type { RunEvent } from '@/api/types'
import {
  approvalRequested,
  approved,
  childrenCompleted,
  childrenStarted,
  delegatingRun,
  evidence,
  memberStatus,
  rejected,
  runCancelled,
  runCompleted,
  runFailed,
  runStarted,
  sampleRun,
  serialGroupRun,
  stepStarted,
  teamMessage,
  token,
  toolBlocked,
  toolCalled,
  toolResult,
} from '@/test/events'
import { applyEvents, buildRunView, emptyRunView, isRunActive, pendingApprovalIds, type RunView } from './eventReducer'

/** The parts of the view a user sees (events/lastSeq aside). */
function visible(v: RunView) {
  return { status: v.status, items: v.items, toolCalls: v.toolCalls, usage: v.usage, output: v.output, error: v.error }
}

function shuffle<T>(xs: T[], seed: number): T[] {
  const out = [...xs]
  let s = seed
  for (let i = out.length - 1; i > 0; i--) {
    s = (s * 1103515245 + 12345) & 0x7fffffff
    const j = s % (i + 1)
    ;[out[i], out[j]] = [out[j]!, out[i]!]
  }
  return out
}

describe('buildRunView', () => {
  it('assembles streamed text per step and pairs tool calls with results', () => {
    const v = buildRunView(sampleRun())
    expect(v.status).toBe('completed')
    expect(v.items.map((i) => i.kind)).toEqual(['assistant', 'tool', 'assistant'])
    expect(v.items[0]).toMatchObject({ kind: 'assistant', step: 1, text: 'Let me check.', streaming: false })
    expect(v.items[2]).toMatchObject({ kind: 'assistant', step: 2, text: 'It says Hello.', streaming: false })
    expect(v.toolCalls.call_1).toMatchObject({
      name: 'read_file',
      arguments: { path: 'README.md' },
      status: 'succeeded',
      result: '# Hello',
      isError: false,
      durationMs: 12,
    })
    expect(v.output).toBe('It says Hello.')
  })

  it('sums usage and cost over LLM calls', () => {
    const v = buildRunView(sampleRun())
    expect(v.usage).toEqual({ promptTokens: 250, completionTokens: 15, totalTokens: 265, costUsd: 0.003, llmCalls: 2 })
    expect(v.model).toBe('gpt-4o')
  })

  it('marks text as streaming until the step’s LLM call is recorded', () => {
    const v = buildRunView(sampleRun().slice(0, 4))
    expect(v.status).toBe('running')
    expect(v.items[0]).toMatchObject({ text: 'Let me check.', streaming: true })
    expect(isRunActive(v.status)).toBe(true)
  })

  it('shows the output as the answer when nothing was streamed', () => {
    const v = buildRunView([runStarted(1), stepStarted(2, 1), runCompleted(3, 'Done.')])
    expect(v.items).toEqual([expect.objectContaining({ kind: 'assistant', key: 'output', text: 'Done.' })])
  })

  it('shows the output after a trailing tool call', () => {
    const events = [runStarted(1), toolCalled(2, null, 't', 'x'), toolResult(3, null, 't', 'x', '1'), runCompleted(4, 'final')]
    const v = buildRunView(events)
    expect(v.items.map((i) => i.kind)).toEqual(['tool', 'assistant'])
    expect(v.items[1]).toMatchObject({ text: 'final' })
  })

  it('records tool errors, blocks and failures', () => {
    const v = buildRunView([
      runStarted(1),
      toolCalled(2, null, 'a', 'exec', { cmd: 'rm -rf /' }),
      toolBlocked(3, 'a', 'exec', 'high risk'),
      toolCalled(4, null, 'b', 'read_file'),
      toolResult(5, null, 'b', 'read_file', 'ENOENT', { is_error: true }),
      runFailed(6, 'boom'),
    ])
    expect(v.toolCalls.a).toMatchObject({ status: 'blocked', reason: 'high risk' })
    expect(v.toolCalls.b).toMatchObject({ status: 'failed', isError: true, result: 'ENOENT' })
    expect(v.status).toBe('failed')
    expect(v.items[v.items.length - 1]).toMatchObject({ kind: 'error', text: 'boom' })
  })

  it('follows an approval from request to decision', () => {
    const base = [
      runStarted(1),
      approvalRequested(2, 'apr_1', 'c1', 'send_email', { to: 'a@b' }),
    ]
    const waiting = buildRunView(base)
    expect(waiting.status).toBe('waiting')
    expect(waiting.waitReason).toBe('approval')
    expect(waiting.toolCalls.c1).toMatchObject({ status: 'awaiting_approval', approval: 'pending', approvalId: 'apr_1' })
    expect(pendingApprovalIds(waiting)).toEqual(['apr_1'])

    const decided = applyEvents(waiting, [
      approved(3, 'apr_1', 'c1', 'send_email', 'ok'),
      toolCalled(4, null, 'c1', 'send_email', { to: 'a@b' }),
      toolResult(5, null, 'c1', 'send_email', 'sent'),
    ])
    expect(decided.status).toBe('running')
    expect(decided.waitReason).toBeNull()
    expect(decided.toolCalls.c1).toMatchObject({ status: 'succeeded', approval: 'approved', approvalComment: 'ok' })
    expect(decided.items.filter((i) => i.kind === 'tool')).toHaveLength(1)
    expect(pendingApprovalIds(decided)).toEqual([])

    const denied = applyEvents(waiting, [rejected(3, 'apr_1', 'c1', 'send_email', 'no')])
    expect(denied.toolCalls.c1).toMatchObject({ status: 'rejected', approval: 'rejected', approvalComment: 'no' })
  })

  it('records cancellation and keeps terminal status final', () => {
    const v = buildRunView([runStarted(1), token(2, null, 'hal'), runCancelled(3, 'user'), stepStarted(4, 9)])
    expect(v.status).toBe('cancelled')
    expect(v.cancelReason).toBe('user')
    expect(v.items[0]).toMatchObject({ streaming: false })
    expect(v.items[1]).toMatchObject({ kind: 'notice', text: 'Cancelled: user' })
  })

  it('keeps agents’ text apart', () => {
    const v = buildRunView([token(1, 1, 'A says', { agent_id: 'alice' }), token(2, 1, 'B says', { agent_id: 'bob' })])
    expect(v.items).toEqual([
      expect.objectContaining({ kind: 'assistant', agentId: 'alice', text: 'A says' }),
      expect.objectContaining({ kind: 'assistant', agentId: 'bob', text: 'B says' }),
    ])
  })

  it('shows sub-agents started with delegate, waits for them, then resumes', () => {
    const events = delegatingRun()
    const started = buildRunView(events.slice(0, 5))
    expect(started.status).toBe('waiting')
    expect(started.waitReason).toBe('children')
    expect(started.items.map((i) => i.kind)).toEqual(['tool', 'children'])
    expect(started.items[1]).toMatchObject({ kind: 'children', step: 1, runIds: ['run_c1', 'run_c2'] })
    expect(Object.values(started.children).map((c) => [c.runId, c.agentId, c.status])).toEqual([
      ['run_c1', 'researcher', 'running'],
      ['run_c2', 'writer', 'running'],
    ])

    const done = buildRunView(events)
    expect(done.status).toBe('completed')
    expect(done.waitReason).toBeNull()
    expect(done.items.filter((i) => i.kind === 'children')).toHaveLength(1)
    expect(done.children.run_c1).toMatchObject({ status: 'completed', output: 'found it', totalTokens: 15 })
    expect(done.children.run_c2).toMatchObject({ status: 'failed', error: 'model down' })
    expect(done.items[done.items.length - 1]).toMatchObject({ kind: 'assistant', text: 'Done.' })
  })

  it('lists children it only learns of when they end', () => {
    const v = buildRunView([runStarted(1), childrenCompleted(2, 1, [{ run_id: 'run_x', kind: 'agent', agent_id: 'a' }])])
    expect(v.items).toEqual([expect.objectContaining({ kind: 'children', runIds: ['run_x'] })])
    expect(v.status).toBe('running')
  })

  it('keeps a new event type (unknown to this build) in the log and ignores it', () => {
    const unknown = { ...runStarted(2), type: 'run.paused' } as unknown as RunEvent
    const v = buildRunView([runStarted(1), unknown, childrenStarted(3, 1, [])])
    expect(v.events.map((e) => e.seq)).toEqual([1, 2, 3])
    expect(v.status).toBe('waiting')
  })
})

describe('applyEvents', () => {
  it('is idempotent on duplicate seqs', () => {
    const events = sampleRun()
    const once = buildRunView(events)
    const twice = applyEvents(once, events)
    expect(twice).toBe(once)
    const interleaved = events.flatMap((e) => [e, e])
    expect(visible(buildRunView(interleaved))).toEqual(visible(once))
  })

  it('gives the same view for any delivery order and batching', () => {
    const events = sampleRun()
    const expected = visible(buildRunView(events))
    for (let seed = 1; seed <= 25; seed++) {
      const shuffled = shuffle(events, seed)
      let v = emptyRunView()
      for (let i = 0; i < shuffled.length; i += 3) v = applyEvents(v, shuffled.slice(i, i + 3))
      expect(visible(v)).toEqual(expected)
      expect(v.events.map((e) => e.seq)).toEqual(events.map((e) => e.seq))
    }
  })

  it('gives the same view token by token as all at once', () => {
    const events = sampleRun()
    let v = emptyRunView()
    for (const e of events) v = applyEvents(v, [e])
    expect(visible(v)).toEqual(visible(buildRunView(events)))
  })

  it('does not mutate the previous view (safe for React state)', () => {
    const events = sampleRun()
    const before = buildRunView(events.slice(0, 3))
    const snapshot = JSON.parse(JSON.stringify(visible(before)))
    applyEvents(before, events.slice(3))
    applyEvents(before, [events[1]!, events[0]!])
    expect(visible(before)).toEqual(snapshot)
  })

  it('reuses unchanged transcript items when streaming', () => {
    const events = sampleRun()
    const a = buildRunView(events.slice(0, 10))
    const b = applyEvents(a, [events[10]!])
    expect(b.items[0]).toBe(a.items[0])
    expect(b.items[1]).toBe(a.items[1])
    expect(b.items[2]).not.toBe(a.items[2])
  })
})

describe('group runs: members as lanes', () => {
  it('gives each member a lane, in the order they first appear, with its messages', () => {
    const v = buildRunView(serialGroupRun())
    expect(v.team.order).toEqual(['researcher', 'lead'])
    const r = v.team.lanes.researcher!
    expect(r).toMatchObject({ agentId: 'researcher', status: 'done', runIds: ['run_r1'], decided: false })
    expect(r.messages.map((m) => m.kind)).toEqual(['task', 'status', 'evidence', 'status', 'proposal'])
    expect(r.messages[2]).toMatchObject({ kind: 'evidence', tool: 'echo', content: 'alpha evidence', runId: 'run_r1' })
    expect(r.messages[4]).toMatchObject({ kind: 'proposal', content: 'Alpha.', round: 1 })
    const lead = v.team.lanes.lead!
    expect(lead).toMatchObject({ status: 'done', runIds: ['run_l1'], decided: true })
    expect(v.team.decision).toEqual({ agentId: 'lead', content: 'We go with Alpha.', runId: 'run_l1' })
    // The team's own events (agent "team") make no lane; the run and its children are as before.
    expect(v.team.lanes.team).toBeUndefined()
    expect(v.status).toBe('completed')
    expect(v.children.run_r1).toMatchObject({ agentId: 'researcher', status: 'completed', output: 'Alpha.' })
  })

  it('grows lane by lane as events stream in, like the whole log at once', () => {
    const events = serialGroupRun()
    let v = emptyRunView()
    const seen: string[] = []
    for (const e of events) {
      v = applyEvents(v, [e])
      seen.push(v.team.order.map((a) => `${a}:${v.team.lanes[a]!.status}:${v.team.lanes[a]!.messages.length}`).join(' '))
    }
    expect(seen[2]).toBe('researcher:working:2')
    expect(seen[8]).toBe('researcher:done:5 lead:idle:1')
    expect(seen[9]).toBe('researcher:done:5 lead:working:2')
    expect(v.team).toEqual(buildRunView(events).team)
  })

  it('is the same whatever order the events arrive in, and ignores duplicates', () => {
    const events = serialGroupRun()
    const expected = buildRunView(events).team
    for (const seed of [3, 11, 42]) {
      let v = emptyRunView()
      for (const e of shuffle(events, seed)) v = applyEvents(v, [e, e])
      expect(v.team).toEqual(expected)
    }
  })

  it('keeps members that work at once apart, with each failure and its detail', () => {
    const v = buildRunView([
      teamMessage(1, 'message.task', 'a', 'do a', 'run_a'),
      teamMessage(2, 'message.task', 'b', 'do b', 'run_b'),
      memberStatus(3, 'a', 'working', 'run_a'),
      memberStatus(4, 'b', 'working', 'run_b'),
      memberStatus(5, 'b', 'failed', 'run_b', 1, 'model down'),
      evidence(6, 'a', 'read_file', '# Hi', 'run_a'),
    ])
    expect(v.team.order).toEqual(['a', 'b'])
    expect(v.team.lanes.a!.status).toBe('working')
    expect(v.team.lanes.b!.status).toBe('failed')
    expect(v.team.lanes.b!.messages.at(-1)).toMatchObject({ kind: 'status', status: 'failed', detail: 'model down' })
    expect(v.team.decision).toBeNull()
  })

  it("joins a member's turns: one lane, each round's child run in order", () => {
    const v = buildRunView([
      teamMessage(1, 'message.task', 'lead', 'assign', 'run_l1', 1, 1),
      teamMessage(2, 'message.proposal', 'lead', 'assigned', 'run_l1', 1, 1),
      teamMessage(3, 'message.task', 'lead', 'decide', 'run_l2', 3, 2),
      teamMessage(4, 'message.decision', 'lead', 'done', 'run_l2', 3, 2),
    ])
    expect(v.team.lanes.lead!.runIds).toEqual(['run_l1', 'run_l2'])
    expect(v.team.lanes.lead!.messages.map((m) => ('round' in m ? m.round : null))).toEqual([1, 1, 2, 2])
  })

  it('does not mutate the previous lanes (safe for React state)', () => {
    const events = serialGroupRun()
    const before = buildRunView(events.slice(0, 4))
    const snapshot = JSON.parse(JSON.stringify(before.team))
    applyEvents(before, events.slice(4))
    expect(before.team).toEqual(snapshot)
  })
})
