// Chat: the answer streams in token by token, a tool call shows inline with its result,
// and the turn ends completed with usage and a link to the trace.
import { api, fakeScript, lastTurn, login, runReaches, sendChat, setRunOptions, unique } from '../lib/backend.mjs'

export const meta = { needs: 'backend' }

const FIRST = 'Let me ask the echo tool first.'
const FINAL = 'The echo tool answered “ping from e2e”, so tools work end to end. Streaming works too, one small chunk at a time.'

/** @param {{ page: import('playwright-core').Page, shot: (n: string) => Promise<string>, expect: (c: unknown, m: string) => void }} t */
export default async function ({ page, shot, expect }) {
  const model = await fakeScript(unique('chat'), [
    { text: FIRST, chunk_delay_ms: 30, chunk_size: 4, tool_calls: [{ name: 'echo', arguments: { text: 'ping from e2e' } }] },
    { text: FINAL, chunk_delay_ms: 45, chunk_size: 3, latency_ms: 200 },
  ])
  await login(page)
  await setRunOptions(page, { model, tools: ['echo', 'current_time'] })
  expect((await page.getByRole('button', { name: /^Run options/ }).innerText()).includes(model), 'the composer shows the chosen model')

  await sendChat(page, 'Please echo "ping from e2e" and tell me what came back.')
  // Streamed tokens: the final answer grows on screen while it is marked as streaming.
  const text = lastTurn(page).getByTestId('assistant-text').last()
  /** @type {string[]} */
  const seen = []
  const deadline = Date.now() + 15_000
  while (Date.now() < deadline) {
    const t = (await text.count()) ? await text.innerText().catch(() => '') : ''
    const streaming = (await text.count()) ? await text.getAttribute('data-streaming').catch(() => null) : null
    if (t.startsWith('The echo') && streaming) {
      if (seen.at(-1) !== t) seen.push(t)
      if (seen.length === 3) await shot('streaming')
    }
    if (t === FINAL) break
    await page.waitForTimeout(40)
  }
  expect(seen.length >= 3, `saw the answer grow while streaming (${seen.length} partial states)`)
  expect(seen.every((s, i) => i === 0 || s.length > seen[i - 1].length), 'partial answers only grow')
  expect(seen.every((s) => FINAL.startsWith(s)), 'every partial answer is a prefix of the final one')

  // The tool call, inline, with its arguments and result.
  const turn = lastTurn(page)
  await turn.getByText('completed', { exact: true }).first().waitFor()
  expect((await text.innerText()) === FINAL, 'the whole answer is shown once the run completes')
  const tool = turn.getByRole('button', { name: /echo/ })
  await tool.waitFor()
  expect((await tool.innerText()).includes('succeeded'), 'the tool call succeeded')
  await tool.click()
  await turn.getByText('Result').waitFor()
  expect((await turn.innerText()).includes('ping from e2e'), 'the tool result is shown')
  expect((await turn.innerText()).includes(FIRST), 'the text before the tool call is kept')
  await page.mouse.move(0, 0)
  await shot('tool-call')

  // The run behind it, as the API sees it.
  const runId = await turn.getAttribute('data-run-id')
  const run = await runReaches(runId, ['completed'])
  expect(run.model === model && run.output === FINAL, 'the run used the chosen model and stored the answer')
  const { events } = await api('GET', `/api/runs/${runId}/events?limit=1000`)
  expect(events.filter((e) => e.type === 'llm.token').length > 10, 'the answer was streamed as many tokens')

  // Reloading the page rebuilds the conversation from the API.
  await page.reload()
  await lastTurn(page).getByText(FINAL).waitFor()
  await lastTurn(page).getByRole('link', { name: 'Trace' }).click()
  await page.waitForURL(new RegExp(`/trace/${runId}$`))
  await page.getByRole('treeitem', { name: /echo/ }).first().waitFor()
}
