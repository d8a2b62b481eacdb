import { Link } from 'react-router'
import { Bot, ExternalLink } from 'lucide-react'
import { getBlackboardEntry } from '@/api/teams'
import { Badge } from '@/components/ui/Badge'
import { Button } from '@/components/ui/Button'
import { Dialog } from '@/components/ui/Dialog'
import { Markdown } from '@/components/ui/Markdown'
import { ErrorAlert, LoadingState } from '@/components/ui/States'
import { useResource } from '@/hooks/useResource'
import { formatDateTime } from '@/lib/format'
import { kindInfo } from './kinds'

/** One entry in full (`GET …/blackboard/{id}`): a search lists snippets, this is the whole text. */
export function EntryDialog({ groupId, id, onClose }: { groupId: string; id: string | null; onClose: () => void }) {
  const entry = useResource((s) => getBlackboardEntry(groupId, id!, s), [groupId, id], { enabled: !!id })
  const e = entry.data?.id === id ? entry.data : undefined
  const info = e ? kindInfo(e.kind) : null
  return (
    <Dialog
      open={!!id}
      onClose={onClose}
      size="lg"
      title={e?.title ?? 'Blackboard entry'}
      description={
        e && info ? (
          <span className="flex flex-wrap items-center gap-2">
            <Badge tone={info.tone}>{info.label}</Badge>
            <Badge>{e.tier}</Badge>
            {e.agent_id && (
              <span className="inline-flex items-center gap-1 font-mono text-xs">
                <Bot className="size-3.5 text-violet-500" aria-hidden="true" /> {e.agent_id}
              </span>
            )}
            <span className="text-xs">{formatDateTime(e.created_at)}</span>
          </span>
        ) : undefined
      }
      footer={
        <>
          {e?.run_id && (
            <Link to={`/trace/${encodeURIComponent(e.run_id)}`} className="inline-flex h-9 items-center gap-2 rounded-md bg-white px-3.5 text-sm font-medium text-zinc-800 shadow-sm ring-1 ring-zinc-300 ring-inset hover:bg-zinc-50">
              <ExternalLink className="size-4" /> Open the run
            </Link>
          )}
          <Button onClick={onClose}>Close</Button>
        </>
      }
    >
      {entry.loading && !e && <LoadingState />}
      <ErrorAlert error={entry.error} onRetry={entry.reload} />
      {e && (
        <div className="space-y-3" data-testid="blackboard-entry-detail">
          {e.tags.length > 0 && (
            <div className="flex flex-wrap gap-1">
              {e.tags.map((t) => (
                <Badge key={t}>{t}</Badge>
              ))}
            </div>
          )}
          <div className="max-h-[55vh] overflow-auto rounded-md border border-zinc-200 bg-zinc-50 p-4">
            <Markdown text={e.content} />
          </div>
          <p className="font-mono text-xs text-zinc-400">{e.id}</p>
        </div>
      )}
    </Dialog>
  )
}
