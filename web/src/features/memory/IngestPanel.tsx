import { useRef, useState, type DragEvent } from 'react'
import { FileUp, UploadCloud, X } from 'lucide-react'
import { asApiError, type ApiError } from '@/api/client'
import { ingestFiles } from '@/api/memory'
import type { IngestItem } from '@/api/types'
import { Button } from '@/components/ui/Button'
import { ErrorAlert } from '@/components/ui/States'
import { Table, Td, Th } from '@/components/ui/Table'
import { cn } from '@/lib/cn'
import { formatBytes } from '@/lib/format'

const ACCEPT = '.txt,.md,.markdown,.pdf,.html,.htm,.json,.csv,.rst'

export function IngestPanel({ onIngested }: { onIngested: () => void }) {
  const [files, setFiles] = useState<File[]>([])
  const [drag, setDrag] = useState(false)
  const [progress, setProgress] = useState<number | null>(null)
  const [results, setResults] = useState<IngestItem[] | null>(null)
  const [error, setError] = useState<ApiError | null>(null)
  const input = useRef<HTMLInputElement>(null)
  const abort = useRef<AbortController | null>(null)

  const add = (list: FileList | null) => {
    if (!list) return
    setFiles((prev) => {
      const key = (f: File) => `${f.name}:${f.size}`
      const seen = new Set(prev.map(key))
      return [...prev, ...Array.from(list).filter((f) => !seen.has(key(f)))]
    })
    setResults(null)
  }
  const onDrop = (e: DragEvent) => {
    e.preventDefault()
    setDrag(false)
    add(e.dataTransfer.files)
  }
  const upload = async () => {
    abort.current = new AbortController()
    setProgress(0)
    setError(null)
    try {
      const res = await ingestFiles(files, (p) => setProgress(p.fraction), abort.current.signal)
      setResults(res.items)
      setFiles([])
      onIngested()
    } catch (e) {
      if (!(e instanceof DOMException && e.name === 'AbortError')) setError(asApiError(e))
    } finally {
      setProgress(null)
      abort.current = null
    }
  }
  const total = files.reduce((n, f) => n + f.size, 0)

  return (
    <div className="space-y-4">
      <div
        onDragOver={(e) => {
          e.preventDefault()
          setDrag(true)
        }}
        onDragLeave={() => setDrag(false)}
        onDrop={onDrop}
        className={cn('flex flex-col items-center justify-center rounded-lg border-2 border-dashed px-6 py-10 text-center transition-colors', drag ? 'border-brand-500 bg-brand-50' : 'border-zinc-300 bg-white')}
      >
        <UploadCloud className="mb-2 size-8 text-zinc-400" />
        <p className="text-sm font-medium text-zinc-800">Drop files here to add them to archival memory</p>
        <p className="mt-1 text-xs text-zinc-500">Text, Markdown, HTML, PDF… chunked, embedded and indexed for full text. Re-uploading an unchanged file is a no-op.</p>
        <Button className="mt-4" onClick={() => input.current?.click()} icon={<FileUp className="size-4" />}>
          Choose files
        </Button>
        <input ref={input} type="file" multiple accept={ACCEPT} className="sr-only" aria-label="Files to ingest" onChange={(e) => { add(e.target.files); e.target.value = '' }} />
      </div>
      {files.length > 0 && (
        <div className="rounded-lg border border-zinc-200 bg-white">
          <ul className="divide-y divide-zinc-100">
            {files.map((f) => (
              <li key={`${f.name}:${f.size}`} className="flex items-center gap-3 px-4 py-2 text-sm">
                <span className="min-w-0 flex-1 truncate">{f.name}</span>
                <span className="text-xs text-zinc-400">{formatBytes(f.size)}</span>
                <button type="button" disabled={progress !== null} onClick={() => setFiles((xs) => xs.filter((x) => x !== f))} aria-label={`Remove ${f.name}`} className="rounded p-1 text-zinc-400 hover:bg-zinc-100 hover:text-zinc-600">
                  <X className="size-4" />
                </button>
              </li>
            ))}
          </ul>
          <div className="flex items-center gap-3 border-t border-zinc-200 px-4 py-3">
            {progress !== null ? (
              <div className="flex flex-1 items-center gap-3" role="progressbar" aria-valuemin={0} aria-valuemax={100} aria-valuenow={Math.round(progress * 100)} aria-label="Upload progress">
                <div className="h-2 flex-1 overflow-hidden rounded-full bg-zinc-100">
                  <div className="h-full rounded-full bg-brand-600 transition-[width]" style={{ width: `${progress * 100}%` }} />
                </div>
                <span className="w-28 text-right text-xs text-zinc-500 tabular-nums">{progress < 1 ? `${Math.round(progress * 100)}%` : 'Processing…'}</span>
                <Button size="sm" onClick={() => abort.current?.abort()}>
                  Cancel
                </Button>
              </div>
            ) : (
              <>
                <span className="flex-1 text-xs text-zinc-500">
                  {files.length} file{files.length > 1 ? 's' : ''} · {formatBytes(total)}
                </span>
                <Button variant="primary" onClick={upload} icon={<UploadCloud className="size-4" />}>
                  Ingest
                </Button>
              </>
            )}
          </div>
        </div>
      )}
      {error && <ErrorAlert error={error} />}
      {results && (
        <div className="overflow-hidden rounded-lg border border-zinc-200 bg-white">
          <Table>
            <thead>
              <tr>
                <Th>File</Th>
                <Th>Status</Th>
                <Th className="text-right">Chunks</Th>
                <Th>Memory</Th>
              </tr>
            </thead>
            <tbody className="divide-y divide-zinc-100">
              {results.map((r) => (
                <tr key={r.memory_id + r.filename}>
                  <Td className="font-medium text-zinc-900">{r.filename}</Td>
                  <Td>
                    <span className={cn('text-xs font-medium', r.status === 'created' ? 'text-emerald-700' : r.status === 'replaced' ? 'text-sky-700' : 'text-zinc-500')}>{r.status}</span>
                  </Td>
                  <Td className="text-right tabular-nums">{r.chunks}</Td>
                  <Td className="font-mono text-xs">{r.memory_id}</Td>
                </tr>
              ))}
            </tbody>
          </Table>
        </div>
      )}
    </div>
  )
}
