/** Event builders shared by the lib tests (not shipped: only *.test.ts import it). */
import type { RunEvent } from '@/api/types'

const T0 = Date.parse('2025-01-01T00:00:00.000Z')

export function ev(seq: number, type: string, payload: Record<string, unknown> = {}, extra: Partial<RunEvent> = {}): RunEvent {
  return {
    seq,
    type,
    ts: new Date(T0 + seq * 100).toISOString(),
    run_id: 'run_test',
    agent_id: 'main',
    step: null,
    span_id: null,
    parent_span_id: null,
    payload,
    ...extra,
  }
}

export const at = (ms: number) => new Date(T0 + ms).toISOString()
export const T0_MS = T0

/** A complete agent run: 2 steps, streamed text, one tool call, final answer. */
export function sampleRun(): RunEvent[] {
  return [
    ev(1, 'run.started'),
    ev(2, 'step.started', { step: 1 }, { step: 1 }),
    ev(3, 'llm.token', { delta: 'Let me ' }, { step: 1 }),
    ev(4, 'llm.token', { delta: 'check.' }, { step: 1 }),
    ev(5, 'llm.called', { provider: 'openai', model: 'gpt-4o', usage: { prompt_tokens: 100, completion_tokens: 10, total_tokens: 110 }, cost_usd: 0.001, duration_ms: 250, finish_reason: 'tool_calls' }, { step: 1 }),
    ev(6, 'tool.called', { tool_call_id: 'call_1', name: 'read_file', arguments: { path: 'README.md' } }, { step: 1 }),
    ev(7, 'tool.result', { tool_call_id: 'call_1', name: 'read_file', result: '# Hello', is_error: false, duration_ms: 12 }, { step: 1 }),
    ev(8, 'step.completed', { step: 1 }, { step: 1 }),
    ev(9, 'step.started', { step: 2 }, { step: 2 }),
    ev(10, 'llm.token', { delta: 'It says ' }, { step: 2 }),
    ev(11, 'llm.token', { delta: 'Hello.' }, { step: 2 }),
    ev(12, 'llm.called', { provider: 'openai', model: 'gpt-4o', usage: { prompt_tokens: 150, completion_tokens: 5, total_tokens: 155 }, cost_usd: 0.002, duration_ms: 300, finish_reason: 'stop' }, { step: 2 }),
    ev(13, 'step.completed', { step: 2 }, { step: 2 }),
    ev(14, 'run.completed', { output: 'It says Hello.' }),
  ]
}
