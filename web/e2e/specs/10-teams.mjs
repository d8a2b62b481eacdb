// Teams: two roles and a group created through the orchestrator (members reordered by
// drag and drop, one marked lead), the team run from its form; its trace shows the members
// as lanes that grow while the run streams (the researcher's task, status, evidence and
// proposal, then the lead's decision), each lane linked to its member's child run; the
// run's entry on the group's blackboard links back to the run and opens in full.
import { api, fakeScript, login, runReaches, unique } from '../lib/backend.mjs'

export const meta = { needs: 'backend', viewport: { width: 1366, height: 1000 } }

const DECISION = 'Decision: ship Alpha first.'
const PROPOSAL = 'Alpha is ready: three pilot users already rely on it.'

/** Lane `agent` of the trace page (its section), and how many messages it holds. */
const lane = (page, agent) => page.locator(`[data-testid=lane][data-agent-id="${agent}"]`)
const laneSize = (page, agent) => lane(page, agent).locator('[data-testid=lane-message]').count()

/**
 * Create a role through the "New role" dialog.
 * @param {import('playwright-core').Page} page
 * @param {{ name: string, prompt: string, model: string, tools?: string[] }} role
 */
async function createRole(page, { name, prompt, model, tools = [] }) {
  await page.getByRole('button', { name: 'New role' }).click()
  const dialog = page.getByRole('dialog', { name: 'New role' })
  await dialog.getByLabel('Name', { exact: true }).fill(name)
  await dialog.getByLabel('System prompt').fill(prompt)
  await dialog.getByLabel('Model', { exact: true }).fill(model)
  for (const tool of tools) {
    const row = dialog.locator('label').filter({ has: page.locator('span.font-mono', { hasText: new RegExp(`^${tool}$`) }) })
    await row.getByRole('checkbox').check()
  }
  await dialog.getByRole('button', { name: 'Create role' }).click()
  await dialog.waitFor({ state: 'hidden' })
  await page.getByRole('navigation', { name: 'Roles' }).getByRole('button', { name: new RegExp(`^${name}`) }).waitFor()
}

/** @param {{ page: import('playwright-core').Page, shot: (n: string) => Promise<string>, expect: (c: unknown, m: string) => void }} t */
export default async function ({ page, shot, expect }) {
  const suffix = unique('t').slice(2)
  // The researcher calls `echo` (its evidence), then proposes; the lead decides. Each
  // model turn takes ~0.7 s, so the lanes visibly fill one message at a time.
  const researcherModel = await fakeScript(unique('researcher'), [
    { tool_calls: [{ name: 'echo', arguments: { text: 'pilot users: 3' } }], latency_ms: 700 },
    { text: PROPOSAL, latency_ms: 700, chunk_delay_ms: 20 },
  ])
  const leadModel = await fakeScript(unique('lead'), [{ text: DECISION, latency_ms: 900, chunk_delay_ms: 20 }])
  const researcher = `Researcher ${suffix}`
  const lead = `Lead ${suffix}`
  const groupName = `launch-board-${suffix}`

  await login(page, '/orchestrator')
  await page.getByRole('tab', { name: /Roles/ }).click()
  await createRole(page, { name: researcher, prompt: 'You find the facts and cite them.', model: researcherModel, tools: ['echo'] })
  await createRole(page, { name: lead, prompt: 'You weigh the team’s findings and decide.', model: leadModel })
  const roles = (await api('GET', '/api/roles')).items.filter((r) => r.name.endsWith(suffix))
  const researcherRole = roles.find((r) => r.name === researcher)
  expect(roles.length === 2 && researcherRole?.tools?.join() === 'echo', `both roles saved, the researcher with its tool (${JSON.stringify(researcherRole?.tools)})`)

  // The group: the lead joins first, as lead; then the researcher, dragged above it.
  await page.getByRole('tab', { name: /Groups/ }).click()
  await page.getByRole('button', { name: 'New group' }).click()
  const dialog = page.getByRole('dialog', { name: 'New group' })
  await dialog.getByLabel('Name', { exact: true }).fill(groupName)
  await dialog.getByLabel('Orchestrator').selectOption('serial')
  await dialog.getByRole('button', { name: 'Create group' }).click()
  await dialog.waitFor({ state: 'hidden' })
  await page.getByRole('heading', { name: new RegExp(groupName) }).waitFor()
  const add = page.getByRole('form', { name: 'Add a member' })
  await add.getByLabel('Role to add').selectOption({ label: lead })
  await add.getByLabel('as lead').check()
  await add.getByRole('button', { name: 'Add member' }).click()
  const members = page.getByRole('list', { name: 'Members' })
  await members.getByRole('listitem', { name: lead }).waitFor()
  await add.getByLabel('Role to add').selectOption({ label: researcher })
  await add.getByRole('button', { name: 'Add member' }).click()
  await members.getByRole('listitem', { name: researcher }).waitFor()
  expect((await members.getByRole('listitem').allInnerTexts())[0]?.includes(lead), 'the lead is first before the drag')
  await members.getByRole('listitem', { name: researcher }).dragTo(members.getByRole('listitem', { name: lead }))
  const group = (await api('GET', '/api/groups')).items.find((g) => g.name === groupName)
  const ordered = async () => (await api('GET', `/api/groups/${group.id}/members`)).items.map((m) => `${m.role_name}@${m.position}${m.is_lead ? '*' : ''}`).join(' ')
  let saved = ''
  for (let i = 0; i < 40 && saved !== `${researcher}@0 ${lead}@1*`; i++) {
    saved = await ordered()
    await page.waitForTimeout(100)
  }
  expect(saved === `${researcher}@0 ${lead}@1*`, `the drag saved the new order (${saved})`)
  // After a reload (which also clears the toasts for the screenshot) the saved order shows.
  await page.reload()
  await members.getByRole('listitem').first().waitFor()
  expect((await members.getByRole('listitem').first().getAttribute('aria-label')) === researcher, 'the researcher is first after a reload')
  await page.getByLabel('Task').fill('Alpha or Beta: which do we launch first?')
  await page.mouse.move(0, 0)
  await shot('orchestrator')

  // Run it: the trace opens, live, and the lanes grow as the members take their turns.
  await page.getByRole('button', { name: 'Run the team' }).click()
  await page.waitForURL(/\/trace\/run_/)
  const runId = page.url().split('/trace/')[1]
  const agents = (await api('GET', `/api/groups/${group.id}`)).members.map((m) => m.agent_id)
  const [researcherAgent, leadAgent] = agents
  await page.getByText('Live', { exact: true }).waitFor({ timeout: 5_000 })
  await lane(page, researcherAgent).waitFor()
  const first = await laneSize(page, researcherAgent)
  expect((await lane(page, leadAgent).count()) === 0, 'the lead has no lane while the researcher works (serial)')
  await lane(page, researcherAgent).locator('[data-kind=proposal]').waitFor({ timeout: 10_000 })
  const grown = await laneSize(page, researcherAgent)
  expect(grown > first, `the researcher's lane grows live (${first} → ${grown} messages)`)
  await lane(page, researcherAgent).locator('[data-kind=evidence]').getByText('pilot users: 3').waitFor()
  await lane(page, leadAgent).waitFor({ timeout: 10_000 })
  expect(await lane(page, leadAgent).getByText('working').first().isVisible(), 'the lead works after the researcher')
  if ((await page.getByText('Live', { exact: true }).count()) > 0) await shot('lanes-live')
  await page.getByTestId('team-decision').getByText(DECISION).waitFor({ timeout: 15_000 })
  await page.getByText('Complete', { exact: true }).waitFor({ timeout: 10_000 })
  const run = await runReaches(runId, ['completed'])
  expect(run.kind === 'group' && run.output === DECISION, `the run is a completed group run with the decision (${run.kind}: ${run.output})`)
  expect((await lane(page, researcherAgent).getAttribute('data-status')) === 'done' && (await lane(page, leadAgent).getAttribute('data-status')) === 'done', 'both lanes end done')
  await lane(page, leadAgent).getByText('lead', { exact: true }).waitFor()

  // Each lane links to its member's child run; those are the run's children.
  const kids = (await api('GET', `/api/runs?parent_run_id=${runId}`)).items
  expect(kids.length === 2, `two member turns, two child runs (${kids.length})`)
  for (const agent of agents) {
    const href = await lane(page, agent).getByRole('link', { name: `Open ${agent}'s run` }).getAttribute('href')
    const kid = kids.find((k) => k.agent_id === agent)
    expect(kid && href === `/trace/${kid.run_id}`, `${agent}'s lane links to its child run (${href})`)
  }
  // The child-run rendering stays: one child_run span per member turn.
  await page.locator('[role=treeitem][data-span-kind=child_run]').nth(1).waitFor()
  await page.mouse.move(0, 0)
  await shot('lanes')

  // The blackboard: the run's entry, linked to the run, opens in full.
  await page.getByRole('link', { name: 'Blackboard' }).click()
  await page.waitForURL(new RegExp(`/blackboard/${group.id}$`))
  const entry = page.locator(`[data-testid=blackboard-entry][data-kind=run]`).filter({ has: page.locator(`a[href="/trace/${runId}"]`) })
  await entry.waitFor()
  await entry.getByRole('button').first().click()
  const detail = page.getByRole('dialog')
  await detail.getByTestId('blackboard-entry-detail').getByText(DECISION).waitFor()
  await detail.getByRole('heading', { name: /Decision/ }).waitFor()
  expect((await detail.getByRole('link', { name: 'Open the run' }).getAttribute('href')) === `/trace/${runId}`, 'the entry links to the run that wrote it')
  await shot('blackboard-entry')
  await page.keyboard.press('Escape')
  await detail.waitFor({ state: 'hidden' })

  // A note posted from the page tops the timeline; search finds the run's entry.
  await page.getByLabel('Title').fill(`Launch checklist ${suffix}`)
  await page.getByLabel('Content').fill('Pilot users sign off before launch.')
  await page.getByLabel('Kind').selectOption('decision')
  await page.getByRole('button', { name: 'Post' }).click()
  await page.locator('[data-testid=blackboard-entry]').first().getByText(`Launch checklist ${suffix}`).waitFor()
  await page.getByText(`Posted “Launch checklist ${suffix}”`).waitFor({ state: 'hidden' })
  await page.mouse.move(0, 0)
  await shot('blackboard')
  await page.getByLabel('Search the blackboard').fill('Alpha Beta launch')
  await page.getByRole('button', { name: 'Search', exact: true }).click()
  await page.getByText(/Best matches first/).waitFor()
  await entry.waitFor()
}
