// Helpers for specs that run against a real `openintern serve` (meta.needs = 'backend').
//
//   BASE_URL        the platform (UI at /, API under /api)         default http://127.0.0.1:8000
//   FAKE_LLM_URL    the fake OpenAI server (scripts at /_fake/…)    default http://127.0.0.1:8999
//   ADMIN_USER / ADMIN_PASSWORD                                      default admin / admin-password
import { randomBytes } from 'node:crypto'

export const BASE_URL = process.env.BASE_URL ?? 'http://127.0.0.1:8000'
export const FAKE_LLM_URL = process.env.FAKE_LLM_URL ?? 'http://127.0.0.1:8999'
export const ADMIN_USER = process.env.ADMIN_USER ?? 'admin'
export const ADMIN_PASSWORD = process.env.ADMIN_PASSWORD ?? 'admin-password'

/** A short random suffix so specs never collide with each other or with earlier runs. */
export const unique = (prefix) => `${prefix}-${randomBytes(3).toString('hex')}`

let token = null
/** Bearer token of the admin, for setting up and checking state behind the UI's back. */
export async function adminToken() {
  if (token) return token
  const res = await fetch(`${BASE_URL}/api/auth/login`, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify({ username: ADMIN_USER, password: ADMIN_PASSWORD }),
  })
  if (!res.ok) throw new Error(`admin login: HTTP ${res.status} ${await res.text()}`)
  token = /** @type {{ access_token: string }} */ (await res.json()).access_token
  return token
}

/** JSON API call as the admin (or with `opts.bearer`); throws on non-2xx unless `opts.raw`. */
export async function api(method, path, body, opts = {}) {
  const res = await fetch(`${BASE_URL}${path}`, {
    method,
    headers: {
      authorization: `Bearer ${opts.bearer ?? (await adminToken())}`,
      ...(body === undefined ? {} : { 'content-type': 'application/json' }),
    },
    body: body === undefined ? undefined : JSON.stringify(body),
  })
  if (opts.raw) return res
  const text = await res.text()
  if (!res.ok) throw new Error(`${method} ${path}: HTTP ${res.status} ${text}`)
  return text ? JSON.parse(text) : null
}

/** Register a scripted model on the fake LLM; returns the model name to put in a run. */
export async function fakeScript(name, replies) {
  const res = await fetch(`${FAKE_LLM_URL}/_fake/scripts`, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify({ name, replies }),
  })
  if (!res.ok) throw new Error(`fake script ${name}: HTTP ${res.status} ${await res.text()}`)
  return /** @type {{ model: string }} */ (await res.json()).model
}

/** Poll `fn` until it returns a truthy value (or throw with `what` after `timeout` ms). */
export async function until(fn, what, timeout = 15_000, every = 150) {
  const end = Date.now() + timeout
  for (;;) {
    const v = await fn()
    if (v) return v
    if (Date.now() > end) throw new Error(`timed out after ${timeout} ms waiting for ${what}`)
    await new Promise((r) => setTimeout(r, every))
  }
}

/** Wait for a run to reach one of `statuses` (API). */
export const runReaches = (runId, statuses, timeout = 20_000) =>
  until(async () => {
    const run = await api('GET', `/api/runs/${runId}`)
    return statuses.includes(run.status) ? run : null
  }, `run ${runId} to be ${statuses.join('|')}`, timeout)

/**
 * Sign in through the login form and land on `next` (default: the chat).
 * @param {import('playwright-core').Page} page
 */
export async function login(page, next = '/') {
  await page.goto(`/login${next === '/' ? '' : `?next=${encodeURIComponent(next)}`}`)
  await page.getByLabel('Username').fill(ADMIN_USER)
  await page.getByLabel('Password').fill(ADMIN_PASSWORD)
  await page.getByRole('button', { name: 'Sign in' }).click()
  await page.getByRole('navigation', { name: 'Main' }).waitFor()
}

/**
 * Set the chat's model and tools through the composer's "Run options" dialog.
 * @param {import('playwright-core').Page} page
 * @param {{ model?: string, tools?: string[] }} options
 */
export async function setRunOptions(page, { model = '', tools = [] }) {
  await page.getByRole('button', { name: /^Run options/ }).click()
  const dialog = page.getByRole('dialog', { name: 'Run options' })
  await dialog.getByLabel('Model').fill(model)
  await dialog.getByRole('checkbox').first().waitFor()
  for (const box of await dialog.getByRole('checkbox').all()) {
    const name = (await box.locator('xpath=..').innerText()).split(/\s/)[0]
    if (tools.includes(name) !== (await box.isChecked())) await box.click()
  }
  await dialog.getByRole('button', { name: 'Save' }).click()
  await dialog.waitFor({ state: 'hidden' })
}

/** Start a new chat session and send `text`; returns the run id from the Trace link. */
export async function sendChat(page, text) {
  await page.getByRole('button', { name: 'New session' }).click()
  await page.getByLabel('Message').fill(text)
  await page.getByLabel('Message').press('Enter')
  await page.getByText(text, { exact: true }).first().waitFor()
}

/** Text of the last assistant turn (everything the agent row shows). */
export const lastTurn = (page) => page.getByTestId('agent-turn').last()

/**
 * GET `path` from inside the page, with the token (and project) the UI signed in with:
 * what the UI itself may see, not the admin's view.
 * @param {import('playwright-core').Page} page
 */
export async function pageApi(page, path) {
  return page.evaluate(async (p) => {
    const headers = { authorization: `Bearer ${localStorage.getItem('openintern.token')}` }
    const project = localStorage.getItem('openintern.projectId')
    if (project) headers['x-project-id'] = project
    const res = await fetch(p, { headers })
    if (!res.ok) throw new Error(`GET ${p}: HTTP ${res.status} ${await res.text()}`)
    return res.json()
  }, path)
}

/**
 * The spans the trace page shows, one `<span id> <name>` per waterfall row, in page order.
 * @param {import('playwright-core').Page} page
 */
export const shownSpans = (page) =>
  page.$$eval('[role=tree][aria-label=Spans] [role=treeitem]', (rows) => rows.map((r) => `${r.getAttribute('data-span-id')} ${r.querySelector('[data-testid=span-name]')?.textContent ?? ''}`))

/**
 * Wait until the trace page shows exactly the spans GET /api/runs/{id}/trace returns (same
 * count, ids and names; fetched with the page's token), and return both lists.
 * @param {import('playwright-core').Page} page
 */
export async function traceMatches(page, runId, timeout = 5_000) {
  let server = []
  let shown = []
  const same = () => shown.length === server.length && [...shown].sort().join('\n') === [...server].sort().join('\n')
  const end = Date.now() + timeout
  do {
    const trace = await pageApi(page, `/api/runs/${encodeURIComponent(runId)}/trace`)
    server = trace.spans.map((s) => `${s.span_id} ${s.name}`)
    shown = await shownSpans(page)
    if (same()) return { server, shown }
    await new Promise((r) => setTimeout(r, 200))
  } while (Date.now() < end)
  throw new Error(`the trace page shows ${shown.length} spans, GET /trace returns ${server.length}:\n  page:   ${shown.join(' | ')}\n  server: ${server.join(' | ')}`)
}
