// Serves the Vite build with the same SPA fallback as the API (unknown non-/api paths → index.html).
import { createReadStream } from 'node:fs'
import { stat } from 'node:fs/promises'
import http from 'node:http'
import path from 'node:path'

const TYPES = { '.html': 'text/html; charset=utf-8', '.js': 'text/javascript', '.css': 'text/css', '.svg': 'image/svg+xml', '.json': 'application/json', '.png': 'image/png', '.map': 'application/json' }

/** @param {string} root @param {number} [port] @returns {Promise<{ url: string, close: () => Promise<void> }>} */
export function serveStatic(root, port = 0) {
  const server = http.createServer(async (req, res) => {
    const url = new URL(req.url ?? '/', 'http://x')
    if (url.pathname.startsWith('/api/')) {
      res.writeHead(404, { 'Content-Type': 'application/problem+json' })
      res.end(JSON.stringify({ title: 'Not Found', status: 404, detail: 'No backend behind the static server' }))
      return
    }
    let file = path.join(root, path.normalize(url.pathname).replace(/^([/\\])+/, ''))
    if (!file.startsWith(root)) file = path.join(root, 'index.html')
    try {
      if (!(await stat(file)).isFile()) throw new Error('dir')
    } catch {
      file = path.join(root, 'index.html')
    }
    res.writeHead(200, { 'Content-Type': TYPES[path.extname(file)] ?? 'application/octet-stream' })
    createReadStream(file).pipe(res)
  })
  return new Promise((resolve) => {
    server.listen(port, '127.0.0.1', () => {
      const addr = /** @type {import('node:net').AddressInfo} */ (server.address())
      resolve({ url: `http://127.0.0.1:${addr.port}`, close: () => new Promise((r) => server.close(() => r())) })
    })
  })
}
