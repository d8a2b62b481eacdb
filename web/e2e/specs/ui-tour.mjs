// Walks every screen against the fixture API (--static --mock) and saves screenshots.
// Checks rendering only; behaviour against the real backend goes in backend specs.
export const meta = { needs: 'mock' }

/** @param {{ page: import('playwright-core').Page, shot: (n: string) => Promise<string>, expect: (c: unknown, m: string) => void }} t */
export default async function ({ page, shot, expect }) {
  await page.goto('/login')
  await page.getByLabel('Username').fill('ada')
  await page.getByLabel('Password').fill('wrong')
  await page.getByRole('button', { name: 'Sign in' }).click()
  await page.getByText('Wrong username or password').waitFor()
  await shot('login-error')
  await page.getByLabel('Password').fill('secret')
  await page.keyboard.press('Enter')
  await page.getByRole('navigation', { name: 'Main' }).waitFor()

  // Chat: an existing session, then a new message streamed to completion.
  await page.goto('/?session=chat-demo')
  await page.getByText('File not found').first().waitFor()
  await page.getByText('a self-hosted runtime for LLM agents. Runs').first().waitFor()
  await page.getByLabel('Message').fill('What does the README say?')
  await page.getByLabel('Message').press('Enter')
  await page.getByText('self-hosted runtime for LLM agents. Runs').first().waitFor()
  await page.getByRole('button', { name: /read_file/ }).last().click()
  await shot('chat')

  await page.goto('/?session=chat-weekly')
  await page.getByText('This tool call needs approval.').first().waitFor()
  await shot('chat-approval')

  await page.goto('/runs')
  await page.getByRole('link', { name: 'What does the README say?' }).first().waitFor()
  await shot('runs')

  await page.goto('/trace/run_03')
  await page.getByRole('treeitem', { name: /read_file/ }).waitFor()
  await page.getByRole('treeitem', { name: /read_file/ }).click()
  await page.getByRole('button', { name: /#9/ }).click()
  await shot('trace')

  await page.goto('/orchestrator')
  await page.getByRole('list', { name: 'Members' }).getByRole('listitem', { name: 'lead' }).waitFor()
  await shot('orchestrator')
  await page.goto('/trace/run_team')
  await page.getByTestId('team-decision').waitFor()
  await shot('trace-team')
  await page.goto('/blackboard/grp_1')
  await page.getByText('Who signs off on schema changes?').waitFor()
  await page.getByRole('button', { name: /Team run run_team/ }).click()
  await page.getByTestId('blackboard-entry-detail').waitFor()
  await shot('blackboard-entry')
  await page.keyboard.press('Escape')

  await page.goto('/approvals')
  await page.getByText('send_email').waitFor()
  await shot('approvals')

  await page.goto('/memory')
  await page.getByLabel('Search memory').fill('deploy')
  await page.getByLabel('Search memory').press('Enter')
  await page.getByText('Deploy checklist').waitFor()
  await shot('memory-search')

  await page.goto('/settings?tab=keys')
  await page.getByRole('button', { name: 'Create key' }).first().click()
  await page.getByLabel('Name').fill('Nightly job')
  await page.getByRole('button', { name: 'Create key' }).last().click()
  await page.getByText('It will not be shown again').waitFor()
  expect((await page.getByRole('textbox', { name: 'API key' }).inputValue()).startsWith('oi_live_'), 'the new key is shown')
  await shot('settings-key-created')
  await page.keyboard.press('Escape')
  await page.getByRole('button', { name: 'Revoke' }).first().click()
  await page.getByRole('button', { name: 'Revoke key' }).click()
  await page.getByText('CI pipeline revoked').waitFor()

  await page.goto('/settings?tab=members')
  await page.getByRole('button', { name: 'Add user' }).first().click()
  await page.getByLabel('Username').fill('new')
  await page.getByLabel('Password').fill('short')
  await page.getByRole('button', { name: 'Add user' }).last().click()
  await page.getByText('String should have at least 8 characters').first().waitFor()
  await shot('settings-members-validation')
  await page.keyboard.press('Escape')

  await page.goto('/settings?tab=providers')
  await page.getByRole('button', { name: 'Test connection' }).first().click()
  await page.getByText('Connected').waitFor()
  await shot('settings-providers')

  await page.setViewportSize({ width: 390, height: 800 })
  await page.goto('/runs')
  await page.getByRole('button', { name: 'Open navigation' }).waitFor()
  await shot('runs-narrow')
  await page.getByRole('button', { name: 'Open navigation' }).click()
  await shot('nav-drawer')
}
