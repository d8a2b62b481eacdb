/** Server span fixtures (GET /api/runs/{id}/trace) for the lib tests. */
import type { SpanKind, SpanStatus, TraceSpan } from '@/api/types'
import { at } from './events'

/** A span from `startMs` to `endMs` (ms after T0; null = still open). */
export function span(span_id: string, parent_span_id: string | null, kind: SpanKind, name: string, startMs: number, endMs: number | null, status: SpanStatus = endMs === null ? 'running' : 'ok', attributes: Record<string, unknown> = {}): TraceSpan {
  return { span_id, parent_span_id, kind, name, status, start: at(startMs), end: endMs === null ? null : at(endMs), duration_ms: endMs === null ? null : endMs - startMs, attributes }
}

/**
 * A run that delegated to one sub-agent in step 1, in the server's order (by start):
 *
 *   run-run_p ─┬─ step-1 ─┬─ llm-1-1
 *              │          ├─ call_d (delegate)
 *              │          └─ run-run_c (child_run) ── run_c/step-1 ── run_c/llm-1-1
 *              └─ step-2 ── llm-2-1
 */
export function delegatingTrace(): TraceSpan[] {
  return [
    span('run-run_p', null, 'run', 'run run_p', 0, 1000),
    span('step-1', 'run-run_p', 'step', 'step 1', 10, 700, 'ok', { step: 1 }),
    span('llm-1-1', 'step-1', 'llm', 'openai gpt-4o', 20, 120),
    span('call_d', 'step-1', 'tool', 'delegate', 130, 690),
    span('run-run_c', 'step-1', 'child_run', 'agent researcher', 140, 600, 'ok', { run_id: 'run_c', status: 'completed' }),
    span('run_c/step-1', 'run-run_c', 'step', 'step 1', 150, 590),
    span('run_c/llm-1-1', 'run_c/step-1', 'llm', 'openai gpt-4o', 160, 580),
    span('step-2', 'run-run_p', 'step', 'step 2', 710, 990),
    span('llm-2-1', 'step-2', 'llm', 'openai gpt-4o', 720, 980),
  ]
}
