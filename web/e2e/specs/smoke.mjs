// Loads the login screen of whatever serves the UI (static build or the real backend).
export const meta = { needs: 'any' }

/** @param {{ page: import('playwright-core').Page, shot: (n: string) => Promise<string>, expect: (c: unknown, m: string) => void }} t */
export default async function ({ page, shot, expect }) {
  await page.goto('/login')
  await page.getByRole('heading', { name: 'Sign in' }).waitFor()
  expect(await page.getByLabel('Username').isVisible(), 'username field is visible')
  expect(await page.getByLabel('Password').isVisible(), 'password field is visible')
  expect(await page.getByRole('button', { name: 'Sign in' }).isDisabled(), 'submit is disabled while empty')
  await shot('login')
  // Deep links survive the SPA fallback and come back after login.
  await page.goto('/runs?status=failed')
  await page.waitForURL(/\/login\?next=/)
  expect(page.url().includes(encodeURIComponent('/runs?status=failed')), 'next= keeps the deep link')
  await page.setViewportSize({ width: 390, height: 780 })
  await shot('login-narrow')
}
