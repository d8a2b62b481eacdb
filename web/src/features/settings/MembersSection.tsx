import { useState, type FormEvent } from 'react'
import { UserPlus } from 'lucide-react'
import { changeMemberRole, createUser, listMembers } from '@/api/settings'
import { ORG_ROLES, type OrgRole } from '@/api/types'
import { Button } from '@/components/ui/Button'
import { Card, CardHeader } from '@/components/ui/Card'
import { Dialog } from '@/components/ui/Dialog'
import { Field, Input, Select } from '@/components/ui/Input'
import { ErrorAlert, LoadingState } from '@/components/ui/States'
import { Table, Td, Th } from '@/components/ui/Table'
import { useToast } from '@/components/ui/Toast'
import { useResource } from '@/hooks/useResource'
import { formatDateTime } from '@/lib/format'
import { useMutation } from '@/hooks/useMutation'

const EMPTY = { username: '', display_name: '', password: '', role: 'member' as OrgRole }

export function MembersSection({ canEdit, selfId }: { canEdit: boolean; selfId: string | undefined }) {
  const members = useResource((s) => listMembers(s), [])
  const [open, setOpen] = useState(false)
  const [form, setForm] = useState(EMPTY)
  const create = useMutation(createUser)
  const role = useMutation(changeMemberRole)
  const toast = useToast()

  const submit = async (e: FormEvent) => {
    e.preventDefault()
    const m = await create.run({ username: form.username.trim(), password: form.password, display_name: form.display_name.trim() || undefined, role: form.role })
    if (!m) return
    members.setData((prev) => ({ items: [...(prev?.items ?? []), m], next_cursor: prev?.next_cursor ?? null }))
    setOpen(false)
    setForm(EMPTY)
    toast('success', `${m.username} added`)
  }
  const changeRole = async (userId: string, r: OrgRole) => {
    const m = await role.run(userId, r)
    if (m) {
      members.setData((prev) => ({ items: (prev?.items ?? []).map((x) => (x.user_id === userId ? m : x)), next_cursor: prev?.next_cursor ?? null }))
      toast('success', `${m.username} is now ${m.role}`)
    }
  }
  const fe = create.error?.fieldErrorMap() ?? {}

  return (
    <Card>
      <CardHeader
        title="Members"
        description="People in this organisation and their role."
        actions={canEdit && <Button size="sm" variant="primary" icon={<UserPlus className="size-4" />} onClick={() => setOpen(true)}>Add user</Button>}
      />
      {members.error && <ErrorAlert error={members.error} onRetry={members.reload} className="m-3" />}
      {role.error && <ErrorAlert error={role.error} className="m-3" />}
      {members.loading && !members.data ? (
        <LoadingState />
      ) : (
        <Table>
          <thead>
            <tr>
              <Th>User</Th>
              <Th>Role</Th>
              <Th className="hidden sm:table-cell">Joined</Th>
            </tr>
          </thead>
          <tbody className="divide-y divide-zinc-100">
            {(members.data?.items ?? []).map((m) => (
              <tr key={m.user_id}>
                <Td>
                  <p className="font-medium text-zinc-900">
                    {m.display_name || m.username}
                    {m.user_id === selfId && <span className="ml-1.5 text-xs font-normal text-zinc-400">(you)</span>}
                  </p>
                  <p className="text-xs text-zinc-500">@{m.username}</p>
                </Td>
                <Td>
                  {canEdit && m.user_id !== selfId ? (
                    <Select aria-label={`Role of ${m.username}`} value={m.role} disabled={role.busy} onChange={(e) => changeRole(m.user_id, e.target.value as OrgRole)} className="h-8 w-32 text-xs">
                      {ORG_ROLES.map((r) => (
                        <option key={r}>{r}</option>
                      ))}
                    </Select>
                  ) : (
                    <span className="text-sm capitalize">{m.role}</span>
                  )}
                </Td>
                <Td className="hidden text-xs sm:table-cell">{formatDateTime(m.created_at)}</Td>
              </tr>
            ))}
          </tbody>
        </Table>
      )}
      <Dialog
        open={open}
        onClose={() => setOpen(false)}
        title="Add user"
        description="Creates a user with a password in this organisation."
        footer={
          <>
            <Button onClick={() => setOpen(false)}>Cancel</Button>
            <Button variant="primary" type="submit" form="new-user" loading={create.busy} disabled={!form.username.trim() || !form.password}>
              Add user
            </Button>
          </>
        }
      >
        <form id="new-user" onSubmit={submit} className="space-y-4">
          {create.error && <ErrorAlert error={create.error} />}
          <Field label="Username" error={fe.username}>
            {(p) => <Input {...p} autoFocus autoComplete="off" value={form.username} onChange={(e) => setForm({ ...form, username: e.target.value })} />}
          </Field>
          <Field label="Display name" error={fe.display_name}>
            {(p) => <Input {...p} value={form.display_name} onChange={(e) => setForm({ ...form, display_name: e.target.value })} />}
          </Field>
          <Field label="Password" error={fe.password}>
            {(p) => <Input {...p} type="password" autoComplete="new-password" value={form.password} onChange={(e) => setForm({ ...form, password: e.target.value })} />}
          </Field>
          <Field label="Role" error={fe.role}>
            {(p) => (
              <Select {...p} value={form.role} onChange={(e) => setForm({ ...form, role: e.target.value as OrgRole })}>
                {ORG_ROLES.map((r) => (
                  <option key={r}>{r}</option>
                ))}
              </Select>
            )}
          </Field>
        </form>
      </Dialog>
    </Card>
  )
}
