// Settings → Organization: an admin forbids private provider addresses for the org with the
// switch, the API then refuses a loopback provider (422 naming base_url), and allows it again.
import { api, login, until } from '../lib/backend.mjs'

export const meta = { needs: 'backend' }

/** @param {{ page: import('playwright-core').Page, shot: (n: string) => Promise<string>, expect: (c: unknown, m: string) => void }} t */
export default async function ({ page, shot, expect }) {
  const orgId = (await api('GET', '/api/me')).org.id
  const allowed = async () => (await api('GET', `/api/orgs/${orgId}`)).allow_private_base_urls
  const loopback = { name: 'e2e-loopback', kind: 'openai', base_url: 'http://127.0.0.1:9/v1', model: 'm' }
  try {
    await login(page, '/settings?tab=org')
    const toggle = page.getByRole('switch', { name: /Providers may use private addresses/ })
    await toggle.waitFor()
    expect(await toggle.isChecked(), 'private addresses are allowed by default')
    await toggle.click()
    await until(async () => (await allowed()) === false, 'the org forbids private addresses')
    // The switch is controlled: it shows the new value once the PATCH's answer is rendered,
    // which may come a moment after the server has it.
    await until(async () => !(await toggle.isChecked()), 'the switch shows the saved setting')
    await shot('forbidden')
    const refused = await api('POST', '/api/providers', loopback, { raw: true })
    const problem = await refused.json()
    expect(refused.status === 422 && problem.errors[0].field === 'body.base_url', `a loopback provider is refused (HTTP ${refused.status})`)

    await page.reload()
    await toggle.waitFor()
    expect(!(await toggle.isChecked()), 'after a reload the switch still shows it forbidden')
    await toggle.click()
    await until(async () => (await allowed()) === true, 'the org allows private addresses again')
  } finally {
    // Other specs make providers on loopback: leave the org as it was.
    if (!(await allowed())) await api('PATCH', `/api/orgs/${orgId}`, { allow_private_base_urls: true })
  }
}
