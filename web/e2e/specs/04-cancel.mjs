// Stop a run from the chat while its answer is still streaming: the run ends cancelled
// and the answer stops growing.
import { api, fakeScript, lastTurn, login, runReaches, sendChat, setRunOptions, unique } from '../lib/backend.mjs'

export const meta = { needs: 'backend' }

const LONG = 'This answer is deliberately slow so that there is time to stop it. '.repeat(6)

/** @param {{ page: import('playwright-core').Page, shot: (n: string) => Promise<string>, expect: (c: unknown, m: string) => void }} t */
export default async function ({ page, shot, expect }) {
  const model = await fakeScript(unique('slow'), [{ text: LONG, chunk_delay_ms: 60, chunk_size: 2 }])
  await login(page)
  await setRunOptions(page, { model, tools: [] })
  await sendChat(page, 'Write something long, slowly.')
  const turn = lastTurn(page)
  const text = turn.getByTestId('assistant-text')
  await text.waitFor()
  await page.waitForFunction(() => (document.querySelector('[data-testid="assistant-text"]')?.textContent?.length ?? 0) > 20)
  const runId = await turn.getAttribute('data-run-id')

  await page.getByRole('button', { name: 'Stop' }).click()
  await turn.getByText('Cancelled by request').waitFor({ timeout: 10_000 })
  await turn.getByText('cancelled', { exact: true }).waitFor()
  const run = await runReaches(runId, ['cancelled'])
  expect(run.status === 'cancelled', 'the API says cancelled')
  const stopped = await text.innerText()
  expect(stopped.length > 0 && stopped.length < LONG.trim().length, `the answer was cut short (${stopped.length}/${LONG.length} chars)`)
  await page.waitForTimeout(500)
  expect((await text.innerText()) === stopped, 'nothing streams after the cancel')
  expect(await page.getByRole('button', { name: 'Send' }).isVisible(), 'the composer is ready for the next message')
  const { events } = await api('GET', `/api/runs/${runId}/events?limit=1000`)
  expect(events.at(-1).type === 'run.cancelled', 'the log ends with run.cancelled')
  await shot('cancelled')

  // The trace of a cancelled run says so too.
  await turn.getByRole('link', { name: 'Trace' }).click()
  await page.getByText('Complete', { exact: true }).waitFor()
  await page.getByText('cancelled', { exact: true }).first().waitFor()
}
