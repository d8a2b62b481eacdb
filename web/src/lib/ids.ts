/** Random ids for idempotency keys and new chat sessions (works outside secure contexts too). */
export function randomId(bytes = 16): string {
  const a = new Uint8Array(bytes)
  crypto.getRandomValues(a)
  return Array.from(a, (b) => b.toString(16).padStart(2, '0')).join('')
}

export function newSessionKey(now = new Date()): string {
  const d = now.toISOString().slice(0, 10).replace(/-/g, '')
  return `chat-${d}-${randomId(3)}`
}
