import { useState, type ReactNode } from 'react'
import { Pencil, Trash2 } from 'lucide-react'
import { deleteRole, roleStats } from '@/api/teams'
import type { Group, Role } from '@/api/types'
import { Badge } from '@/components/ui/Badge'
import { Button } from '@/components/ui/Button'
import { Card, CardHeader } from '@/components/ui/Card'
import { useMutation } from '@/hooks/useMutation'
import { useResource } from '@/hooks/useResource'
import { ConfirmDelete } from './ConfirmDelete'
import { StatsGrid } from './StatsGrid'

function Row({ label, children }: { label: string; children: ReactNode }) {
  return (
    <div className="grid grid-cols-3 gap-3 px-4 py-2.5 text-sm">
      <dt className="text-zinc-500">{label}</dt>
      <dd className="col-span-2 min-w-0 text-zinc-900">{children}</dd>
    </div>
  )
}

/** One role: its configuration, the groups that seat it, its stats; edit and delete. */
export function RoleDetail({ role, groups, onEdit, onDeleted }: { role: Role; groups: Group[]; onEdit: () => void; onDeleted: () => void }) {
  const stats = useResource((s) => roleStats(role.id, s), [role.id, role.updated_at])
  const [confirming, setConfirming] = useState(false)
  const remove = useMutation(async () => {
    await deleteRole(role.id)
    return true
  })
  const seatedIn = groups.filter((g) => g.members.some((m) => m.role_id === role.id))
  const confirm = async () => {
    if (await remove.run()) {
      setConfirming(false)
      onDeleted()
    }
  }
  return (
    <div className="space-y-4">
      <Card>
        <CardHeader
          title={<span className="text-base">{role.name}</span>}
          description={role.description || 'No description'}
          actions={
            <>
              <Button size="sm" icon={<Pencil className="size-3.5" />} onClick={onEdit}>
                Edit
              </Button>
              <Button size="sm" variant="outline-danger" icon={<Trash2 className="size-3.5" />} onClick={() => { remove.reset(); setConfirming(true) }}>
                Delete
              </Button>
            </>
          }
        />
        <dl className="divide-y divide-zinc-100">
          <Row label="Model">
            <span className="font-mono text-xs">{role.model ?? 'provider default'}</span>
            <span className="text-zinc-400"> · </span>
            <span className="text-xs">{role.provider ?? 'default provider'}</span>
          </Row>
          <Row label="Tools">
            {role.tools === null ? (
              <span className="text-zinc-500">platform defaults</span>
            ) : (
              <span className="flex flex-wrap gap-1">
                {role.tools.map((t) => (
                  <Badge key={t} className="font-mono">{t}</Badge>
                ))}
              </span>
            )}
          </Row>
          <Row label="Memory scope"><Badge tone="blue">{role.memory_scope}</Badge></Row>
          {role.max_steps !== null && <Row label="Max steps">{role.max_steps}</Row>}
          {role.tool_policies.length > 0 && (
            <Row label="Tool policies">
              <ul className="space-y-0.5 font-mono text-xs">
                {role.tool_policies.map((p, i) => (
                  <li key={i}>{p.pattern} → {p.action.replace('_', ' ')}</li>
                ))}
              </ul>
            </Row>
          )}
          <Row label="In groups">{seatedIn.length ? seatedIn.map((g) => g.name).join(', ') : <span className="text-zinc-500">none</span>}</Row>
          <div className="px-4 py-3">
            <dt className="mb-1.5 text-sm text-zinc-500">System prompt</dt>
            <dd className="max-h-64 overflow-auto rounded-md border border-zinc-200 bg-zinc-50 p-3 text-sm whitespace-pre-wrap text-zinc-800">{role.system_prompt}</dd>
          </div>
        </dl>
      </Card>
      <Card>
        <CardHeader title="Stats" description="Runs that used this role: its own and its turns in teams." />
        <StatsGrid label={`Stats of ${role.name}`} stats={stats.data} error={stats.error} onRetry={stats.reload} />
      </Card>
      <ConfirmDelete
        open={confirming}
        title={`Delete role ${role.name}?`}
        description={seatedIn.length ? `It sits in ${seatedIn.map((g) => g.name).join(', ')}: remove it from those groups first.` : 'Its runs stay; new runs cannot name it.'}
        busy={remove.busy}
        error={remove.error}
        onCancel={() => setConfirming(false)}
        onConfirm={confirm}
      />
    </div>
  )
}
