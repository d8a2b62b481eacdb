import { useState } from 'react'
import { Link, useParams } from 'react-router'
import { ArrowLeft, Download, GitBranch, MessageSquare, Square } from 'lucide-react'
import { asApiError } from '@/api/client'
import { cancelRun } from '@/api/runs'
import type { RunEvent, RunStatus } from '@/api/types'
import { Badge } from '@/components/ui/Badge'
import { Button } from '@/components/ui/Button'
import { Card, CardHeader } from '@/components/ui/Card'
import { JsonView } from '@/components/ui/JsonView'
import { EmptyState, ErrorAlert, LoadingState } from '@/components/ui/States'
import { useToast } from '@/components/ui/Toast'
import { EventList } from '@/features/trace/EventList'
import { TeamLanes } from '@/features/trace/TeamLanes'
import { TraceSummary } from '@/features/trace/TraceSummary'
import { Waterfall } from '@/features/trace/Waterfall'
import { downloadEvents } from '@/features/trace/download'
import { useTrace } from '@/features/trace/useTrace'
import { useFoldedView } from '@/hooks/useRunView'
import { preview } from '@/lib/format'
import { spanDuration, type SpanNode } from '@/lib/traceTree'

const STREAM_LABEL: Record<string, string> = {
  replaying: 'Loading events',
  connecting: 'Connecting',
  open: 'Live',
  reconnecting: 'Reconnecting',
  done: 'Complete',
  closed: 'Closed',
  error: 'Stream error',
  idle: '',
}

const TERMINAL_STATUS: Record<string, RunStatus> = { 'run.completed': 'completed', 'run.failed': 'failed', 'run.cancelled': 'cancelled' }

/** The log's own word on how the run ended (ahead of the polled run record). */
function endedAs(events: readonly RunEvent[]): RunStatus | null {
  const last = events[events.length - 1]
  return last ? (TERMINAL_STATUS[last.type] ?? null) : null
}

export function TraceRoute() {
  const { runId = '' } = useParams()
  // A new run (e.g. a child's link) starts a fresh page: selection, stream and trace.
  return <TracePage key={runId} runId={runId} />
}

function TracePage({ runId }: { runId: string }) {
  const { run, stream, trace, traceError, reloadTrace, roots, counts, previews, live, now } = useTrace(runId)
  const toast = useToast()
  const [span, setSpan] = useState<SpanNode | null>(null)
  const [event, setEvent] = useState<RunEvent | null>(null)
  const [cancelling, setCancelling] = useState(false)
  const { team } = useFoldedView(runId, stream.events)

  if (run.error && run.error.status === 404) {
    return <EmptyState className="h-full" title="Run not found" description={`No run ${runId} in this scope.`} action={<Link to="/runs" className="text-sm font-medium text-brand-600">Back to runs</Link>} />
  }
  const status = endedAs(stream.events) ?? run.data?.status ?? 'running'
  const root = roots.find((r) => r.span.kind === 'run') ?? null
  const isTeam = run.data?.kind === 'group' || team.order.length > 0
  const groupId = typeof run.data?.metadata.group_id === 'string' && run.data.kind === 'group' ? run.data.metadata.group_id : null
  const streamed = span ? previews.get(span.span.span_id) : undefined
  const inspected = event ?? (span ? { ...span.span, duration_ms: span.span.duration_ms ?? spanDuration(span, now), ...(streamed ? { streamed_text: streamed } : {}) } : null)

  const cancel = async () => {
    setCancelling(true)
    try {
      await cancelRun(runId)
      toast('success', 'Cancellation requested')
    } catch (e) {
      toast('error', asApiError(e).title)
    } finally {
      setCancelling(false)
    }
  }

  return (
    <div className="mx-auto max-w-7xl space-y-4 px-4 py-6 sm:px-6">
      <div className="flex flex-wrap items-center justify-between gap-3">
        <div className="min-w-0">
          <Link to="/runs" className="mb-1 inline-flex items-center gap-1 text-xs font-medium text-zinc-500 hover:text-zinc-800">
            <ArrowLeft className="size-3.5" /> Runs
          </Link>
          <h1 className="flex flex-wrap items-center gap-2 text-xl font-semibold tracking-tight text-zinc-900">
            Trace <span className="font-mono text-base font-normal text-zinc-500">{runId}</span>
            {STREAM_LABEL[stream.status] && (
              <Badge tone={stream.status === 'open' ? 'blue' : stream.status === 'error' ? 'red' : stream.status === 'reconnecting' ? 'amber' : 'neutral'} dot pulse={stream.status === 'open'}>
                {STREAM_LABEL[stream.status]}
              </Badge>
            )}
          </h1>
          {run.data && <p className="mt-1 max-w-3xl truncate text-sm text-zinc-500">{preview(run.data.input, 200)}</p>}
        </div>
        <div className="flex flex-wrap gap-2">
          {run.data?.parent_run_id && (
            <Link to={`/trace/${encodeURIComponent(run.data.parent_run_id)}`} className="inline-flex h-9 items-center gap-2 rounded-md px-3 text-sm font-medium text-zinc-700 ring-1 ring-zinc-300 ring-inset hover:bg-zinc-50">
              <GitBranch className="size-4" /> Parent run
            </Link>
          )}
          {run.data?.session_key && (
            <Link to={`/?session=${encodeURIComponent(run.data.session_key)}`} className="inline-flex h-9 items-center gap-2 rounded-md px-3 text-sm font-medium text-zinc-700 ring-1 ring-zinc-300 ring-inset hover:bg-zinc-50">
              <MessageSquare className="size-4" /> Session
            </Link>
          )}
          <Button onClick={() => downloadEvents(runId, stream.events, 'json')} disabled={!stream.events.length} icon={<Download className="size-4" />}>
            JSON
          </Button>
          <Button onClick={() => downloadEvents(runId, stream.events, 'jsonl')} disabled={!stream.events.length} icon={<Download className="size-4" />}>
            JSONL
          </Button>
          {live && (
            <Button variant="outline-danger" onClick={cancel} loading={cancelling} icon={<Square className="size-3 fill-current" />}>
              Cancel run
            </Button>
          )}
        </div>
      </div>

      {run.error && <ErrorAlert error={run.error} onRetry={run.reload} />}
      {stream.error && <ErrorAlert error={stream.error} onRetry={stream.restart} />}
      {traceError && <ErrorAlert error={traceError} onRetry={reloadTrace} />}

      <Card>
        <TraceSummary run={run.data} status={status} waitReason={status === 'waiting' ? (run.data?.wait_reason ?? null) : null} counts={counts} usage={trace?.usage} durationMs={root ? spanDuration(root, now) : null} />
      </Card>

      {isTeam && <TeamLanes team={team} groupId={groupId} live={live} />}

      <Card>
        <CardHeader title="Timeline" description="Spans as the server derives them from the log: run → steps → LLM and tool calls; sub-agents' runs nest under the step that started them. Click a span to filter its events." />
        {!trace ? (
          traceError ? null : <LoadingState label="Loading trace…" />
        ) : trace.spans.length === 0 ? (
          <EmptyState title="No spans yet" description="The run has not started." />
        ) : (
          <Waterfall roots={roots} now={now} previews={previews} selected={span?.span.span_id ?? null} onSelect={(s) => { setSpan(s); setEvent(null) }} />
        )}
      </Card>

      <div className="grid gap-4 lg:grid-cols-5">
        <Card className="flex h-[28rem] flex-col overflow-hidden lg:col-span-3">
          <CardHeader title="Events" description={`${stream.events.length} events`} />
          <div className="min-h-0 flex-1">
            <EventList events={stream.events} startMs={root?.start ?? Date.parse(stream.events[0]?.ts ?? '')} selectedSeq={event?.seq ?? null} onSelect={setEvent} span={span?.span ?? null} onClearSpan={() => setSpan(null)} />
          </div>
        </Card>
        <Card className="flex h-[28rem] flex-col overflow-hidden lg:col-span-2">
          <CardHeader title="Inspector" description={event ? `Event #${event.seq} · ${event.type}` : span ? `Span · ${span.span.name}` : 'Select an event or a span'} />
          <div className="min-h-0 flex-1 overflow-auto p-3">
            {inspected ? <JsonView value={inspected} maxHeight="max-h-none" /> : <EmptyState title="Nothing selected" description="Pick an event from the list or a span from the timeline." />}
          </div>
        </Card>
      </div>
    </div>
  )
}
