import { useState, type FormEvent } from 'react'
import { Link, useParams, useSearchParams } from 'react-router'
import { ArrowLeft, ClipboardList, RefreshCw, Search, X } from 'lucide-react'
import { getGroup } from '@/api/teams'
import { Button } from '@/components/ui/Button'
import { Card, CardHeader } from '@/components/ui/Card'
import { Input } from '@/components/ui/Input'
import { EmptyState, ErrorAlert, LoadingState } from '@/components/ui/States'
import { useToast } from '@/components/ui/Toast'
import { EntryDialog } from '@/features/blackboard/EntryDialog'
import { PostNoteForm } from '@/features/blackboard/PostNoteForm'
import { Timeline } from '@/features/blackboard/Timeline'
import { useBlackboard } from '@/features/blackboard/useBlackboard'
import { useResource } from '@/hooks/useResource'

/** A group's blackboard: `?q=` searches it, `?entry=<id>` opens an entry. */
export function BlackboardRoute() {
  const { groupId = '' } = useParams()
  const [params, setParams] = useSearchParams()
  const q = params.get('q') ?? ''
  const entry = params.get('entry')
  const [draft, setDraft] = useState(q)
  const group = useResource((s) => getGroup(groupId, s), [groupId])
  const board = useBlackboard(groupId, q)
  const toast = useToast()

  const setParam = (k: string, v: string | null) => {
    const next = new URLSearchParams(params)
    if (v) next.set(k, v)
    else next.delete(k)
    setParams(next, { replace: k !== 'entry' })
  }
  const search = (e: FormEvent) => {
    e.preventDefault()
    setParam('q', draft.trim() || null)
  }
  const clear = () => {
    setDraft('')
    setParam('q', null)
  }

  if (group.error?.status === 404) {
    return <EmptyState className="h-full" title="Group not found" description={`No group ${groupId} in this scope.`} action={<Link to="/orchestrator" className="text-sm font-medium text-brand-600">Back to the orchestrator</Link>} />
  }
  const name = group.data?.name ?? groupId
  return (
    <div className="mx-auto max-w-7xl px-4 py-6 sm:px-6">
      <div className="mb-5">
        <Link to={`/orchestrator?group=${encodeURIComponent(groupId)}`} className="mb-1 inline-flex items-center gap-1 text-xs font-medium text-zinc-500 hover:text-zinc-800">
          <ArrowLeft className="size-3.5" /> {name}
        </Link>
        <h1 className="flex items-center gap-2 text-xl font-semibold tracking-tight text-zinc-900">
          <ClipboardList className="size-5 text-zinc-400" aria-hidden="true" /> Blackboard <span className="font-normal text-zinc-500">· {name}</span>
        </h1>
        <p className="mt-1 text-sm text-zinc-500">What the team noted, found and decided. Every team run leaves an entry with its task, decision and key evidence.</p>
      </div>
      {group.error && <ErrorAlert error={group.error} onRetry={group.reload} className="mb-4" />}
      <div className="grid gap-4 lg:grid-cols-3">
        <div className="space-y-4 lg:col-span-2">
          <form role="search" onSubmit={search} className="flex gap-2">
            <div className="relative flex-1">
              <Search className="pointer-events-none absolute top-2.5 left-3 size-4 text-zinc-400" aria-hidden="true" />
              <Input aria-label="Search the blackboard" placeholder="Search: semantic and full text" value={draft} onChange={(e) => setDraft(e.target.value)} className="pl-9" />
            </div>
            <Button type="submit" variant="primary" disabled={!draft.trim()}>
              Search
            </Button>
            {q && (
              <Button onClick={clear} icon={<X className="size-4" />}>
                Clear
              </Button>
            )}
            {!q && <Button onClick={board.reload} icon={<RefreshCw className="size-4" />} aria-label="Refresh" title="Refresh" loading={board.loading && board.items.length > 0} />}
          </form>
          {q && <p className="text-xs text-zinc-500">Best matches first for “{q}”.</p>}
          {board.error && <ErrorAlert error={board.error} onRetry={board.reload} />}
          {board.loading && board.items.length === 0 ? (
            <LoadingState />
          ) : board.items.length === 0 ? (
            !board.error && (
              <Card>
                <EmptyState icon={<ClipboardList className="size-5" />} title={q ? 'No matches' : 'Nothing on the blackboard yet'} description={q ? `Nothing found for “${q}”.` : 'Run the team or post a note: entries appear here, newest first.'} />
              </Card>
            )
          ) : (
            <Timeline entries={board.items} query={q} onOpen={(id) => setParam('entry', id)} />
          )}
          {board.hasMore && (
            <div className="flex justify-center">
              <Button onClick={() => board.loadMore()} loading={board.loading}>
                Load more
              </Button>
            </div>
          )}
        </div>
        <Card className="self-start">
          <CardHeader title="Post a note" description="Members read the blackboard during their runs." />
          <PostNoteForm
            groupId={groupId}
            onPosted={(e) => {
              toast('success', `Posted “${e.title}”`)
              clear()
              board.reload()
            }}
          />
        </Card>
      </div>
      <EntryDialog groupId={groupId} id={entry} onClose={() => setParam('entry', null)} />
    </div>
  )
}
