// Every remaining screen against the real platform, for the artifacts: settings tabs,
// the approvals inbox, the runs list, and the chat on a phone-sized screen.
import { api, login, unique } from '../lib/backend.mjs'

export const meta = { needs: 'backend' }

/** @param {{ page: import('playwright-core').Page, shot: (n: string) => Promise<string>, expect: (c: unknown, m: string) => void }} t */
export default async function ({ page, shot }) {
  const provider = unique('local-vllm')
  // Any provider in the org takes over runs that name none (see the report on providers),
  // so it lives only as long as this spec needs it.
  const created = await api('POST', '/api/providers', { name: provider, kind: 'openai', base_url: 'http://127.0.0.1:9/v1', model: 'qwen2.5-7b-instruct' })
  try {
    await settingsTabs(page, shot, provider)
  } finally {
    await api('DELETE', `/api/providers/${created.id}`)
  }
  await pagesAfter(page, shot)
}

/**
 * @param {import('playwright-core').Page} page
 * @param {(n: string) => Promise<string>} shot
 * @param {string} provider
 */
async function settingsTabs(page, shot, provider) {
  await login(page, '/settings')
  for (const [tab, probe] of /** @type {const} */ ([
    ['Projects', 'Default'],
    ['Members', '@admin'],
    ['LLM providers', provider],
    ['Organization', 'Providers may use private addresses'],
  ])) {
    await page.getByRole('tab', { name: tab }).click()
    await page.getByText(probe).first().waitFor()
    await shot(`settings-${tab.toLowerCase().replace(/\W+/g, '-')}`)
  }
}

/**
 * @param {import('playwright-core').Page} page
 * @param {(n: string) => Promise<string>} shot
 */
async function pagesAfter(page, shot) {
  await page.getByRole('link', { name: /Approvals/ }).click()
  await page.getByRole('heading', { name: 'Approvals' }).waitFor()
  await page.getByRole('tab', { name: 'Approved' }).click()
  await page.getByRole('status').waitFor({ state: 'detached' }).catch(() => undefined)
  await shot('approvals')
  await page.getByRole('link', { name: 'Runs' }).click()
  await page.getByRole('link', { name: /Trace me live/ }).first().waitFor()
  await shot('runs')
  await page.getByLabel(/status/i).first().selectOption('completed')
  await page.waitForURL(/status=completed/)
  await page.waitForFunction(() => {
    const rows = [...document.querySelectorAll('tbody tr')].map((tr) => tr.textContent ?? '')
    return rows.length > 0 && rows.every((t) => t.includes('completed'))
  })
  await shot('runs-completed')

  await page.setViewportSize({ width: 390, height: 800 })
  await page.goto('/')
  await page.getByLabel('Message').waitFor()
  await shot('chat-narrow')
}
