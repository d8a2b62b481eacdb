// The trace of a run opened while it is still running: the event list and the span
// waterfall grow as events stream in, then the badge turns "Complete". The waterfall is
// the server's trace: the page shows exactly the spans GET /api/runs/{id}/trace returns.
import { api, login, runReaches, traceMatches, unique } from '../lib/backend.mjs'

export const meta = { needs: 'backend' }

const eventCount = async (page) => Number((await page.getByText(/^\d+ events$/).innerText()).split(' ')[0])

/** @param {{ page: import('playwright-core').Page, shot: (n: string) => Promise<string>, expect: (c: unknown, m: string) => void }} t */
export default async function ({ page, shot, expect }) {
  await login(page)
  const input = `Trace me live (${unique('t')})`
  // Five tool-calling steps, ~0.5 s of model latency each, then a streamed answer.
  const run = await api('POST', '/api/runs', {
    input,
    session_key: unique('trace'),
    model: 'fake/loop?tool=echo&n=5&latency_ms=500&chunk_delay_ms=40',
    tools: ['echo'],
  })

  // Open it from the runs list, as a user would, while it is running.
  await page.getByRole('link', { name: 'Runs' }).click()
  await page.getByRole('link', { name: input }).click()
  await page.waitForURL(new RegExp(`/trace/${run.id}$`))
  await page.getByText('Live', { exact: true }).waitFor({ timeout: 5_000 })
  const before = await eventCount(page)
  const spansBefore = await page.getByRole('treeitem').count()
  expect((await api('GET', `/api/runs/${run.id}`)).status !== 'completed', 'the run is still going when the trace opens')

  // It grows while we watch.
  await page.waitForFunction((n) => {
    const el = [...document.querySelectorAll('p')].find((p) => /^\d+ events$/.test(p.textContent ?? ''))
    return el && Number(el.textContent?.split(' ')[0]) >= n + 4
  }, before, { timeout: 10_000 })
  const middle = await eventCount(page)
  expect(middle > before, `events grow live (${before} → ${middle})`)
  await page.getByRole('treeitem', { name: /^echo/ }).nth(1).waitFor()
  await shot('live')
  // The page refetches the trace as the stream moves a span boundary: it keeps up.
  const live = await traceMatches(page, run.id, 8_000)
  expect(live.shown.length > 0, `the page follows the server's spans while the run is live (${live.shown.length})`)

  // …until the run ends: complete, every event of the log, one tool span per call.
  await page.getByText('Complete', { exact: true }).waitFor({ timeout: 15_000 })
  await runReaches(run.id, ['completed'])
  const { events } = await api('GET', `/api/runs/${run.id}/events?limit=1000`)
  await page.getByText(`${events.length} events`, { exact: true }).waitFor()
  // The trace endpoint matches what the UI shows: same count, ids and names.
  const { server, shown } = await traceMatches(page, run.id)
  const spansAfter = await page.getByRole('treeitem').count()
  expect(spansAfter > spansBefore, `spans grow (${spansBefore} → ${spansAfter})`)
  expect(shown.length === server.length && spansAfter === server.length, `the page shows the ${server.length} spans of GET /trace (${shown.length})`)
  expect(server.filter((s) => s.endsWith(' echo')).length === 5, 'the server has one span per tool call')
  expect((await page.getByRole('treeitem', { name: /^echo/ }).count()) === 5, 'one span per tool call')
  expect(await page.getByText('completed', { exact: true }).first().isVisible(), 'the summary says completed')

  // Click a tool span: the event list narrows to it and the inspector shows the span.
  await page.getByRole('treeitem', { name: /^echo/ }).first().click()
  await page.getByText('Span filter ✕').waitFor()
  await page.getByRole('button', { name: /tool\.result/ }).first().click()
  await page.getByText(/Event #\d+ · tool\.result/).waitFor()
  await shot('complete')
}
