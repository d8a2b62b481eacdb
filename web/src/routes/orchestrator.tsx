import { useState } from 'react'
import { useSearchParams } from 'react-router'
import { History, UsersRound } from 'lucide-react'
import { listGroupRuns, listGroups, listRoles } from '@/api/teams'
import type { Group, Role } from '@/api/types'
import { Card, CardHeader, PageHeader } from '@/components/ui/Card'
import { EmptyState, ErrorAlert, LoadingState } from '@/components/ui/States'
import { Tabs } from '@/components/ui/Tabs'
import { useToast } from '@/components/ui/Toast'
import { EntityList } from '@/features/orchestrator/EntityList'
import { GroupDetail } from '@/features/orchestrator/GroupDetail'
import { GroupDialog } from '@/features/orchestrator/GroupDialog'
import { ORCHESTRATOR_INFO } from '@/features/orchestrator/orchestrators'
import { RoleDetail } from '@/features/orchestrator/RoleDetail'
import { RoleDialog } from '@/features/orchestrator/RoleDialog'
import { RunsTable } from '@/features/runs/RunsTable'
import { useInterval, useNow, useResource } from '@/hooks/useResource'

type Tab = 'groups' | 'roles'
/** A group's recent runs refresh on this period while one of them is live. */
const LIVE_REFRESH_MS = 5_000
const LIVE = ['pending', 'queued', 'running', 'waiting']

/** Roles and the groups (teams) they form: `?tab=groups|roles`, `?group=<id>`, `?role=<id>`. */
export function OrchestratorRoute() {
  const [params, setParams] = useSearchParams()
  const tab: Tab = params.get('tab') === 'roles' ? 'roles' : 'groups'
  const roles = useResource((s) => listRoles(s), [])
  const groups = useResource((s) => listGroups(s), [])
  const [editing, setEditing] = useState<{ kind: 'role'; item: Role | null } | { kind: 'group'; item: Group | null } | null>(null)
  const toast = useToast()

  const select = (next: Record<string, string>) => setParams({ tab, ...next }, { replace: true })
  const roleList = roles.data?.items
  const groupList = groups.data?.items
  const groupId = params.get('group') ?? groupList?.[0]?.id ?? null
  const roleId = params.get('role') ?? roleList?.[0]?.id ?? null
  const group = groupList?.find((g) => g.id === groupId) ?? null
  const role = roleList?.find((r) => r.id === roleId) ?? null

  return (
    <div className="mx-auto max-w-7xl px-4 py-6 sm:px-6">
      <PageHeader title="Orchestrator" description="Roles are agents with a name and a configuration; groups are teams of roles that work on one task together." />
      <Tabs
        label="Orchestrator sections"
        className="mb-5"
        value={tab}
        onChange={(t) => setParams({ tab: t }, { replace: true })}
        items={[
          { value: 'groups', label: 'Groups', count: groupList?.length },
          { value: 'roles', label: 'Roles', count: roleList?.length },
        ]}
      />
      <div className="grid gap-4 lg:grid-cols-[17rem_minmax(0,1fr)]">
        {tab === 'groups' ? (
          <>
            <EntityList
              title="Groups"
              items={groupList}
              loading={groups.loading}
              error={groups.error}
              onRetry={groups.reload}
              selected={group?.id ?? null}
              onSelect={(id) => select({ group: id })}
              onNew={() => setEditing({ kind: 'group', item: null })}
              newLabel="New group"
              empty="No groups yet."
              meta={(g) => `${ORCHESTRATOR_INFO[g.orchestrator].label} · ${g.members.length} member${g.members.length === 1 ? '' : 's'}`}
            />
            {group ? (
              <GroupDetail
                key={group.id}
                group={group}
                roles={roleList ?? []}
                onEdit={() => setEditing({ kind: 'group', item: group })}
                onChanged={groups.reload}
                onDeleted={() => {
                  toast('success', `Group ${group.name} deleted`)
                  setParams({ tab }, { replace: true })
                  groups.reload()
                }}
                runs={<RecentRuns groupId={group.id} />}
              />
            ) : (
              <Placeholder loading={groups.loading && !groupList} what="group" />
            )}
          </>
        ) : (
          <>
            <EntityList
              title="Roles"
              items={roleList}
              loading={roles.loading}
              error={roles.error}
              onRetry={roles.reload}
              selected={role?.id ?? null}
              onSelect={(id) => select({ role: id })}
              onNew={() => setEditing({ kind: 'role', item: null })}
              newLabel="New role"
              empty="No roles yet."
              meta={(r) => r.model || r.description || 'default model'}
            />
            {role ? (
              <RoleDetail
                key={role.id}
                role={role}
                groups={groupList ?? []}
                onEdit={() => setEditing({ kind: 'role', item: role })}
                onDeleted={() => {
                  toast('success', `Role ${role.name} deleted`)
                  setParams({ tab }, { replace: true })
                  roles.reload()
                }}
              />
            ) : (
              <Placeholder loading={roles.loading && !roleList} what="role" />
            )}
          </>
        )}
      </div>
      <RoleDialog
        open={editing?.kind === 'role'}
        role={editing?.kind === 'role' ? editing.item : null}
        onClose={() => setEditing(null)}
        onSaved={(r) => {
          setEditing(null)
          toast('success', `Role ${r.name} saved`)
          roles.reload()
          groups.reload() // members show their role's name
          setParams({ tab: 'roles', role: r.id }, { replace: true })
        }}
      />
      <GroupDialog
        open={editing?.kind === 'group'}
        group={editing?.kind === 'group' ? editing.item : null}
        onClose={() => setEditing(null)}
        onSaved={(g) => {
          setEditing(null)
          toast('success', `Group ${g.name} saved`)
          groups.reload()
          setParams({ tab: 'groups', group: g.id }, { replace: true })
        }}
      />
    </div>
  )
}

function Placeholder({ loading, what }: { loading: boolean; what: string }) {
  if (loading) return <LoadingState />
  return (
    <Card>
      <EmptyState icon={<UsersRound className="size-5" />} title={`No ${what} selected`} description={`Create a ${what} or pick one from the list.`} />
    </Card>
  )
}

function RecentRuns({ groupId }: { groupId: string }) {
  const runs = useResource((s) => listGroupRuns(groupId, 10, s), [groupId])
  const items = runs.data?.items ?? []
  const live = items.some((r) => LIVE.includes(r.status))
  const now = useNow(live, 1000)
  useInterval(runs.reload, live ? LIVE_REFRESH_MS : null)
  return (
    <Card>
      <CardHeader title="Recent runs" description="The team’s last ten runs; open one for its lanes and trace." />
      {runs.error && <ErrorAlert error={runs.error} onRetry={runs.reload} className="m-3" />}
      {runs.loading && !runs.data ? (
        <LoadingState />
      ) : items.length === 0 ? (
        !runs.error && <EmptyState icon={<History className="size-5" />} title="No runs yet" description="Run the team above." />
      ) : (
        <RunsTable runs={items} now={now} />
      )}
    </Card>
  )
}
