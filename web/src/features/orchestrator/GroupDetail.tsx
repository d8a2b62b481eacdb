import { useState, type ReactNode } from 'react'
import { Link } from 'react-router'
import { ClipboardList, Pencil, Trash2 } from 'lucide-react'
import { deleteGroup, groupStats } from '@/api/teams'
import type { Group, Role } from '@/api/types'
import { Badge } from '@/components/ui/Badge'
import { Button } from '@/components/ui/Button'
import { Card, CardHeader } from '@/components/ui/Card'
import { useMutation } from '@/hooks/useMutation'
import { useResource } from '@/hooks/useResource'
import { ConfirmDelete } from './ConfirmDelete'
import { MembersEditor } from './MembersEditor'
import { ORCHESTRATOR_INFO } from './orchestrators'
import { RunTeamForm } from './RunTeamForm'
import { StatsGrid } from './StatsGrid'

/**
 * One group: its orchestrator, stats, members (reorder, lead, add, remove), the form that
 * runs the team, and `runs` (the route's recent-runs card) below.
 */
export function GroupDetail({ group, roles, onEdit, onChanged, onDeleted, runs }: { group: Group; roles: Role[]; onEdit: () => void; onChanged: () => void; onDeleted: () => void; runs: ReactNode }) {
  const stats = useResource((s) => groupStats(group.id, s), [group.id])
  const [confirming, setConfirming] = useState(false)
  const remove = useMutation(async () => {
    await deleteGroup(group.id)
    return true
  })
  const confirm = async () => {
    if (await remove.run()) {
      setConfirming(false)
      onDeleted()
    }
  }
  const info = ORCHESTRATOR_INFO[group.orchestrator]
  return (
    <div className="space-y-4">
      <Card>
        <CardHeader
          title={
            <span className="flex flex-wrap items-center gap-2 text-base">
              {group.name}
              <Badge tone="violet">{info.label}</Badge>
              {group.orchestrator === 'lead_directed' && <span className="text-xs font-normal text-zinc-500">at most {group.max_rounds} rounds</span>}
            </span>
          }
          description={group.description || info.hint}
          actions={
            <>
              <Link to={`/blackboard/${encodeURIComponent(group.id)}`} className="inline-flex h-8 items-center gap-1.5 rounded-md px-2.5 text-xs font-medium text-zinc-800 shadow-sm ring-1 ring-zinc-300 ring-inset hover:bg-zinc-50">
                <ClipboardList className="size-3.5" /> Blackboard
              </Link>
              <Button size="sm" icon={<Pencil className="size-3.5" />} onClick={onEdit}>
                Edit
              </Button>
              <Button size="sm" variant="outline-danger" icon={<Trash2 className="size-3.5" />} onClick={() => { remove.reset(); setConfirming(true) }}>
                Delete
              </Button>
            </>
          }
        />
        <StatsGrid label={`Stats of ${group.name}`} stats={stats.data} error={stats.error} onRetry={stats.reload} />
      </Card>
      <Card>
        <CardHeader title="Members" description={`${group.members.length} member${group.members.length === 1 ? '' : 's'} · drag to reorder (the order serial runs take turns); the lead decides.`} />
        <MembersEditor group={group} roles={roles} onChanged={onChanged} />
      </Card>
      <Card>
        <CardHeader title="Run the team" />
        <RunTeamForm group={group} />
      </Card>
      {runs}
      <ConfirmDelete
        open={confirming}
        title={`Delete group ${group.name}?`}
        description="Its members go with it; its runs and blackboard entries stay."
        busy={remove.busy}
        error={remove.error}
        onCancel={() => setConfirming(false)}
        onConfirm={confirm}
      />
    </div>
  )
}
