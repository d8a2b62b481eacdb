import { describe, expect, it } from 'vitest'
import { childrenStarted, llmCalled, runCompleted, sampleRun, stepStarted, T0_MS, token, toolCalled } from '@/test/events'
import { delegatingTrace, span } from '@/test/trace'
import { childRunId, eventInSpan, flattenSpans, layoutWaterfall, movesSpans, nestSpans, streamedText, traceCounts, type SpanNode } from './traceTree'

const ids = (nodes: SpanNode[]) => nodes.map((n) => n.span.span_id)

describe('nestSpans', () => {
  it('nests the server’s flat list by parent_span_id, child runs and their spans included', () => {
    const roots = nestSpans(delegatingTrace())
    expect(ids(roots)).toEqual(['run-run_p'])
    const [run] = roots
    expect(ids(run!.children)).toEqual(['step-1', 'step-2'])
    const step1 = run!.children[0]!
    expect(ids(step1.children)).toEqual(['llm-1-1', 'call_d', 'run-run_c'])
    const child = step1.children[2]!
    expect(ids(child.children)).toEqual(['run_c/step-1'])
    expect(ids(child.children[0]!.children)).toEqual(['run_c/llm-1-1'])
    expect(ids(flattenSpans(roots))).toEqual(delegatingTrace().map((s) => s.span_id))
  })

  it('orders children by start whatever the input order', () => {
    const shuffled = [...delegatingTrace()].reverse()
    expect(ids(flattenSpans(nestSpans(shuffled)))).toEqual(delegatingTrace().map((s) => s.span_id))
  })

  it('keeps every span once: orphans and cycles become roots, duplicates collapse', () => {
    const roots = nestSpans([
      span('run-r', null, 'run', 'run r', 0, 100),
      span('lost', 'step-9', 'tool', 'echo', 10, 20),
      span('a', 'b', 'step', 'a', 30, 40),
      span('b', 'a', 'step', 'b', 35, 45),
      span('run-r', null, 'run', 'run r (again)', 0, 100),
    ])
    const all = flattenSpans(roots)
    expect(all.map((n) => n.span.span_id).sort()).toEqual(['a', 'b', 'lost', 'run-r'])
    expect(all.find((n) => n.span.span_id === 'run-r')!.span.name).toBe('run r')
    expect(ids(roots)).toContain('lost')
  })

  it('reads times as epoch ms and leaves open spans open', () => {
    const [root] = nestSpans([span('run-r', null, 'run', 'run r', 100, null)])
    expect([root!.start, root!.end]).toEqual([T0_MS + 100, null])
  })
})

describe('layoutWaterfall', () => {
  it('lays spans out depth-first with offsets from the earliest start', () => {
    const { rows, totalMs, startMs } = layoutWaterfall(nestSpans(delegatingTrace()), T0_MS + 10_000)
    expect([startMs, totalMs]).toEqual([T0_MS, 1000])
    expect(rows.map((r) => [r.node.span.span_id, r.depth])).toEqual([
      ['run-run_p', 0],
      ['step-1', 1],
      ['llm-1-1', 2],
      ['call_d', 2],
      ['run-run_c', 2],
      ['run_c/step-1', 3],
      ['run_c/llm-1-1', 4],
      ['step-2', 1],
      ['llm-2-1', 2],
    ])
    expect(rows[0]).toMatchObject({ offsetMs: 0, durationMs: 1000, leftPct: 0, widthPct: 100 })
    const child = rows[4]!
    expect([child.offsetMs, child.durationMs]).toEqual([140, 460])
    expect(child.leftPct).toBeCloseTo(14)
    expect(child.widthPct).toBeCloseTo(46)
    for (const r of rows) expect(r.leftPct + r.widthPct).toBeLessThanOrEqual(100.0001)
  })

  it('measures open spans to now and keeps tiny spans visible', () => {
    const roots = nestSpans([span('run-r', null, 'run', 'run r', 100, null), span('t', 'run-r', 'tool', 'x', 200, 200, 'blocked')])
    const { rows, totalMs } = layoutWaterfall(roots, T0_MS + 2100)
    expect(totalMs).toBe(2000)
    expect(rows[0]!.durationMs).toBe(2000)
    expect(rows[1]!.widthPct).toBeGreaterThan(0)
  })

  it('has no rows for an empty trace', () => {
    expect(layoutWaterfall([], 0).rows).toEqual([])
  })
})

describe('traceCounts', () => {
  it('counts calls, sub-agents and error spans', () => {
    const spans = delegatingTrace()
    spans[3] = { ...spans[3]!, status: 'error' }
    expect(traceCounts(spans)).toEqual({ llmCalls: 3, toolCalls: 1, childRuns: 1, errors: 1 })
  })
})

describe('childRunId', () => {
  it('is the run a child_run span stands for', () => {
    const spans = delegatingTrace()
    expect(spans.map(childRunId).filter(Boolean)).toEqual(['run_c'])
  })
})

describe('eventInSpan', () => {
  const [run, step1, llm, delegate, child] = delegatingTrace()
  it('matches an event to its span and to the step around it', () => {
    const call = toolCalled(4, 1, 'call_d', 'delegate')
    expect(eventInSpan(call, delegate!)).toBe(true)
    expect(eventInSpan(call, step1!)).toBe(true)
    expect(eventInSpan(call, llm!)).toBe(false)
    expect(eventInSpan(call, run!)).toBe(true)
    expect(eventInSpan(stepStarted(2, 1), step1!)).toBe(true)
  })

  it('gives a child run the events that started it', () => {
    expect(eventInSpan(childrenStarted(5, 1, [{ run_id: 'run_c', kind: 'agent', agent_id: 'researcher' }]), child!)).toBe(true)
    expect(eventInSpan(childrenStarted(5, 1, [{ run_id: 'run_z', kind: 'agent', agent_id: 'z' }]), child!)).toBe(false)
    expect(eventInSpan(toolCalled(4, 1, 'call_d', 'delegate'), child!)).toBe(false)
  })
})

describe('movesSpans', () => {
  it('refetches on every boundary but not on each streamed token', () => {
    const known = new Set(['step-1', 'llm-1-1'])
    expect(movesSpans(stepStarted(2, 1), known)).toBe(true)
    expect(movesSpans(llmCalled(5, 1), known)).toBe(true)
    expect(movesSpans(runCompleted(9, 'ok'), known)).toBe(true)
    expect(movesSpans(token(3, 1, 'a'), known)).toBe(false)
    expect(movesSpans(token(3, 2, 'a'), known)).toBe(true) // llm-2-1: a call the trace has not seen
    expect(movesSpans(token(3, null, 'a'), known)).toBe(false)
  })
})

describe('streamedText', () => {
  it('joins the deltas of each LLM span', () => {
    const text = streamedText(sampleRun())
    expect(Object.fromEntries(text)).toEqual({ 'llm-1-1': 'Let me check.', 'llm-2-1': 'It says Hello.' })
  })
})
