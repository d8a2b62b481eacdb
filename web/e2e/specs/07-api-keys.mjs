// Settings → API keys: create a key, see the secret once, use it, revoke it, and it stops working.
import { BASE_URL, login, unique } from '../lib/backend.mjs'

export const meta = { needs: 'backend' }

const meWith = (key) => fetch(`${BASE_URL}/api/me`, { headers: { authorization: `Bearer ${key}` } })

/** @param {{ page: import('playwright-core').Page, shot: (n: string) => Promise<string>, expect: (c: unknown, m: string) => void }} t */
export default async function ({ page, shot, expect }) {
  const name = unique('e2e key')
  await login(page, '/settings')
  await page.getByRole('tab', { name: 'API keys' }).click()
  await page.getByRole('button', { name: 'Create key' }).click()
  const dialog = page.getByRole('dialog', { name: 'Create API key' })
  await dialog.getByLabel('Name').fill(name)
  await dialog.getByLabel('Role').selectOption('viewer')
  await dialog.getByRole('button', { name: 'Create key' }).click()

  const shown = page.getByRole('dialog', { name: 'Your new API key' })
  await shown.getByText('It will not be shown again').waitFor()
  const key = await shown.getByLabel('API key').inputValue()
  expect(key.length > 20, 'the secret is shown')
  await shot('created')
  const ok = await meWith(key)
  expect(ok.status === 200, `the new key authenticates (HTTP ${ok.status})`)
  expect((await ok.json()).role === 'viewer', 'with the role it was given')
  await shown.getByRole('button', { name: 'I have saved it' }).click()

  const row = page.getByRole('row', { name: new RegExp(name) })
  await row.getByText('active').waitFor()
  expect((await row.innerText()).includes(key.slice(0, 8)), 'the row shows the key prefix')
  await row.getByRole('button', { name: 'Revoke' }).click()
  await page.getByRole('dialog', { name: 'Revoke API key?' }).getByRole('button', { name: 'Revoke key' }).click()
  await row.getByText('revoked').waitFor()
  expect((await row.getByRole('button', { name: 'Revoke' }).count()) === 0, 'a revoked key has no actions left')
  const denied = await meWith(key)
  expect(denied.status === 401, `the revoked key is refused (HTTP ${denied.status})`)

  // The list comes from the server after a reload, and the secret is nowhere on the page.
  await page.reload()
  await page.getByRole('tab', { name: 'API keys' }).click()
  await page.getByRole('row', { name: new RegExp(name) }).getByText('revoked').waitFor()
  expect(!(await page.content()).includes(key), 'the secret is not shown again')
  await shot('revoked')
}
