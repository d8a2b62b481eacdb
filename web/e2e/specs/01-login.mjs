// Sign in against the real platform: a wrong password is refused, the right one lands on the chat.
import { ADMIN_PASSWORD, ADMIN_USER } from '../lib/backend.mjs'

export const meta = { needs: 'backend' }

/** @param {{ page: import('playwright-core').Page, shot: (n: string) => Promise<string>, expect: (c: unknown, m: string) => void }} t */
export default async function ({ page, shot, expect }) {
  await page.goto('/runs')
  await page.waitForURL(/\/login\?next=/)
  await page.getByLabel('Username').fill(ADMIN_USER)
  await page.getByLabel('Password').fill('not-the-password')
  await page.getByRole('button', { name: 'Sign in' }).click()
  await page.getByRole('alert').waitFor()
  expect(/wrong username or password/i.test(await page.getByRole('alert').innerText()), 'bad credentials are explained')
  await shot('login-error')

  await page.getByLabel('Password').fill(ADMIN_PASSWORD)
  await page.getByRole('button', { name: 'Sign in' }).click()
  // Back to the deep link it came from, signed in.
  await page.waitForURL(/\/runs$/)
  await page.getByRole('heading', { name: 'Runs' }).waitFor()
  await page.getByText('Administrator').first().waitFor()
  expect(await page.evaluate(() => !!localStorage.getItem('openintern.token')), 'the token is kept')
  await shot('runs')

  // A reload keeps the session; signing out clears it.
  await page.reload()
  await page.getByRole('heading', { name: 'Runs' }).waitFor()
  await page.getByRole('button', { name: /Administrator/ }).click()
  await page.getByRole('menuitem', { name: /Sign out/ }).click()
  await page.waitForURL(/\/login/)
  expect(await page.evaluate(() => !localStorage.getItem('openintern.token')), 'sign-out forgets the token')
}
