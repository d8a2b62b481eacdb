#!/usr/bin/env node
// E2E runner on playwright-core + the system Chromium.
//
//   npm run e2e                         # specs against BASE_URL (default http://127.0.0.1:8000)
//   npm run e2e -- --static             # serve ../src/openintern/api/static here (no backend)
//   npm run e2e -- --static --mock      # …and answer /api with fixtures (UI tour screenshots)
//   npm run e2e -- smoke                # only specs whose file name contains "smoke"
//
// A spec is e2e/specs/<name>.mjs exporting `meta` ({ needs: 'any' | 'backend' | 'mock' })
// and `default async function ({ page, baseURL, shot, expect })`. Screenshots land in
// e2e/artifacts/. The exit code is the number of failed specs.
import { readdir, rm } from 'node:fs/promises'
import path from 'node:path'
import { fileURLToPath, pathToFileURL } from 'node:url'
import { ARTIFACTS, expect, launchBrowser, screenshot } from './lib/browser.mjs'
import { installMockApi } from './lib/mockApi.mjs'
import { serveStatic } from './lib/staticServer.mjs'

const here = path.dirname(fileURLToPath(import.meta.url))
const args = process.argv.slice(2)
const useStatic = args.includes('--static')
const useMock = args.includes('--mock')
const filters = args.filter((a) => !a.startsWith('--'))
/** One spec may not hold up the whole run (locator waits have their own 15 s limit). */
const SPEC_TIMEOUT_MS = 60_000

const server = useStatic ? await serveStatic(path.resolve(here, '../../src/openintern/api/static')) : null
const baseURL = server?.url ?? process.env.BASE_URL ?? 'http://127.0.0.1:8000'
const mode = useMock ? 'mock' : useStatic ? 'static' : 'backend'

const files = (await readdir(path.join(here, 'specs'))).filter((f) => f.endsWith('.mjs') && (!filters.length || filters.some((x) => f.includes(x)))).sort()
const browser = await launchBrowser()
let failed = 0
for (const file of files) {
  const spec = await import(pathToFileURL(path.join(here, 'specs', file)).href)
  const needs = spec.meta?.needs ?? 'backend'
  if ((needs === 'backend' && mode !== 'backend') || (needs === 'mock' && mode !== 'mock')) {
    console.log(`- ${file} (skipped: needs ${needs})`)
    continue
  }
  // This spec's screenshots from an earlier run (a stale *-FAILED.png above all) go first.
  const prefix = `${file.replace(/\.mjs$/, '')}-`
  for (const old of await readdir(ARTIFACTS).catch(() => [])) {
    if (old.startsWith(prefix) && old.endsWith('.png')) await rm(path.join(ARTIFACTS, old), { force: true })
  }
  const context = await browser.newContext({ baseURL, viewport: spec.meta?.viewport ?? { width: 1366, height: 860 } })
  context.setDefaultTimeout(15_000)
  const page = await context.newPage()
  const errors = []
  page.on('pageerror', (e) => errors.push(e.message))
  if (useMock) await installMockApi(page)
  const started = Date.now()
  try {
    let timer
    const limit = new Promise((_, reject) => {
      timer = setTimeout(() => reject(new Error(`spec took over ${SPEC_TIMEOUT_MS / 1000} s`)), SPEC_TIMEOUT_MS)
    })
    await Promise.race([limit, spec.default({ page, baseURL, expect, shot: (name) => screenshot(page, `${file.replace(/\.mjs$/, '')}-${name}`) })]).finally(() => clearTimeout(timer))
    expect(errors.length === 0, `no page errors (got: ${errors.join('; ')})`)
    console.log(`✓ ${file} (${Date.now() - started} ms)`)
  } catch (err) {
    failed++
    console.log(`✗ ${file}: ${err instanceof Error ? err.message : err}`)
    await screenshot(page, `${file.replace(/\.mjs$/, '')}-FAILED`).catch(() => undefined)
  } finally {
    await context.close()
  }
}
await browser.close()
await server?.close()
process.exit(failed)
