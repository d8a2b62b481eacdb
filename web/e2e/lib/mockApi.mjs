// Fixture answers for /api, installed with page.route: lets the UI be exercised and
// screenshotted before the backend exists. Shapes follow docs/api-contract-draft.md.
// Not a backend: no persistence beyond the page, no validation.

const T0 = Date.now() - 3 * 60_000
const iso = (ms) => new Date(T0 + ms).toISOString()
const json = (route, body, status = 200) =>
  route.fulfill({ status, contentType: status >= 400 ? 'application/problem+json' : 'application/json', body: JSON.stringify(body) })

function run(id, extra = {}) {
  return {
    run_id: id, id, kind: 'agent', status: 'completed', session_key: 'chat-demo', input: 'What does the README say?', output: 'It says Hello.',
    error: null, model: 'gpt-4o-mini', agent_id: null, parent_run_id: null, project_id: 'prj_demo', created_at: iso(0), started_at: iso(100),
    finished_at: iso(4200), steps: 2, usage: { prompt_tokens: 1840, completion_tokens: 212, total_tokens: 2052, cost_usd: 0.00041 }, metadata: {}, depth: 0, wait_reason: null, ...extra,
  }
}

function ev(seq, ms, type, payload = {}, extra = {}) {
  return { seq, type, ts: iso(ms), run_id: 'run_mock', agent_id: 'main', step: null, span_id: null, parent_span_id: null, payload, ...extra }
}

function agentEvents(answer, { tool = true, approval = false } = {}) {
  const step1 = { step: 1, span_id: 'llm-1-1', parent_span_id: 'step-1' }
  const step2 = { step: 2, span_id: 'llm-2-1', parent_span_id: 'step-2' }
  const toolSpan = (id) => ({ step: 1, span_id: id, parent_span_id: 'step-1' })
  const out = [ev(1, 100, 'run.started', { kind: 'agent', attempt: 1 }), ev(2, 120, 'step.started', { step: 1 }, { step: 1, span_id: 'step-1' })]
  let s = 3
  let t = 200
  for (const d of ['Let me ', 'look at ', 'the README ', 'first.']) out.push(ev(s++, (t += 90), 'llm.token', { delta: d }, step1))
  out.push(ev(s++, (t += 60), 'llm.called', { provider: 'openai', model: 'gpt-4o-mini', usage: { prompt_tokens: 812, completion_tokens: 41, total_tokens: 853 }, cost_usd: 0.00015, duration_ms: 520, finish_reason: 'tool_calls' }, step1))
  if (tool) {
    out.push(ev(s++, (t += 20), 'tool.called', { tool_call_id: 'call_1', name: 'read_file', arguments: { path: 'README.md' } }, toolSpan('call_1')))
    out.push(ev(s++, (t += 180), 'tool.result', { tool_call_id: 'call_1', name: 'read_file', result: '# OpenIntern\nA self-hosted runtime for LLM agents.', is_error: false, duration_ms: 175 }, toolSpan('call_1')))
    out.push(ev(s++, (t += 10), 'tool.called', { tool_call_id: 'call_2', name: 'memory_search', arguments: { query: 'deployment notes', top_k: 3 } }, toolSpan('call_2')))
    out.push(ev(s++, (t += 320), 'tool.result', { tool_call_id: 'call_2', name: 'memory_search', result: [{ title: 'Deploy checklist', score: 0.82 }], is_error: false, duration_ms: 310 }, toolSpan('call_2')))
  }
  if (approval) {
    out.push(ev(s++, (t += 10), 'tool.requires_approval', { approval_id: 'apr_1', tool_call_id: 'call_3', name: 'send_email', arguments: { to: 'team@example.com', subject: 'Weekly summary' } }, toolSpan('call_3')))
    return out
  }
  out.push(ev(s++, (t += 10), 'step.completed', { step: 1 }, { step: 1, span_id: 'step-1' }))
  out.push(ev(s++, (t += 10), 'step.started', { step: 2 }, { step: 2, span_id: 'step-2' }))
  for (const d of answer.match(/.{1,12}/g)) out.push(ev(s++, (t += 70), 'llm.token', { delta: d }, step2))
  out.push(ev(s++, (t += 40), 'llm.called', { provider: 'openai', model: 'gpt-4o-mini', usage: { prompt_tokens: 1028, completion_tokens: 171, total_tokens: 1199 }, cost_usd: 0.00026, duration_ms: 1450, finish_reason: 'stop' }, step2))
  out.push(ev(s++, (t += 10), 'step.completed', { step: 2 }, { step: 2, span_id: 'step-2' }))
  out.push(ev(s++, (t += 10), 'run.completed', { output: answer, usage: { prompt_tokens: 1840, completion_tokens: 212, total_tokens: 2052 } }))
  return out
}

/** The server's span derivation (src/openintern/runs/trace.py), enough of it for the fixtures. */
function traceOf(runId, events) {
  const spans = new Map()
  const root = `run-${runId}`
  const open = (id, parent, kind, name, ts, attributes = {}) => spans.set(id, { span_id: id, parent_span_id: parent, kind, name, status: 'running', start: ts, end: null, duration_ms: null, attributes })
  const close = (id, ts, status = 'ok') => {
    const sp = spans.get(id)
    if (sp) Object.assign(sp, { end: ts, status, duration_ms: Date.parse(ts) - Date.parse(sp.start) })
  }
  for (const e of events) {
    const p = e.payload
    if (e.type === 'run.started') open(root, null, 'run', `run ${runId}`, e.ts)
    else if (e.type === 'run.completed') close(root, e.ts)
    else if (e.type === 'step.started') open(e.span_id, root, 'step', `step ${p.step}`, e.ts, { step: p.step })
    else if (e.type === 'step.completed') close(e.span_id, e.ts)
    else if (e.type === 'llm.token' && !spans.has(e.span_id)) open(e.span_id, e.parent_span_id, 'llm', 'llm call', e.ts)
    else if (e.type === 'llm.called') {
      spans.get(e.span_id).name = `${p.provider} ${p.model}`
      Object.assign(spans.get(e.span_id).attributes, { usage: p.usage, model: p.model })
      close(e.span_id, e.ts)
    } else if (e.type === 'tool.called') open(e.span_id, e.parent_span_id, 'tool', p.name, e.ts, { arguments: p.arguments })
    else if (e.type === 'tool.result') close(e.span_id, e.ts, p.is_error ? 'error' : 'ok')
    else if (e.type === 'tool.requires_approval') {
      open(e.span_id, e.parent_span_id, 'tool', p.name, e.ts, { approval_id: p.approval_id })
      spans.get(e.span_id).status = 'waiting'
    }
  }
  return [...spans.values()].sort((a, b) => a.start.localeCompare(b.start))
}

/** A serial team run: the researcher's turn (evidence, proposal), then the lead decides. */
function teamEvents() {
  const team = { agent_id: 'team' }
  const as = (agent, step) => ({ agent_id: agent, step })
  const msg = (agent, content, runId, round = 1) => ({ agent_id: agent, content, run_id: runId, round })
  const usage = { prompt_tokens: 420, completion_tokens: 96, total_tokens: 516, cost_usd: 0.00009 }
  return [
    ev(1, 100, 'run.started', { kind: 'group', attempt: 1 }, team),
    ev(2, 120, 'message.task', msg('researcher', 'Team task:\nReview the migration plan.\n\nYou are researcher. Give your contribution to the task from your role.', 'run_m1'), as('researcher', 1)),
    ev(3, 121, 'message.status', { agent_id: 'researcher', status: 'working', run_id: 'run_m1' }, as('researcher', 1)),
    ev(4, 130, 'run.children_started', { step: 1, children: [{ run_id: 'run_m1', kind: 'agent', agent_id: 'researcher' }] }, { ...team, step: 1 }),
    ev(5, 2400, 'run.children_completed', { step: 1, children: [{ run_id: 'run_m1', kind: 'agent', agent_id: 'researcher', status: 'completed', output: 'The plan is sound.', error: null, usage }] }, { ...team, step: 1 }),
    ev(6, 2410, 'message.evidence', { agent_id: 'researcher', content: 'migrations/0015: adds roles, groups, group_members; downgrade drops them', run_id: 'run_m1', tool: 'read_file' }, as('researcher', 1)),
    ev(7, 2411, 'message.status', { agent_id: 'researcher', status: 'done', run_id: 'run_m1', detail: null }, as('researcher', 1)),
    ev(8, 2412, 'message.proposal', msg('researcher', 'The plan is sound: the migration is reversible and the new tables are empty on deploy.', 'run_m1'), as('researcher', 1)),
    ev(9, 2420, 'message.task', msg('lead', 'Team task:\nReview the migration plan.\n\nYou lead the team. Weigh the contributions and give the team’s final decision.', 'run_m2'), as('lead', 2)),
    ev(10, 2421, 'message.status', { agent_id: 'lead', status: 'working', run_id: 'run_m2' }, as('lead', 2)),
    ev(11, 2430, 'run.children_started', { step: 2, children: [{ run_id: 'run_m2', kind: 'agent', agent_id: 'lead' }] }, { ...team, step: 2 }),
    ev(12, 3900, 'run.children_completed', { step: 2, children: [{ run_id: 'run_m2', kind: 'agent', agent_id: 'lead', status: 'completed', output: 'Approve.', error: null, usage }] }, { ...team, step: 2 }),
    ev(13, 3910, 'message.status', { agent_id: 'lead', status: 'done', run_id: 'run_m2', detail: null }, as('lead', 2)),
    ev(14, 3911, 'message.decision', msg('lead', 'Approve the plan; deploy the migration before the code.', 'run_m2'), as('lead', 2)),
    ev(15, 3920, 'run.completed', { output: 'Approve the plan; deploy the migration before the code.', usage }, team),
  ]
}

const ROLES = [
  { id: 'role_1', name: 'researcher', description: 'Finds the facts and cites them', system_prompt: 'You are the team’s researcher. Read the sources, quote what matters.', provider: null, model: 'gpt-4o-mini', model_settings: {}, tools: ['read_file', 'memory_search'], skills: [], memory_scope: 'group', spawn_roles: [], max_steps: null, tool_policies: [], project_id: null, created_at: iso(-5e8), updated_at: iso(-5e8) },
  { id: 'role_2', name: 'lead', description: 'Weighs the findings and decides', system_prompt: 'You lead the team: weigh the contributions and decide.', provider: 'openai', model: 'gpt-4o', model_settings: {}, tools: null, skills: [], memory_scope: 'org', spawn_roles: [], max_steps: 8, tool_policies: [], project_id: null, created_at: iso(-5e8), updated_at: iso(-5e8) },
]
const member = (id, role, position, lead) => ({ id, group_id: 'grp_1', role_id: role.id, role_name: role.name, agent_id: role.name, position, is_lead: lead, created_at: iso(-4e8) })
const GROUP = { id: 'grp_1', name: 'review-board', description: '', orchestrator: 'serial', max_rounds: 3, project_id: null, members: [member('mem_1', ROLES[0], 0, false), member('mem_2', ROLES[1], 1, true)], created_at: iso(-4e8), updated_at: iso(-4e8) }
const STATS = { runs: 12, completed: 10, failed: 1, active: 0, success_rate: 0.9091, usage: { prompt_tokens: 48210, completion_tokens: 9120, total_tokens: 57330, cost_usd: 0.0123 }, last_used_at: iso(3900) }
const BLACKBOARD = [
  { id: 'bb_2', group_id: 'grp_1', tier: 'episodic', kind: 'run', title: 'Team run run_team: Review the migration plan', content: '# Task\n\nReview the migration plan.\n\n# Decision (lead)\n\nApprove the plan; deploy the migration before the code.\n\n# Key evidence\n\n- **researcher** (completed): The plan is sound: the migration is reversible.\n\nRun: run_team', tags: ['team-run'], agent_id: 'lead', run_id: 'run_team', created_at: iso(3915), score: null },
  { id: 'bb_1', group_id: 'grp_1', tier: 'archival', kind: 'question', title: 'Who signs off on schema changes?', content: 'Ops wants a named owner for every migration.', tags: ['ops'], agent_id: null, run_id: null, created_at: iso(-7e6), score: null },
]

const ANSWER = 'The README describes OpenIntern, a self-hosted runtime for LLM agents. Runs are queued in PostgreSQL, every event is durable, and you can follow a run live in the trace view.'

export async function installMockApi(page) {
  const runs = [
    run('run_01', { status: 'running', input: 'Draft the weekly summary and email it to the team', session_key: 'chat-weekly', created_at: iso(60_000), started_at: iso(60_100), finished_at: null, usage: { prompt_tokens: 812, completion_tokens: 41, total_tokens: 853, cost_usd: 0.00015 } }),
    run('run_02', { status: 'waiting', wait_reason: 'approval', input: 'Email the release notes', session_key: 'chat-weekly', created_at: iso(50_000), started_at: iso(50_100), finished_at: null }),
    run('run_03'),
    run('run_04', { status: 'failed', input: 'Summarise docs/missing.md', output: null, error: 'File not found', created_at: iso(-600_000), started_at: iso(-599_000), finished_at: iso(-597_500) }),
    run('run_05', { status: 'cancelled', kind: 'group', input: 'Team: review the migration plan', session_key: 'team-review', created_at: iso(-3_600_000), started_at: iso(-3_599_000), finished_at: iso(-3_540_000) }),
    run('run_06', { input: 'Find the deploy checklist', session_key: 'chat-ops', created_at: iso(-86_400_000), started_at: iso(-86_399_000), finished_at: iso(-86_396_000) }),
  ]
  const teamRun = run('run_team', { kind: 'group', agent_id: 'team', input: 'Review the migration plan', session_key: null, model: null, output: 'Approve the plan; deploy the migration before the code.', finished_at: iso(3920), metadata: { group_id: 'grp_1' } })
  const events = { run_team: teamEvents(), run_03: agentEvents(ANSWER), run_01: agentEvents(ANSWER, { approval: true }), run_02: agentEvents(ANSWER, { approval: true }) }
  let created = 0

  await page.route((url) => url.pathname.startsWith('/api/'), async (route) => {
    const req = route.request()
    const url = new URL(req.url())
    const p = url.pathname
    const m = req.method()
    const body = () => (req.postData() ? JSON.parse(req.postData()) : {})

    if (p === '/api/auth/login') {
      const b = body()
      if (b.password === 'wrong') return json(route, { type: 'about:blank', title: 'Invalid credentials', status: 401, detail: 'Unknown user or wrong password.' }, 401)
      return json(route, { access_token: 'mock.jwt', token_type: 'bearer', expires_in: 3600 })
    }
    if (p === '/api/me') return json(route, { user: { id: 'usr_1', username: 'ada', display_name: 'Ada Lovelace' }, org: { id: 'org_1', name: 'Acme', slug: 'acme' }, role: 'owner', project: null, orgs: [{ id: 'org_1', name: 'Acme', slug: 'acme', role: 'owner' }] })
    if (p === '/api/projects' && m === 'GET') return json(route, { items: [{ id: 'prj_demo', org_id: 'org_1', name: 'Demo', slug: 'demo', description: 'Playground', created_at: iso(-9e8) }, { id: 'prj_ops', org_id: 'org_1', name: 'Ops assistant', slug: 'ops', description: 'On-call helper', created_at: iso(-5e8) }], next_cursor: null })
    if (p === '/api/runs' && m === 'GET') {
      const st = url.searchParams.get('status')
      const sk = url.searchParams.get('session_key')
      const parent = url.searchParams.get('parent_run_id')
      let items = runs.filter((r) => (!st || r.status === st) && (!sk || r.session_key === sk))
      if (parent) items = parent === 'run_03' ? [run('run_child', { kind: 'agent', parent_run_id: 'run_03', created_at: iso(700), started_at: iso(720), finished_at: iso(1100) })] : []
      return json(route, { items, next_cursor: items.length > 4 && !url.searchParams.get('cursor') ? 'c2' : null })
    }
    if (p === '/api/runs' && m === 'POST') {
      const id = `run_new${++created}`
      const r = run(id, { status: 'queued', input: body().input, session_key: body().session_key, created_at: new Date().toISOString(), finished_at: null })
      runs.unshift(r)
      events[id] = agentEvents(ANSWER)
      return json(route, r, 201)
    }
    let mm
    if ((mm = p.match(/^\/api\/sessions\/([^/]+)\/runs$/))) {
      const items = runs.filter((r) => r.session_key === decodeURIComponent(mm[1]))
      return json(route, { items, total: items.length, page: 1, limit: 50 })
    }
    if ((mm = p.match(/^\/api\/runs\/([^/]+)\/trace$/))) {
      const r = runs.find((x) => x.run_id === mm[1])
      return json(route, { run_id: mm[1], spans: traceOf(mm[1], events[mm[1]] ?? []), usage: r?.usage ?? { prompt_tokens: 0, completion_tokens: 0, total_tokens: 0, cost_usd: 0 } })
    }
    if ((mm = p.match(/^\/api\/runs\/([^/]+)\/events$/))) return json(route, { events: events[mm[1]] ?? [], next_cursor: null })
    if ((mm = p.match(/^\/api\/runs\/([^/]+)\/stream$/))) {
      const after = Number(req.headers()['last-event-id'] ?? 0)
      const text = (events[mm[1]] ?? []).filter((e) => e.seq > after).map((e) => `id: ${e.seq}\nevent: ${e.type}\ndata: ${JSON.stringify(e)}\n\n`).join('')
      // A live run without a terminal event: keep the connection "open" by never ending it.
      if (!/run\.(completed|failed|cancelled)/.test(text) && mm[1] !== 'run_03') return route.fulfill({ status: 200, contentType: 'text/event-stream', body: ': keep-alive\n\n' + text }).then(() => undefined)
      return route.fulfill({ status: 200, contentType: 'text/event-stream', body: text })
    }
    if ((mm = p.match(/^\/api\/runs\/([^/]+)\/cancel$/))) return json(route, { ...runs.find((r) => r.run_id === mm[1]), status: 'cancelled' })
    if ((mm = p.match(/^\/api\/runs\/([^/]+)$/))) {
      const r = [...runs, teamRun].find((x) => x.run_id === mm[1])
      return r ? json(route, r) : json(route, { title: 'Not Found', status: 404, detail: `run ${mm[1]} not found` }, 404)
    }
    if (p === '/api/roles' && m === 'GET') return json(route, { items: ROLES, next_cursor: null })
    if (p === '/api/groups' && m === 'GET') return json(route, { items: [GROUP], next_cursor: null })
    if (/^\/api\/(roles|groups)\/[^/]+\/stats$/.test(p)) return json(route, STATS)
    if (p === '/api/groups/grp_1') return json(route, GROUP)
    if (p === '/api/groups/grp_1/runs') return json(route, { items: [teamRun], next_cursor: null })
    if (p === '/api/groups/grp_1/blackboard' && m === 'GET') return json(route, { items: BLACKBOARD, next_cursor: null })
    if ((mm = p.match(/^\/api\/groups\/grp_1\/blackboard\/([^/]+)$/))) return json(route, BLACKBOARD.find((e) => e.id === mm[1]) ?? BLACKBOARD[0])
    if (p === '/api/approvals') {
      if (url.searchParams.get('status') !== 'pending') return json(route, { items: [], next_cursor: null })
      return json(route, {
        items: [
          { id: 'apr_1', run_id: 'run_01', tool_name: 'send_email', arguments: { to: 'team@example.com', subject: 'Weekly summary', body: 'Hi all, here is what shipped this week…' }, risk: 'high', status: 'pending', comment: null, created_at: iso(62_000), decided_at: null },
          { id: 'apr_2', run_id: 'run_02', tool_name: 'http_request', arguments: { method: 'POST', url: 'https://hooks.example.com/release' }, risk: 'medium', status: 'pending', comment: null, created_at: iso(51_000), decided_at: null },
        ],
        next_cursor: null,
      })
    }
    if ((mm = p.match(/^\/api\/approvals\/([^/]+)\/(approve|reject)$/))) return json(route, { id: mm[1], run_id: 'run_01', tool_name: 'send_email', arguments: {}, risk: 'high', status: mm[2] === 'approve' ? 'approved' : 'rejected', comment: body().comment ?? null, created_at: iso(0), decided_at: new Date().toISOString() })
    if (p === '/api/memory/search') {
      return json(route, {
        results: [
          { memory_id: 'mem_1', title: 'Deploy checklist', tier: 'archival', snippet: 'Before every <b>deploy</b>: run migrations, check the queue depth, then roll API replicas one at a time.', score: 0.0325, scores: { vector: 0.82, text: 0.41, rrf: 0.0325 } },
          { memory_id: 'mem_2', title: 'Incident 2024-11-03', tier: 'episodic', snippet: 'The deploy stalled because a worker held a lease; reclaim fixed it after 30 s.', score: 0.0301, scores: { vector: 0.74, text: 0.22, rrf: 0.0301 } },
          { memory_id: 'mem_3', title: '部署说明', tier: 'core', snippet: '部署前先备份数据库,然后 deploy。', score: 0.0163, scores: { vector: 0.51, text: null, rrf: 0.0163 } },
        ],
      })
    }
    if (p === '/api/memory' && m === 'GET') return json(route, { items: [{ id: 'mem_9', tier: url.searchParams.get('tier') ?? 'core', title: 'User preferences', content: 'Prefers concise answers with links to the trace.', tags: ['profile'], metadata: null, group_id: null, agent_id: null, session_key: null, importance: 0.8, created_at: iso(-7e7) }], next_cursor: null })
    if (p === '/api/members') return json(route, { items: [{ user_id: 'usr_1', username: 'ada', display_name: 'Ada Lovelace', role: 'owner', created_at: iso(-9e8) }, { user_id: 'usr_2', username: 'grace', display_name: 'Grace Hopper', role: 'admin', created_at: iso(-8e8) }, { user_id: 'usr_3', username: 'linus', display_name: null, role: 'member', created_at: iso(-1e8) }], next_cursor: null })
    if (p === '/api/keys' && m === 'GET') return json(route, { items: [{ id: 'key_1', name: 'CI pipeline', prefix: 'oi_live_3fa9', status: 'active', project_id: 'prj_demo', created_at: iso(-5e8), last_used_at: iso(-3.6e6) }, { id: 'key_2', name: 'Old laptop', prefix: 'oi_live_77c1', status: 'revoked', project_id: null, created_at: iso(-9e8), last_used_at: null }], next_cursor: null })
    if (p === '/api/keys' && m === 'POST') return json(route, { id: 'key_3', name: body().name, prefix: 'oi_live_b81e', status: 'active', project_id: body().project_id ?? null, created_at: new Date().toISOString(), last_used_at: null, key: 'oi_live_b81e2c0f6a3d49e1b7c5d8f9a0e1c2b3' }, 201)
    if ((mm = p.match(/^\/api\/keys\/([^/]+)\/revoke$/))) return json(route, { id: mm[1], name: 'CI pipeline', prefix: 'oi_live_3fa9', status: 'revoked', project_id: 'prj_demo', created_at: iso(-5e8), last_used_at: iso(-3.6e6) })
    if (p === '/api/providers' && m === 'GET') return json(route, { items: [{ id: 'prv_1', name: 'openai', kind: 'openai', base_url: null, model: 'gpt-4o-mini', has_api_key: true, created_at: iso(-5e8) }, { id: 'prv_2', name: 'local-ollama', kind: 'openai', base_url: 'http://localhost:11434/v1', model: 'qwen2.5:7b', has_api_key: false, created_at: iso(-2e8) }], next_cursor: null })
    if ((mm = p.match(/^\/api\/providers\/([^/]+)\/test$/))) return json(route, { ok: true, detail: 'model listed', latency_ms: 182 })
    if (p === '/api/users' && m === 'POST') return json(route, { type: 'about:blank', title: 'Validation failed', status: 422, detail: '1 validation error', errors: [{ loc: ['body', 'password'], msg: 'String should have at least 8 characters', type: 'string_too_short' }] }, 422)
    return json(route, { title: 'Not Found', status: 404, detail: `mock has no ${m} ${p}` }, 404)
  })
}
