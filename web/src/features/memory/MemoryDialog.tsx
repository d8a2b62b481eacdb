import { useState } from 'react'
import { Trash2 } from 'lucide-react'
import { deleteMemory, getMemory } from '@/api/memory'
import { Badge } from '@/components/ui/Badge'
import { Button } from '@/components/ui/Button'
import { Dialog } from '@/components/ui/Dialog'
import { JsonView } from '@/components/ui/JsonView'
import { ErrorAlert, LoadingState } from '@/components/ui/States'
import { useResource } from '@/hooks/useResource'
import { formatDateTime } from '@/lib/format'

export function MemoryDialog({ id, onClose, onDeleted }: { id: string | null; onClose: () => void; onDeleted: () => void }) {
  const mem = useResource(() => getMemory(id!), [id], { enabled: !!id })
  const [deleting, setDeleting] = useState(false)
  const [error, setError] = useState<unknown>(null)
  const m = mem.data
  const remove = async () => {
    if (!id || !confirm('Delete this memory and its chunks?')) return
    setDeleting(true)
    try {
      await deleteMemory(id)
      onDeleted()
      onClose()
    } catch (e) {
      setError(e)
    } finally {
      setDeleting(false)
    }
  }
  return (
    <Dialog
      open={!!id}
      onClose={onClose}
      size="lg"
      title={m?.title || id}
      description={m ? <span className="flex flex-wrap items-center gap-2"><Badge tone="brand">{m.tier}</Badge><span className="font-mono text-xs">{m.id}</span><span className="text-xs">{formatDateTime(m.created_at)}</span></span> : undefined}
      footer={
        <>
          <Button variant="outline-danger" onClick={remove} loading={deleting} disabled={!m} icon={<Trash2 className="size-4" />}>
            Delete
          </Button>
          <Button onClick={onClose}>Close</Button>
        </>
      }
    >
      {mem.loading && <LoadingState />}
      <ErrorAlert error={mem.error ?? error} />
      {m && (
        <div className="space-y-3">
          {!!m.tags?.length && (
            <div className="flex flex-wrap gap-1">
              {m.tags.map((t) => (
                <Badge key={t}>{t}</Badge>
              ))}
            </div>
          )}
          <div className="max-h-96 overflow-auto rounded-md border border-zinc-200 bg-zinc-50 p-3 text-sm whitespace-pre-wrap text-zinc-800">{m.content}</div>
          {m.metadata && Object.keys(m.metadata).length > 0 && <JsonView value={m.metadata} maxHeight="max-h-48" />}
        </div>
      )}
    </Dialog>
  )
}
