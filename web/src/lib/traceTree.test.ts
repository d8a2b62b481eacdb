import { describe, expect, it } from 'vitest'
import { at, ev, sampleRun, T0_MS } from '@/test/events'
import { buildTraceTree, flattenSpans, layoutWaterfall, traceTotals } from './traceTree'

describe('buildTraceTree', () => {
  it('nests steps under the run and LLM/tool calls under steps', () => {
    const root = buildTraceTree(sampleRun(), { runId: 'run_1' })
    expect(root.kind).toBe('run')
    expect(root.status).toBe('ok')
    expect(root.children.map((c) => c.name)).toEqual(['step 1', 'step 2'])
    const [s1, s2] = root.children
    expect(s1!.children.map((c) => [c.kind, c.name])).toEqual([
      ['llm', 'openai / gpt-4o'],
      ['tool', 'read_file'],
    ])
    expect(s2!.children.map((c) => c.kind)).toEqual(['llm'])
  })

  it('computes start, end and durations from timestamps', () => {
    const root = buildTraceTree(sampleRun(), { runId: 'run_1' })
    // ts = T0 + seq*100
    expect(root.start).toBe(T0_MS + 100)
    expect(root.end).toBe(T0_MS + 1400)
    const s1 = root.children[0]!
    expect(s1.start).toBe(T0_MS + 200)
    expect(s1.end).toBe(T0_MS + 800)
    const llm = s1.children[0]!
    expect(llm.end).toBe(T0_MS + 500)
    expect(llm.start).toBe(T0_MS + 250) // 500 − duration_ms 250
    const tool = s1.children[1]!
    expect([tool.start, tool.end, tool.status]).toEqual([T0_MS + 600, T0_MS + 700, 'ok'])
    expect(tool.attrs).toMatchObject({ arguments: { path: 'README.md' }, result: '# Hello' })
    expect(tool.seqs).toEqual([6, 7])
  })

  it('leaves spans open while the run is live', () => {
    const root = buildTraceTree(sampleRun().slice(0, 6), { runId: 'r' })
    expect(root.end).toBeNull()
    expect(root.status).toBe('running')
    const tool = root.children[0]!.children[1]!
    expect(tool.end).toBeNull()
    expect(tool.status).toBe('running')
  })

  it('closes open spans at the run end with the run’s status', () => {
    const events = [...sampleRun().slice(0, 6), ev(7, 'run.cancelled', { reason: 'user' })]
    const root = buildTraceTree(events, { runId: 'r' })
    expect(root.status).toBe('cancelled')
    const step = root.children[0]!
    const tool = step.children[1]!
    expect(tool.end).toBe(root.end)
    expect(tool.status).toBe('cancelled')
    expect(step.status).toBe('cancelled')
  })

  it('marks blocked, failed and approval-waiting tool calls', () => {
    const root = buildTraceTree(
      [
        ev(1, 'run.started'),
        ev(2, 'tool.called', { tool_call_id: 'a', name: 'exec' }, { step: 1 }),
        ev(3, 'tool.blocked', { tool_call_id: 'a', reason: 'risk' }, { step: 1 }),
        ev(4, 'tool.called', { tool_call_id: 'b', name: 'fetch' }, { step: 1 }),
        ev(5, 'tool.result', { tool_call_id: 'b', is_error: true, result: 'timeout' }, { step: 1 }),
        ev(6, 'tool.requires_approval', { tool_call_id: 'c', name: 'email', approval_id: 'apr_1' }, { step: 1 }),
      ],
      { runId: 'r' },
    )
    const byName = Object.fromEntries(flattenSpans(root).map((s) => [s.name, s]))
    expect(byName.exec!.status).toBe('blocked')
    expect(byName.fetch!.status).toBe('error')
    expect(byName.email!.status).toBe('waiting')
  })

  it('is independent of delivery order', () => {
    const a = buildTraceTree(sampleRun(), { runId: 'r' })
    const b = buildTraceTree([...sampleRun()].reverse(), { runId: 'r' })
    expect(b).toEqual(a)
  })

  it('falls back to token timestamps when an LLM call has no duration', () => {
    const root = buildTraceTree(
      [
        ev(1, 'step.started', { step: 1 }, { step: 1 }),
        ev(2, 'llm.token', { delta: 'a' }, { step: 1 }),
        ev(5, 'llm.called', { model: 'm' }, { step: 1 }),
      ],
      { runId: 'r' },
    )
    const llm = root.children[0]!.children[0]!
    expect([llm.start, llm.end]).toEqual([T0_MS + 200, T0_MS + 500])
  })

  it('nests child runs under the tool call that started them', () => {
    const parent = [
      ev(1, 'run.started'),
      ev(2, 'step.started', { step: 1 }, { step: 1 }),
      ev(3, 'tool.called', { tool_call_id: 's', name: 'spawn_agent', arguments: { task: 'x' } }, { step: 1 }),
      ev(9, 'tool.result', { tool_call_id: 's', result: { run_id: 'run_child' } }, { step: 1 }),
    ]
    const child = [ev(1, 'run.started', {}, { ts: at(400) }), ev(2, 'run.completed', { output: 'ok' }, { ts: at(800) })]
    const root = buildTraceTree(parent, {
      runId: 'run_parent',
      childRuns: [
        { runId: 'run_child', events: child },
        { runId: 'run_other', status: 'completed', startedAt: at(950), finishedAt: at(990) },
      ],
    })
    const spawn = root.children[0]!.children[0]!
    expect(spawn.children.map((c) => [c.kind, c.name, c.status])).toEqual([['child_run', 'run_child', 'ok']])
    expect(spawn.children[0]!.end).toBe(T0_MS + 800)
    const other = root.children.find((c) => c.name === 'run_other')!
    expect([other.kind, other.start, other.end, other.status]).toEqual(['child_run', T0_MS + 950, T0_MS + 990, 'ok'])
  })
})

describe('layoutWaterfall', () => {
  it('lays spans out depth-first with offsets relative to the run start', () => {
    const root = buildTraceTree(sampleRun(), { runId: 'r' })
    const { rows, totalMs } = layoutWaterfall(root, T0_MS + 10_000)
    expect(totalMs).toBe(1300)
    expect(rows.map((r) => [r.span.kind, r.depth])).toEqual([
      ['run', 0],
      ['step', 1],
      ['llm', 2],
      ['tool', 2],
      ['step', 1],
      ['llm', 2],
    ])
    expect(rows[0]).toMatchObject({ offsetMs: 0, durationMs: 1300, leftPct: 0, widthPct: 100 })
    const tool = rows[3]!
    expect(tool.offsetMs).toBe(500)
    expect(tool.leftPct).toBeCloseTo((500 / 1300) * 100)
    expect(tool.widthPct).toBeCloseTo((100 / 1300) * 100)
    for (const r of rows) expect(r.leftPct + r.widthPct).toBeLessThanOrEqual(100.0001)
  })

  it('measures open spans to now and keeps tiny spans visible', () => {
    const root = buildTraceTree(sampleRun().slice(0, 6), { runId: 'r' })
    const now = T0_MS + 2100
    const { rows, totalMs } = layoutWaterfall(root, now)
    expect(totalMs).toBe(2000)
    expect(rows[0]!.durationMs).toBe(2000)
    const zero = buildTraceTree([ev(1, 'run.started'), ev(2, 'tool.blocked', { tool_call_id: 'x' })], { runId: 'r' })
    const { rows: zr } = layoutWaterfall(zero, T0_MS + 1000)
    expect(zr[1]!.widthPct).toBeGreaterThan(0)
  })
})

describe('traceTotals', () => {
  it('adds up tokens, cost, calls and errors', () => {
    expect(traceTotals(buildTraceTree(sampleRun(), { runId: 'r' }))).toEqual({
      promptTokens: 250,
      completionTokens: 15,
      totalTokens: 265,
      costUsd: 0.003,
      llmCalls: 2,
      toolCalls: 1,
      errors: 0,
    })
  })
})

describe('streaming LLM calls', () => {
  const live = [
    ev(1, 'run.started'),
    ev(2, 'step.started', { step: 1 }, { step: 1 }),
    ev(3, 'llm.token', { delta: 'Hel' }, { step: 1 }),
    ev(4, 'llm.token', { delta: 'lo' }, { step: 1 }),
  ]

  it('shows a call that is still streaming as an open span', () => {
    const step = buildTraceTree(live, { runId: 'r' }).children[0]!
    expect(step.children).toHaveLength(1)
    const llm = step.children[0]!
    expect([llm.kind, llm.name, llm.end, llm.status]).toEqual(['llm', 'llm call (streaming)', null, 'running'])
    expect(llm.seqs).toEqual([3, 4])
  })

  it('turns it into the finished call (same span) on llm.called', () => {
    const open = buildTraceTree(live, { runId: 'r' }).children[0]!.children[0]!
    const done = [...live, ev(5, 'llm.called', { provider: 'openai', model: 'm', duration_ms: 250 }, { step: 1 })]
    const step = buildTraceTree(done, { runId: 'r' }).children[0]!
    expect(step.children).toHaveLength(1)
    const llm = step.children[0]!
    expect([llm.id, llm.name, llm.status]).toEqual([open.id, 'openai / m', 'ok'])
    expect([llm.start, llm.end]).toEqual([T0_MS + 250, T0_MS + 500])
    expect(llm.seqs).toEqual([3, 4, 5])
  })
})
