import type { RunEvent } from '@/api/types'
import { exportFilename, exportMimeType, serializeEvents, type ExportFormat } from '@/lib/exportEvents'

export function downloadEvents(runId: string, events: readonly RunEvent[], format: ExportFormat): void {
  const blob = new Blob([serializeEvents(events, format)], { type: exportMimeType(format) })
  const url = URL.createObjectURL(blob)
  const a = document.createElement('a')
  a.href = url
  a.download = exportFilename(runId, format)
  document.body.appendChild(a)
  a.click()
  a.remove()
  setTimeout(() => URL.revokeObjectURL(url), 1000)
}
