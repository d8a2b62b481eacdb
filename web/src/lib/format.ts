/** Display formatting shared by every screen. */

export function formatDuration(ms: number | null | undefined): string {
  if (ms === null || ms === undefined || !Number.isFinite(ms)) return '—'
  if (ms > 0 && ms < 1) return '<1 ms'
  if (ms < 1000) return `${Math.round(ms)} ms`
  if (ms < 60_000) return `${(ms / 1000).toFixed(ms < 10_000 ? 2 : 1)} s`
  const m = Math.floor(ms / 60_000)
  const s = Math.floor((ms % 60_000) / 1000)
  if (m < 60) return `${m}m ${String(s).padStart(2, '0')}s`
  return `${Math.floor(m / 60)}h ${String(m % 60).padStart(2, '0')}m`
}

export function formatTokens(n: number | null | undefined): string {
  if (n === null || n === undefined || !Number.isFinite(n)) return '—'
  if (n < 10_000) return n.toLocaleString('en-US')
  if (n < 1_000_000) return `${(n / 1000).toFixed(1)}k`
  return `${(n / 1_000_000).toFixed(2)}M`
}

export function formatCost(usd: number | null | undefined): string {
  if (usd === null || usd === undefined || !Number.isFinite(usd)) return '—'
  if (usd === 0) return '$0'
  if (usd < 0.01) return `$${usd.toFixed(4)}`
  return `$${usd.toFixed(2)}`
}

export function durationBetween(start: string | null | undefined, end: string | null | undefined, now = Date.now()): number | null {
  if (!start) return null
  const s = Date.parse(start)
  const e = end ? Date.parse(end) : now
  return Number.isNaN(s) || Number.isNaN(e) ? null : Math.max(0, e - s)
}

export function formatRelative(ts: string | null | undefined, now = Date.now()): string {
  if (!ts) return '—'
  const t = Date.parse(ts)
  if (Number.isNaN(t)) return ts
  const d = Math.round((now - t) / 1000)
  if (d < 5) return 'just now'
  if (d < 60) return `${d}s ago`
  if (d < 3600) return `${Math.floor(d / 60)}m ago`
  if (d < 86_400) return `${Math.floor(d / 3600)}h ago`
  if (d < 7 * 86_400) return `${Math.floor(d / 86_400)}d ago`
  return new Date(t).toLocaleDateString()
}

export function formatDateTime(ts: string | null | undefined): string {
  if (!ts) return '—'
  const t = Date.parse(ts)
  return Number.isNaN(t) ? ts : new Date(t).toLocaleString()
}

/** One-line preview of a run input/output (string, {text}, or any JSON). */
export function preview(value: unknown, max = 120): string {
  let s: string
  if (value === null || value === undefined) s = ''
  else if (typeof value === 'string') s = value
  else if (typeof value === 'object' && 'text' in value && typeof (value as { text: unknown }).text === 'string') s = (value as { text: string }).text
  else s = JSON.stringify(value)
  s = s.replace(/\s+/g, ' ').trim()
  return s.length > max ? `${s.slice(0, max - 1)}…` : s
}

export function formatBytes(n: number): string {
  if (n < 1024) return `${n} B`
  if (n < 1024 ** 2) return `${(n / 1024).toFixed(1)} KB`
  return `${(n / 1024 ** 2).toFixed(1)} MB`
}
