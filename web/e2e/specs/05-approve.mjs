// A tool call held by policy: the chat shows it waiting, the Approvals inbox lists it,
// approving it lets the run finish (with the decision recorded on the call).
import { api, fakeScript, lastTurn, login, runReaches, sendChat, setRunOptions, unique } from '../lib/backend.mjs'

export const meta = { needs: 'backend' }

/** @param {{ page: import('playwright-core').Page, shot: (n: string) => Promise<string>, expect: (c: unknown, m: string) => void }} t */
export default async function ({ page, shot, expect }) {
  const file = `${unique('e2e')}.txt`
  const model = await fakeScript(unique('approve'), [
    { text: 'I will write the file.', tool_calls: [{ name: 'write_file', arguments: { path: file, content: 'approved by e2e' } }] },
    { text: `Done: ${file} is written.`, chunk_delay_ms: 20, chunk_size: 4 },
  ])
  const policy = await api('POST', '/api/tool-policies', { pattern: 'write_file', action: 'require_approval' })
  try {
    await login(page)
    await setRunOptions(page, { model, tools: ['write_file'] })
    await sendChat(page, `Write ${file}, please.`)
    const turn = lastTurn(page)
    await turn.getByText('This tool call needs approval.').waitFor({ timeout: 10_000 })
    await turn.getByText('waiting', { exact: true }).first().waitFor()
    const runId = await turn.getAttribute('data-run-id')
    expect((await api('GET', `/api/runs/${runId}`)).status === 'waiting', 'the run is parked in waiting')
    await shot('chat-waiting')
    const chatUrl = page.url()

    // Decide in the inbox.
    await page.getByRole('link', { name: /Approvals/ }).click()
    const card = page.locator('div', { has: page.getByRole('link', { name: runId }) }).filter({ has: page.getByRole('button', { name: 'Approve' }) }).last()
    await card.waitFor()
    expect((await card.innerText()).includes(file), 'the card shows the arguments')
    await card.getByRole('textbox').fill('Looks fine (e2e)')
    await shot('inbox')
    await card.getByRole('button', { name: 'Approve' }).click()
    await page.getByText('write_file approved').waitFor()
    await card.waitFor({ state: 'detached' })

    // The run resumes and completes.
    const run = await runReaches(runId, ['completed'])
    expect(run.output === `Done: ${file} is written.`, 'the run finished with the scripted answer')
    const approvals = await api('GET', `/api/approvals?run_id=${runId}&status=approved`)
    expect(approvals.items.length === 1 && approvals.items[0].comment === 'Looks fine (e2e)', 'the decision and its comment are stored')
    await page.getByRole('tab', { name: 'Approved' }).click()
    await page.getByText('Looks fine (e2e)').first().waitFor()

    // Back in the chat: the call ran after approval and the answer is there.
    await page.goto(chatUrl)
    const after = lastTurn(page)
    await after.getByText(`Done: ${file} is written.`).waitFor()
    await after.getByText('completed', { exact: true }).first().waitFor()
    const tool = after.getByRole('button', { name: /write_file/ })
    expect((await tool.innerText()).includes('succeeded'), 'the tool ran after approval')
    await tool.click()
    await after.getByText(/Approved — “Looks fine \(e2e\)”/).waitFor()
    await shot('chat-approved')
  } finally {
    await api('DELETE', `/api/tool-policies/${policy.id}`)
  }
}
