import { useState } from 'react'
import { Database } from 'lucide-react'
import { listMemories } from '@/api/memory'
import { MEMORY_TIERS, type Memory, type MemoryTier } from '@/api/types'
import { Badge } from '@/components/ui/Badge'
import { Button } from '@/components/ui/Button'
import { EmptyState, ErrorAlert, LoadingState } from '@/components/ui/States'
import { Tabs } from '@/components/ui/Tabs'
import { useResource } from '@/hooks/useResource'
import { formatRelative, preview } from '@/lib/format'

const PAGE = 30

export function BrowsePanel({ onOpen, refreshKey }: { onOpen: (id: string) => void; refreshKey: number }) {
  const [tier, setTier] = useState<MemoryTier>('core')
  const [extra, setExtra] = useState<{ items: Memory[]; cursor: string | null } | null>(null)
  const [loadingMore, setLoadingMore] = useState(false)
  const list = useResource(
    async (s) => {
      setExtra(null)
      return listMemories({ tier, limit: PAGE }, s)
    },
    [tier, refreshKey],
  )
  const items = [...(list.data?.items ?? []), ...(extra?.items ?? [])]
  const cursor = extra ? extra.cursor : (list.data?.next_cursor ?? null)

  const more = async () => {
    setLoadingMore(true)
    try {
      const page = await listMemories({ tier, limit: PAGE, cursor })
      setExtra((e) => ({ items: [...(e?.items ?? []), ...page.items], cursor: page.next_cursor ?? null }))
    } finally {
      setLoadingMore(false)
    }
  }

  return (
    <div>
      <Tabs label="Memory tier" value={tier} onChange={setTier} items={MEMORY_TIERS.map((t) => ({ value: t, label: t[0]!.toUpperCase() + t.slice(1) }))} className="mb-3" />
      <p className="mb-3 text-xs text-zinc-500">
        {tier === 'core' && 'Small blocks always in the agent’s prompt; agents can edit them.'}
        {tier === 'episodic' && 'What happened: run summaries and blackboard entries.'}
        {tier === 'archival' && 'Knowledge: ingested documents, PDFs and connector syncs.'}
      </p>
      {list.error && <ErrorAlert error={list.error} onRetry={list.reload} />}
      {list.loading && !list.data ? (
        <LoadingState />
      ) : items.length === 0 && !list.error ? (
        <EmptyState icon={<Database className="size-5" />} title={`No ${tier} memories`} />
      ) : (
        <ul className="divide-y divide-zinc-100 rounded-lg border border-zinc-200 bg-white">
          {items.map((m) => (
            <li key={m.id}>
              <button type="button" onClick={() => onOpen(m.id)} className="flex w-full items-start gap-3 px-4 py-3 text-left hover:bg-zinc-50">
                <div className="min-w-0 flex-1">
                  <p className="truncate text-sm font-medium text-zinc-900">{m.title || m.id}</p>
                  <p className="truncate text-xs text-zinc-500">{preview(m.content, 160)}</p>
                  {!!m.tags?.length && (
                    <div className="mt-1 flex flex-wrap gap-1">
                      {m.tags.slice(0, 6).map((t) => (
                        <Badge key={t}>{t}</Badge>
                      ))}
                    </div>
                  )}
                </div>
                <span className="shrink-0 text-xs text-zinc-400">{formatRelative(m.created_at)}</span>
              </button>
            </li>
          ))}
        </ul>
      )}
      {cursor && (
        <div className="mt-3 flex justify-center">
          <Button onClick={more} loading={loadingMore}>
            Load more
          </Button>
        </div>
      )}
    </div>
  )
}
