import { describe, expect, it } from 'vitest'
import type { RunEvent } from '@/api/types'
import { ev, sampleRun } from '@/test/events'
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
    const v = buildRunView([ev(1, 'run.started'), ev(2, 'step.started', { step: 1 }, { step: 1 }), ev(3, 'run.completed', { output: 'Done.' })])
    expect(v.items).toEqual([expect.objectContaining({ kind: 'assistant', key: 'output', text: 'Done.' })])
  })

  it('shows the output after a trailing tool call', () => {
    const events = [ev(1, 'run.started'), ev(2, 'tool.called', { tool_call_id: 't', name: 'x', arguments: {} }), ev(3, 'tool.result', { tool_call_id: 't', result: 1 }), ev(4, 'run.completed', { output: { text: 'final' } })]
    const v = buildRunView(events)
    expect(v.items.map((i) => i.kind)).toEqual(['tool', 'assistant'])
    expect(v.items[1]).toMatchObject({ text: 'final' })
  })

  it('records tool errors, blocks and failures', () => {
    const v = buildRunView([
      ev(1, 'run.started'),
      ev(2, 'tool.called', { tool_call_id: 'a', name: 'exec', arguments: { cmd: 'rm -rf /' } }),
      ev(3, 'tool.blocked', { tool_call_id: 'a', name: 'exec', reason: 'high risk' }),
      ev(4, 'tool.called', { tool_call_id: 'b', name: 'read_file', arguments: {} }),
      ev(5, 'tool.result', { tool_call_id: 'b', result: 'ENOENT', is_error: true }),
      ev(6, 'run.failed', { error: 'boom' }),
    ])
    expect(v.toolCalls.a).toMatchObject({ status: 'blocked', reason: 'high risk' })
    expect(v.toolCalls.b).toMatchObject({ status: 'failed', isError: true, result: 'ENOENT' })
    expect(v.status).toBe('failed')
    expect(v.items[v.items.length - 1]).toMatchObject({ kind: 'error', text: 'boom' })
  })

  it('follows an approval from request to decision', () => {
    const base = [
      ev(1, 'run.started'),
      ev(2, 'tool.requires_approval', { approval_id: 'apr_1', tool_call_id: 'c1', name: 'send_email', arguments: { to: 'a@b' } }),
    ]
    const waiting = buildRunView(base)
    expect(waiting.status).toBe('waiting')
    expect(waiting.toolCalls.c1).toMatchObject({ status: 'awaiting_approval', approval: 'pending', approvalId: 'apr_1' })
    expect(pendingApprovalIds(waiting)).toEqual(['apr_1'])

    const approved = applyEvents(waiting, [
      ev(3, 'tool.approved', { approval_id: 'apr_1', comment: 'ok' }),
      ev(4, 'tool.called', { tool_call_id: 'c1', name: 'send_email', arguments: { to: 'a@b' } }),
      ev(5, 'tool.result', { tool_call_id: 'c1', result: 'sent' }),
    ])
    expect(approved.status).toBe('running')
    expect(approved.toolCalls.c1).toMatchObject({ status: 'succeeded', approval: 'approved', approvalComment: 'ok' })
    expect(approved.items.filter((i) => i.kind === 'tool')).toHaveLength(1)
    expect(pendingApprovalIds(approved)).toEqual([])

    const rejected = applyEvents(waiting, [ev(3, 'tool.rejected', { approval_id: 'apr_1', comment: 'no' })])
    expect(rejected.toolCalls.c1).toMatchObject({ status: 'rejected', approval: 'rejected', approvalComment: 'no' })
  })

  it('records cancellation and keeps terminal status final', () => {
    const v = buildRunView([ev(1, 'run.started'), ev(2, 'llm.token', { delta: 'hal' }), ev(3, 'run.cancelled', { reason: 'user' }), ev(4, 'step.started', { step: 9 })])
    expect(v.status).toBe('cancelled')
    expect(v.cancelReason).toBe('user')
    expect(v.items[0]).toMatchObject({ streaming: false })
    expect(v.items[1]).toMatchObject({ kind: 'notice', text: 'Cancelled: user' })
  })

  it('keeps group members’ text apart and renders message events', () => {
    const v = buildRunView([
      ev(1, 'llm.token', { delta: 'A says' }, { step: 1, agent_id: 'alice' }),
      ev(2, 'llm.token', { delta: 'B says' }, { step: 1, agent_id: 'bob' }),
      ev(3, 'message.decision', { content: 'ship it' }, { agent_id: 'lead' }),
    ])
    expect(v.items).toEqual([
      expect.objectContaining({ kind: 'assistant', agentId: 'alice', text: 'A says' }),
      expect.objectContaining({ kind: 'assistant', agentId: 'bob', text: 'B says' }),
      expect.objectContaining({ kind: 'message', agentId: 'lead', messageType: 'message.decision', text: 'ship it' }),
    ])
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
    const b = applyEvents(a, [events[10]! as RunEvent])
    expect(b.items[0]).toBe(a.items[0])
    expect(b.items[1]).toBe(a.items[1])
    expect(b.items[2]).not.toBe(a.items[2])
  })
})
