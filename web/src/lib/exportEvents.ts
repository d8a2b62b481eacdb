/** Serialise a run's events for download (JSON array or JSON Lines). */
import type { RunEvent } from '@/api/types'

export type ExportFormat = 'json' | 'jsonl'

export function serializeEvents(events: readonly RunEvent[], format: ExportFormat): string {
  const sorted = [...events].sort((a, b) => a.seq - b.seq)
  if (format === 'jsonl') return sorted.map((e) => JSON.stringify(e)).join('\n') + (sorted.length ? '\n' : '')
  return JSON.stringify(sorted, null, 2) + '\n'
}

export function exportFilename(runId: string, format: ExportFormat): string {
  return `${runId.replace(/[^\w.-]+/g, '_')}.events.${format}`
}

export function exportMimeType(format: ExportFormat): string {
  return format === 'jsonl' ? 'application/x-ndjson' : 'application/json'
}
