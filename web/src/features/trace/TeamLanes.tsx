import { Link } from 'react-router'
import { Bot, ClipboardList, Crown, ExternalLink, Gavel, Lightbulb, ListTodo, UsersRound, Wrench } from 'lucide-react'
import type { MemberStatus } from '@/api/types'
import { Badge, StatusBadge } from '@/components/ui/Badge'
import { Card, CardHeader } from '@/components/ui/Card'
import { EmptyState } from '@/components/ui/States'
import { cn } from '@/lib/cn'
import type { LaneMessage, LaneView, TeamView } from '@/lib/eventReducer'

const STATUS_DOT: Record<MemberStatus, string> = { working: 'bg-sky-500', done: 'bg-emerald-500', failed: 'bg-red-500', cancelled: 'bg-zinc-400' }

const linkClass = 'inline-flex h-8 items-center gap-1.5 rounded-md px-2.5 text-xs font-medium text-zinc-800 shadow-sm ring-1 ring-zinc-300 ring-inset hover:bg-zinc-50'

function Message({ m }: { m: LaneMessage }) {
  switch (m.kind) {
    case 'status':
      // History, not the lane's state (its header has that): plain text, no pulse.
      return (
        <p className="flex flex-wrap items-center gap-1.5 px-1 text-xs text-zinc-500">
          <span className={cn('size-1.5 rounded-full', STATUS_DOT[m.status])} aria-hidden="true" />
          {m.status}
          {m.detail && <span className="text-red-700">— {m.detail}</span>}
        </p>
      )
    case 'task':
      return (
        <details className="group rounded-md bg-zinc-50 px-2.5 py-1.5 ring-1 ring-zinc-200 ring-inset">
          <summary className="flex cursor-pointer items-center gap-1.5 text-xs font-medium text-zinc-700">
            <ListTodo className="size-3.5 text-zinc-400" aria-hidden="true" /> Task{m.round > 1 ? ` · round ${m.round}` : ''}
          </summary>
          <p className="mt-1.5 max-h-48 overflow-auto text-xs whitespace-pre-wrap text-zinc-600">{m.content}</p>
        </details>
      )
    case 'evidence':
      return (
        <div className="rounded-md bg-emerald-50/60 px-2.5 py-1.5 ring-1 ring-emerald-600/15 ring-inset">
          <p className="flex items-center gap-1.5 text-xs font-medium text-emerald-800">
            <Wrench className="size-3.5" aria-hidden="true" /> Evidence <span className="font-mono font-normal">{m.tool}</span>
          </p>
          <p className="mt-1 line-clamp-4 font-mono text-xs break-words whitespace-pre-wrap text-zinc-700">{m.content}</p>
        </div>
      )
    case 'proposal':
    case 'decision': {
      const decision = m.kind === 'decision'
      const Icon = decision ? Gavel : Lightbulb
      return (
        <div className={cn('rounded-md px-2.5 py-1.5 ring-1 ring-inset', decision ? 'bg-amber-50 ring-amber-600/25' : 'bg-white ring-zinc-200')}>
          <p className={cn('flex items-center gap-1.5 text-xs font-medium', decision ? 'text-amber-800' : 'text-brand-700')}>
            <Icon className="size-3.5" aria-hidden="true" /> {decision ? 'Decision' : 'Proposal'}{m.round > 1 ? ` · round ${m.round}` : ''}
          </p>
          <p className="mt-1 line-clamp-6 text-sm whitespace-pre-wrap text-zinc-800">{m.content}</p>
        </div>
      )
    }
  }
}

function Lane({ lane }: { lane: LaneView }) {
  const turns = lane.runIds
  return (
    <section aria-label={`Member ${lane.agentId}`} data-testid="lane" data-agent-id={lane.agentId} data-status={lane.status} className="flex min-w-0 flex-col rounded-lg bg-zinc-50/70 ring-1 ring-zinc-200">
      <header className="flex flex-wrap items-center gap-2 border-b border-zinc-200 px-3 py-2">
        <Bot className="size-4 text-violet-500" aria-hidden="true" />
        <h3 className="min-w-0 flex-1 truncate font-mono text-sm font-medium text-zinc-900">{lane.agentId}</h3>
        {lane.decided && (
          <Badge tone="amber">
            <Crown className="size-3" aria-hidden="true" /> lead
          </Badge>
        )}
        <StatusBadge status={lane.status === 'idle' ? 'waiting' : lane.status} />
      </header>
      <ol aria-label={`${lane.agentId}'s messages`} className="flex-1 space-y-2 p-3">
        {lane.messages.map((m) => (
          <li key={m.seq} data-testid="lane-message" data-kind={m.kind}>
            <Message m={m} />
          </li>
        ))}
      </ol>
      {turns.length > 0 && (
        <footer className="flex flex-wrap gap-x-3 gap-y-1 border-t border-zinc-200 px-3 py-2 text-xs">
          {turns.map((id, i) => (
            <Link key={id} to={`/trace/${encodeURIComponent(id)}`} className="inline-flex items-center gap-1 font-medium text-brand-700 hover:underline" aria-label={`Open ${lane.agentId}'s run${turns.length > 1 ? ` (turn ${i + 1})` : ''}`}>
              <ExternalLink className="size-3" aria-hidden="true" /> {turns.length > 1 ? `Turn ${i + 1}` : 'Member run'}
            </Link>
          ))}
        </footer>
      )}
    </section>
  )
}

/**
 * A group run's members as lanes, one per `agent_id`, filled from the run's `message.*`
 * events as they stream in; each lane links to its turns' child runs. `groupId`: the
 * run's group (its metadata), for links to the group and its blackboard.
 */
export function TeamLanes({ team, groupId, live }: { team: TeamView; groupId: string | null; live: boolean }) {
  return (
    <Card>
      <CardHeader
        title="Team"
        description="One lane per member, from the run’s message events as they arrive: task, status, evidence, proposal, decision. Each turn links to its own run."
        actions={
          groupId && (
            <>
              <Link to={`/orchestrator?group=${encodeURIComponent(groupId)}`} className={linkClass}>
                <UsersRound className="size-3.5" /> Group
              </Link>
              <Link to={`/blackboard/${encodeURIComponent(groupId)}`} className={linkClass}>
                <ClipboardList className="size-3.5" /> Blackboard
              </Link>
            </>
          )
        }
      />
      {team.decision && (
        <div className="border-b border-zinc-200 bg-amber-50/50 px-4 py-3" data-testid="team-decision">
          <p className="flex items-center gap-1.5 text-xs font-medium text-amber-800">
            <Gavel className="size-3.5" aria-hidden="true" /> The team’s decision · {team.decision.agentId}
          </p>
          <p className="mt-1 text-sm whitespace-pre-wrap text-zinc-900">{team.decision.content}</p>
        </div>
      )}
      {team.order.length === 0 ? (
        <EmptyState icon={<UsersRound className="size-5" />} title={live ? 'Waiting for the first turn…' : 'No member messages'} description={live ? 'Lanes appear as members get their tasks.' : undefined} />
      ) : (
        <div className="grid grid-cols-[repeat(auto-fit,minmax(17rem,1fr))] gap-3 p-3" aria-label="Members" role="list">
          {team.order.map((agent) => (
            <div role="listitem" key={agent}>
              <Lane lane={team.lanes[agent]!} />
            </div>
          ))}
        </div>
      )}
    </Card>
  )
}
