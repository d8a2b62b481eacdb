import { useEffect, useRef, useState } from 'react'
import { Link } from 'react-router'
import { Activity, AlertCircle, Bot, ChevronDown, Info, User } from 'lucide-react'
import type { Run } from '@/api/types'
import { StatusBadge } from '@/components/ui/Badge'
import { ErrorAlert } from '@/components/ui/States'
import { Spinner } from '@/components/ui/Spinner'
import { useRunView } from '@/hooks/useRunView'
import { cn } from '@/lib/cn'
import type { RunView, TranscriptItem } from '@/lib/eventReducer'
import { formatCost, formatTokens, preview } from '@/lib/format'
import { ToolCallCard } from './ToolCallCard'

function inputText(run: Run): string {
  return preview(run.input, 100_000)
}

function UserBubble({ text }: { text: string }) {
  return (
    <div className="flex justify-end gap-3">
      <div className="max-w-[85%] rounded-2xl rounded-tr-sm bg-brand-600 px-4 py-2.5 text-sm whitespace-pre-wrap text-white shadow-sm">{text}</div>
      <div className="hidden size-7 shrink-0 items-center justify-center rounded-full bg-zinc-200 text-zinc-600 sm:flex">
        <User className="size-4" />
      </div>
    </div>
  )
}

function AgentRow({ runId, children }: { runId: string; children: React.ReactNode }) {
  return (
    <div className="flex gap-3" data-testid="agent-turn" data-run-id={runId}>
      <div className="flex size-7 shrink-0 items-center justify-center rounded-full bg-brand-50 text-brand-600 ring-1 ring-brand-100">
        <Bot className="size-4" />
      </div>
      <div className="min-w-0 flex-1 space-y-2">{children}</div>
    </div>
  )
}

/** `primaryAgent`: the run's own agent, whose name is not repeated on every line. */
function Item({ item, view, primaryAgent }: { item: TranscriptItem; view: RunView; primaryAgent: string }) {
  switch (item.kind) {
    case 'assistant':
      return (
        <div data-testid="assistant-text" data-streaming={item.streaming || undefined} className={cn('text-sm leading-relaxed whitespace-pre-wrap text-zinc-800', item.streaming && 'streaming-caret')}>
          {item.agentId && item.agentId !== primaryAgent && <span className="mr-1.5 text-xs font-medium text-zinc-400">{item.agentId}</span>}
          {item.text}
        </div>
      )
    case 'tool': {
      const call = view.toolCalls[item.toolCallId]
      return call ? <ToolCallCard call={call} /> : null
    }
    case 'message':
      return (
        <div className="rounded-md border border-zinc-200 bg-zinc-50 px-3 py-2 text-sm">
          <span className="mr-2 font-mono text-xs text-violet-600">{item.messageType}</span>
          {item.agentId && item.agentId !== primaryAgent && <span className="mr-2 text-xs font-medium text-zinc-500">{item.agentId}</span>}
          <span className="whitespace-pre-wrap text-zinc-700">{item.text}</span>
        </div>
      )
    case 'error':
      return (
        <div className="flex items-start gap-2 rounded-md bg-red-50 px-3 py-2 text-sm text-red-700">
          <AlertCircle className="mt-0.5 size-4 shrink-0" />
          <span className="whitespace-pre-wrap">{item.text}</span>
        </div>
      )
    case 'notice':
      return (
        <div className="flex items-center gap-2 text-xs text-zinc-500">
          <Info className="size-3.5" /> {item.text}
        </div>
      )
  }
}

/** The run's footer: status, usage, trace link. */
function TurnFooter({ run, view }: { run: Run; view?: RunView }) {
  const status = view && view.status !== 'idle' ? view.status : run.status
  const tokens = view?.usage.totalTokens || run.usage?.total_tokens
  const cost = view?.usage.costUsd || run.usage?.cost_usd
  return (
    <div className="flex flex-wrap items-center gap-x-3 gap-y-1 pt-1 text-xs text-zinc-400">
      <StatusBadge status={status} />
      {!!tokens && <span>{formatTokens(tokens)} tokens</span>}
      {!!cost && <span>{formatCost(cost)}</span>}
      <Link to={`/trace/${run.run_id}`} className="inline-flex items-center gap-1 font-medium text-zinc-500 hover:text-brand-600">
        <Activity className="size-3.5" /> Trace
      </Link>
    </div>
  )
}

/** Live turn: replays the run's events then follows the stream. */
function LiveTurn({ run, onStatus }: { run: Run; onStatus?: (runId: string, status: RunView['status']) => void }) {
  const { view, status, error, attempt } = useRunView(run.run_id)
  const onStatusRef = useRef(onStatus)
  onStatusRef.current = onStatus
  useEffect(() => {
    onStatusRef.current?.(run.run_id, view.status)
  }, [run.run_id, view.status])
  const waitingForFirstToken = view.items.length === 0 && (status === 'replaying' || status === 'connecting' || status === 'open' || view.status === 'running')
  return (
    <AgentRow runId={run.run_id}>
      {view.items.map((it) => (
        <Item key={it.key} item={it} view={view} primaryAgent={run.agent_id} />
      ))}
      {waitingForFirstToken && (
        <div className="flex items-center gap-2 text-sm text-zinc-400">
          <Spinner className="size-3.5" /> {run.status === 'queued' || run.status === 'pending' ? 'Queued…' : 'Thinking…'}
        </div>
      )}
      {status === 'reconnecting' && <p className="text-xs text-amber-600">Connection lost — reconnecting (attempt {attempt})…</p>}
      {error && <ErrorAlert error={error} />}
      <TurnFooter run={run} view={view} />
    </AgentRow>
  )
}

/** A finished turn shown from the run record; expands to the full event transcript. */
function SummaryTurn({ run, onExpand }: { run: Run; onExpand: () => void }) {
  const out = run.status === 'failed' ? null : preview(run.output, 100_000)
  return (
    <AgentRow runId={run.run_id}>
      {out ? <div className="text-sm leading-relaxed whitespace-pre-wrap text-zinc-800">{out}</div> : null}
      {run.status === 'failed' && (
        <div className="flex items-start gap-2 rounded-md bg-red-50 px-3 py-2 text-sm text-red-700">
          <AlertCircle className="mt-0.5 size-4 shrink-0" /> {preview(run.error, 2000) || 'Run failed'}
        </div>
      )}
      <div className="flex items-center gap-3">
        <TurnFooter run={run} />
        <button type="button" onClick={onExpand} className="inline-flex items-center gap-1 pt-1 text-xs font-medium text-zinc-500 hover:text-brand-600">
          <ChevronDown className="size-3.5" /> Show steps
        </button>
      </div>
    </AgentRow>
  )
}

export function RunTurn({ run, live, onStatus }: { run: Run; live: boolean; onStatus?: (runId: string, status: RunView['status']) => void }) {
  const [expanded, setExpanded] = useState(live)
  return (
    <div className="space-y-4">
      <UserBubble text={inputText(run)} />
      {expanded || live ? <LiveTurn run={run} onStatus={onStatus} /> : <SummaryTurn run={run} onExpand={() => setExpanded(true)} />}
    </div>
  )
}
