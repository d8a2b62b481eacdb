import { fileURLToPath, URL } from 'node:url'
import tailwindcss from '@tailwindcss/vite'
import react from '@vitejs/plugin-react'
import { defineConfig, loadEnv } from 'vite'

// The API serves the build at `/` (SPA fallback for non-/api paths), so base is `/`
// and the output lands inside the Python package.
export default defineConfig(({ mode }) => {
  const env = loadEnv(mode, process.cwd(), '')
  const target = env.VITE_API_PROXY_TARGET || 'http://127.0.0.1:8000'
  const proxied = { target, changeOrigin: true }
  return {
    base: '/',
    plugins: [react(), tailwindcss()],
    resolve: {
      alias: { '@': fileURLToPath(new URL('./src', import.meta.url)) },
    },
    build: {
      outDir: '../src/openintern/api/static',
      emptyOutDir: true,
      // No maps in the wheel; `npm run dev` has them.
      sourcemap: false,
    },
    server: {
      proxy: {
        // SSE goes through the same proxy; http-proxy streams it unbuffered.
        '/api': proxied,
        '/health': proxied,
        '/ready': proxied,
        '/openapi.json': proxied,
      },
    },
    test: {
      environment: 'node',
      include: ['src/**/*.test.ts'],
    },
  }
})
