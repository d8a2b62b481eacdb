// Sub-agents: a run that uses `delegate` shows "Started 2 sub-agents" in the chat, waits
// for them (the status says so), resumes and answers; its trace nests each child run's
// spans under the step that started it, exactly as GET /trace returns them, and links to
// each child's own trace page.
import { api, fakeScript, lastTurn, login, runReaches, sendChat, setRunOptions, traceMatches, unique } from '../lib/backend.mjs'

export const meta = { needs: 'backend' }

const FINAL = 'Both sub-agents reported back.'
/** A sub-agent's model: two echo calls, ~0.7 s each, so the parent visibly waits. */
const CHILD_MODEL = 'fake/loop?tool=echo&n=2&latency_ms=700'

/** @param {{ page: import('playwright-core').Page, shot: (n: string) => Promise<string>, expect: (c: unknown, m: string) => void }} t */
export default async function ({ page, shot, expect }) {
  const tasks = [
    { input: 'look up alpha', agent_id: 'researcher', model: CHILD_MODEL, tools: ['echo'] },
    { input: 'draft beta', agent_id: 'writer', model: CHILD_MODEL, tools: ['echo'] },
  ]
  const model = await fakeScript(unique('delegate'), [
    { tool_calls: [{ name: 'delegate', arguments: { tasks } }] },
    { text: FINAL, chunk_delay_ms: 20 },
  ])
  await login(page)
  await setRunOptions(page, { model, tools: ['delegate', 'echo'] })
  await sendChat(page, 'Split this between two sub-agents.')

  // The chat: the children, linked to their traces, and the run waiting for them.
  const turn = lastTurn(page)
  const children = turn.getByTestId('sub-agents')
  await children.getByText('Started 2 sub-agents').waitFor()
  await turn.getByTestId('wait-reason').getByText('for sub-agents').waitFor({ timeout: 5_000 })
  await shot('chat-waiting')
  await turn.getByText(FINAL).waitFor({ timeout: 20_000 })
  await turn.getByText('completed', { exact: true }).first().waitFor()
  const runId = await turn.getAttribute('data-run-id')
  const kids = (await api('GET', `/api/runs?parent_run_id=${runId}`)).items
  expect(kids.length === 2 && kids.every((k) => k.status === 'completed' && k.depth === 1), 'two child runs, completed, at depth 1')
  for (const kid of kids) {
    const link = children.getByRole('link', { name: kid.agent_id })
    expect((await link.getAttribute('href')) === `/trace/${kid.run_id}`, `${kid.agent_id} links to its trace`)
  }
  await shot('chat-done')

  // The parent's trace: the children's spans nested under step 1, as the server derives them.
  await turn.getByRole('link', { name: 'Trace' }).click()
  await page.waitForURL(new RegExp(`/trace/${runId}$`))
  await page.getByText('Complete', { exact: true }).waitFor()
  const { server } = await traceMatches(page, runId)
  const childRows = page.locator('[role=treeitem][data-span-kind=child_run]')
  expect((await childRows.count()) === 2, 'one child_run span per sub-agent')
  for (const kid of kids) {
    const row = page.locator(`[role=treeitem][data-span-id="run-${kid.run_id}"]`)
    expect((await row.getAttribute('aria-level')) === '3', `${kid.agent_id}'s run sits under a step of the parent`)
    const nested = server.filter((s) => s.startsWith(`${kid.run_id}/`))
    expect(nested.length >= 3, `${kid.agent_id}'s own spans are in the parent's trace (${nested.length})`)
    const deeper = page.locator(`[role=treeitem][data-span-id^="${kid.run_id}/"]`)
    expect((await deeper.count()) === nested.length, `…and on the page, nested (${await deeper.count()})`)
  }
  await page.mouse.move(0, 0)
  await shot('trace')

  // A child's row opens its own trace, which links back to the parent.
  const first = kids[0]
  await page.locator(`[role=treeitem][data-span-id="run-${first.run_id}"]`).getByRole('link', { name: /trace/ }).click()
  await page.waitForURL(new RegExp(`/trace/${first.run_id}$`))
  await runReaches(first.run_id, ['completed'])
  await traceMatches(page, first.run_id)
  expect((await page.getByRole('treeitem', { name: /^echo/ }).count()) === 2, "the child's trace has its two tool calls")
  await page.getByRole('link', { name: 'Parent run' }).click()
  await page.waitForURL(new RegExp(`/trace/${runId}$`))
  await page.locator('[role=treeitem][data-span-kind=child_run]').first().waitFor()
}
