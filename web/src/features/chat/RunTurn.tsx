import { useEffect, useRef, useState } from 'react'
import { Link } from 'react-router'
import { Activity, AlertCircle, Bot, ChevronDown, GitBranch, Info, User } from 'lucide-react'
import type { Run } from '@/api/types'
import { RunStatusBadge, StatusBadge } from '@/components/ui/Badge'
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

/** Sub-agents started with `delegate` (`run.children_started`), each linked to its trace. */
function SubAgents({ runIds, view }: { runIds: string[]; view: RunView }) {
  const children = runIds.map((id) => view.children[id]).filter((c) => c !== undefined)
  const done = children.filter((c) => c.status !== 'running').length
  return (
    <div className="rounded-lg border border-violet-200 bg-violet-50/40 px-3 py-2 text-sm" data-testid="sub-agents">
      <div className="flex items-center gap-2 text-zinc-700">
        <GitBranch className="size-3.5 shrink-0 text-violet-500" />
        <span className="font-medium">
          Started {children.length} sub-agent{children.length === 1 ? '' : 's'}
        </span>
        {done > 0 && done < children.length && <span className="text-xs text-zinc-400">{done} done</span>}
      </div>
      <ul className="mt-1.5 space-y-1">
        {children.map((c) => (
          <li key={c.runId} className="flex min-w-0 items-center gap-2 text-xs">
            <Link to={`/trace/${encodeURIComponent(c.runId)}`} className="shrink-0 font-medium text-violet-700 hover:text-violet-900 hover:underline" title={`Trace of ${c.runId}`}>
              {c.agentId}
            </Link>
            <StatusBadge status={c.status} />
            <span className="min-w-0 truncate text-zinc-500">{c.status === 'failed' ? c.error : c.output}</span>
          </li>
        ))}
      </ul>
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
    case 'children':
      return <SubAgents runIds={item.runIds} view={view} />
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
  const fromEvents = view && view.status !== 'idle'
  const status = fromEvents ? view.status : run.status
  const waitReason = (fromEvents ? view.waitReason : null) ?? run.wait_reason ?? null
  const tokens = view?.usage.totalTokens || run.usage?.total_tokens
  const cost = view?.usage.costUsd || run.usage?.cost_usd
  return (
    <div className="flex flex-wrap items-center gap-x-3 gap-y-1 pt-1 text-xs text-zinc-400">
      <RunStatusBadge status={status} waitReason={waitReason} />
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
