#!/usr/bin/env node
// Fails when src/api/schema.gen.ts is not what `npm run gen:api` makes of ../openapi.json,
// i.e. when the backend's API changed and the UI's generated types were not regenerated.
//   make webtest  (writes ../openapi.json from the backend first)
import { spawnSync } from 'node:child_process'
import { existsSync, mkdtempSync, readFileSync, rmSync } from 'node:fs'
import { tmpdir } from 'node:os'
import path from 'node:path'
import { fileURLToPath } from 'node:url'

const web = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..')
const spec = path.resolve(web, '..', 'openapi.json')
const committed = path.join(web, 'src', 'api', 'schema.gen.ts')
if (!existsSync(spec)) {
  console.error(`${spec} is missing: write it with \`make client\` (or \`make webtest\`).`)
  process.exit(2)
}
const dir = mkdtempSync(path.join(tmpdir(), 'openintern-schema-'))
try {
  const fresh = path.join(dir, 'schema.gen.ts')
  const cli = path.join(web, 'node_modules', 'openapi-typescript', 'bin', 'cli.js')
  const gen = spawnSync(process.execPath, [cli, spec, '-o', fresh], { cwd: web, encoding: 'utf8' })
  if (gen.status !== 0) {
    console.error(`openapi-typescript failed:\n${gen.stdout}${gen.stderr}`)
    process.exit(2)
  }
  const want = readFileSync(fresh, 'utf8')
  const have = existsSync(committed) ? readFileSync(committed, 'utf8') : ''
  if (want !== have) {
    const a = have.split('\n')
    const b = want.split('\n')
    let i = 0
    while (i < a.length && i < b.length && a[i] === b[i]) i++
    console.error(
      `src/api/schema.gen.ts is out of date with the backend's OpenAPI document: run \`make client\`\n` +
        `(first difference at line ${i + 1}: committed ${JSON.stringify(a[i] ?? '<end>')}, generated ${JSON.stringify(b[i] ?? '<end>')})`,
    )
    process.exit(1)
  }
  console.log('src/api/schema.gen.ts matches the OpenAPI document')
} finally {
  rmSync(dir, { recursive: true, force: true })
}
