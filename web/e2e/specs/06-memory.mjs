// Memory search (contract: docs/api-contract-draft.md, "Memory"): memories written through
// the API are found by the Memory screen's hybrid search, best match first, and open in full.
import { api, login, unique, until } from '../lib/backend.mjs'

export const meta = { needs: 'backend' }

/** @param {{ page: import('playwright-core').Page, shot: (n: string) => Promise<string>, expect: (c: unknown, m: string) => void }} t */
export default async function ({ page, shot, expect }) {
  const tag = unique('mem')
  const target = await api('POST', '/api/memory', {
    tier: 'archival',
    title: `Blue-green deployment checklist ${tag}`,
    content: `Before every production deployment: drain the blue pool, run the smoke tests on green, then switch the load balancer. Rollback is switching back. (${tag})`,
    tags: ['deploy', 'e2e'],
  })
  await api('POST', '/api/memory', {
    tier: 'core',
    title: `Team lunch preferences ${tag}`,
    content: `The team prefers noodles on Fridays. Nothing here is about shipping software. (${tag})`,
  })
  expect(typeof target.id === 'string' && target.id.startsWith('mem_'), 'the API created the memory')

  await login(page, '/memory')
  await page.getByRole('heading', { name: 'Memory' }).waitFor()
  await page.getByLabel('Search memory').fill('how do we roll back a blue green deployment')
  const results = page.getByRole('list', { name: 'Search results' })
  const first = results.getByRole('listitem').first()
  // Indexing may trail the write a little: search again until the new memory is in.
  await until(async () => {
    await page.getByRole('button', { name: 'Search' }).click()
    await page.getByRole('button', { name: 'Search' }).and(page.locator(':not([disabled])')).waitFor()
    await results.or(page.getByText('No good match')).first().waitFor()
    return (await results.count()) > 0 && (await results.innerText()).includes(tag)
  }, 'the new memories to be searchable', 20_000, 500)
  expect((await first.innerText()).includes(`Blue-green deployment checklist ${tag}`), 'the deployment checklist is the best match')
  expect((await first.innerText()).includes('archival'), 'the result shows its tier')
  expect(/score \d/.test(await first.innerText()), 'the result shows its score')
  await shot('search')

  // Narrow to the core tier: the checklist (archival) is no longer a result, and the lunch
  // note (core) is not offered in its place: below the relevance floor, it is no answer.
  await page.getByRole('checkbox', { name: 'core' }).check()
  await page.getByRole('button', { name: 'Search' }).click()
  await page.waitForFunction(
    (t) => ![...document.querySelectorAll('[aria-label="Search results"] li')].some((li) => li.textContent?.includes(`Blue-green deployment checklist ${t}`)),
    tag,
    { timeout: 10_000 },
  )
  await results.or(page.getByText('No good match')).first().waitFor()
  const core = (await results.count()) > 0 ? await results.innerText() : ''
  expect(!core.includes(`Team lunch preferences ${tag}`), 'a lunch note is no answer to a deployment question')
  if (!core) await shot('no-good-match')
  await page.getByRole('checkbox', { name: 'core' }).uncheck()
  await page.getByRole('button', { name: 'Search' }).click()

  // Open the match: the whole memory is shown.
  await results.getByRole('button', { name: `Blue-green deployment checklist ${tag}` }).click()
  const dialog = page.getByRole('dialog', { name: `Blue-green deployment checklist ${tag}` })
  await dialog.getByText('drain the blue pool', { exact: false }).waitFor()
  await shot('memory')
}
