import { useState, type FormEvent } from 'react'
import { AlertTriangle, KeyRound, Plus } from 'lucide-react'
import { createApiKey, listApiKeys, revokeApiKey, setApiKeyStatus } from '@/api/settings'
import { ORG_ROLES, type ApiKey, type ApiKeyCreated, type OrgRole } from '@/api/types'
import { StatusBadge } from '@/components/ui/Badge'
import { Button } from '@/components/ui/Button'
import { Card, CardHeader } from '@/components/ui/Card'
import { CopyField } from '@/components/ui/CopyButton'
import { Dialog } from '@/components/ui/Dialog'
import { Field, Input, Select } from '@/components/ui/Input'
import { EmptyState, ErrorAlert, LoadingState } from '@/components/ui/States'
import { Table, Td, Th } from '@/components/ui/Table'
import { useToast } from '@/components/ui/Toast'
import { useResource } from '@/hooks/useResource'
import { useSession } from '@/hooks/useSession'
import { formatDateTime, formatRelative } from '@/lib/format'
import { useMutation } from '@/hooks/useMutation'

export function ApiKeysSection() {
  const { projects, projectId } = useSession()
  const keys = useResource((s) => listApiKeys(s), [])
  const [open, setOpen] = useState(false)
  const [name, setName] = useState('')
  const [boundProject, setBoundProject] = useState(projectId ?? '')
  const [role, setRole] = useState<OrgRole>('member')
  const [created, setCreated] = useState<ApiKeyCreated | null>(null)
  const [revoking, setRevoking] = useState<ApiKey | null>(null)
  const create = useMutation(createApiKey)
  const update = useMutation(setApiKeyStatus)
  const revoke = useMutation(revokeApiKey)
  const toast = useToast()

  const replace = (k: ApiKey) => keys.setData((prev) => ({ items: (prev?.items ?? []).map((x) => (x.id === k.id ? k : x)), next_cursor: prev?.next_cursor ?? null }))

  const submit = async (e: FormEvent) => {
    e.preventDefault()
    const k = await create.run({ name: name.trim(), project_id: boundProject || undefined, role })
    if (!k) return
    const { key: _secret, ...stored } = k
    void _secret
    keys.setData((prev) => ({ items: [stored, ...(prev?.items ?? [])], next_cursor: prev?.next_cursor ?? null }))
    setCreated(k)
    setName('')
    setRole('member')
  }
  const closeCreate = () => {
    setOpen(false)
    setCreated(null)
    create.reset()
  }
  const toggle = async (k: ApiKey) => {
    const u = await update.run(k.id, k.status === 'active' ? 'disabled' : 'active')
    if (u) {
      replace(u)
      toast('success', `${u.name} ${u.status === 'active' ? 'enabled' : 'disabled'}`)
    }
  }
  const confirmRevoke = async () => {
    if (!revoking) return
    const r = await revoke.run(revoking.id)
    if (r) {
      replace(r)
      toast('success', `${r.name} revoked`)
      setRevoking(null)
    }
  }
  const projectName = (id: string | null) => (id ? (projects.find((p) => p.id === id)?.name ?? id) : 'All projects')
  const fe = create.error?.fieldErrorMap() ?? {}
  const items = keys.data?.items ?? []

  return (
    <Card>
      <CardHeader
        title="API keys"
        description="For scripts and services: send as Authorization: Bearer <key>. Keys are stored hashed and shown once."
        actions={<Button size="sm" variant="primary" icon={<Plus className="size-4" />} onClick={() => setOpen(true)}>Create key</Button>}
      />
      {keys.error && <ErrorAlert error={keys.error} onRetry={keys.reload} className="m-3" />}
      {(update.error || revoke.error) && !revoking && <ErrorAlert error={update.error ?? revoke.error} className="m-3" />}
      {keys.loading && !keys.data ? (
        <LoadingState />
      ) : items.length === 0 && !keys.error ? (
        <EmptyState icon={<KeyRound className="size-5" />} title="No API keys" description="Create one to call the API from the CLI, CI or another service." />
      ) : (
        <Table>
          <thead>
            <tr>
              <Th>Name</Th>
              <Th>Key</Th>
              <Th>Status</Th>
              <Th className="hidden sm:table-cell">Role</Th>
              <Th className="hidden md:table-cell">Project</Th>
              <Th className="hidden lg:table-cell">Last used</Th>
              <Th className="text-right">
                <span className="sr-only">Actions</span>
              </Th>
            </tr>
          </thead>
          <tbody className="divide-y divide-zinc-100">
            {items.map((k) => (
              <tr key={k.id}>
                <Td>
                  <p className="font-medium text-zinc-900">{k.name}</p>
                  <p className="text-xs text-zinc-400" title={formatDateTime(k.created_at)}>
                    created {formatRelative(k.created_at)}
                  </p>
                </Td>
                <Td className="font-mono text-xs">{k.prefix}…</Td>
                <Td>
                  <StatusBadge status={k.status} />
                </Td>
                <Td className="hidden text-xs capitalize sm:table-cell">{k.role}</Td>
                <Td className="hidden text-xs md:table-cell">{projectName(k.project_id)}</Td>
                <Td className="hidden text-xs lg:table-cell">{k.last_used_at ? formatRelative(k.last_used_at) : 'never'}</Td>
                <Td className="text-right whitespace-nowrap">
                  {k.status !== 'revoked' && (
                    <div className="flex justify-end gap-1">
                      <Button size="sm" variant="ghost" onClick={() => toggle(k)} disabled={update.busy}>
                        {k.status === 'active' ? 'Disable' : 'Enable'}
                      </Button>
                      <Button size="sm" variant="ghost" className="text-red-600 hover:bg-red-50" onClick={() => setRevoking(k)}>
                        Revoke
                      </Button>
                    </div>
                  )}
                </Td>
              </tr>
            ))}
          </tbody>
        </Table>
      )}

      <Dialog
        open={open}
        onClose={closeCreate}
        title={created ? 'Your new API key' : 'Create API key'}
        footer={
          created ? (
            <Button key="saved" variant="primary" onClick={closeCreate}>
              I have saved it
            </Button>
          ) : (
            <>
              <Button onClick={closeCreate}>Cancel</Button>
              <Button variant="primary" type="submit" form="new-key" loading={create.busy} disabled={!name.trim()}>
                Create key
              </Button>
            </>
          )
        }
      >
        {created ? (
          <div className="space-y-4">
            <div className="flex gap-2 rounded-md border border-amber-200 bg-amber-50 p-3 text-sm text-amber-900" role="alert">
              <AlertTriangle className="mt-0.5 size-4 shrink-0 text-amber-600" />
              <p>
                Copy this key now. <strong>It will not be shown again</strong> — only its prefix is stored. If you lose it, revoke it and create a new one.
              </p>
            </div>
            <CopyField label="API key" value={created.key} />
            <p className="text-xs text-zinc-500">
              {created.name} · {created.role} · {projectName(created.project_id)}
            </p>
          </div>
        ) : (
          <form id="new-key" onSubmit={submit} className="space-y-4">
            {create.error && <ErrorAlert error={create.error} />}
            <Field label="Name" hint="What will use it, e.g. “CI pipeline”." error={fe.name}>
              {(p) => <Input {...p} autoFocus value={name} onChange={(e) => setName(e.target.value)} />}
            </Field>
            <Field label="Role" hint="What the key may do; never more than your own role." error={fe.role}>
              {(p) => (
                <Select {...p} value={role} onChange={(e) => setRole(e.target.value as OrgRole)}>
                  {ORG_ROLES.map((r) => (
                    <option key={r} value={r}>
                      {r[0]!.toUpperCase() + r.slice(1)}
                    </option>
                  ))}
                </Select>
              )}
            </Field>
            <Field label="Project" hint="Bind the key to one project, or leave it org-wide." error={fe.project_id}>
              {(p) => (
                <Select {...p} value={boundProject} onChange={(e) => setBoundProject(e.target.value)}>
                  <option value="">All projects</option>
                  {projects.map((pr) => (
                    <option key={pr.id} value={pr.id}>
                      {pr.name}
                    </option>
                  ))}
                </Select>
              )}
            </Field>
          </form>
        )}
      </Dialog>

      <Dialog
        open={!!revoking}
        onClose={() => setRevoking(null)}
        size="sm"
        title="Revoke API key?"
        description={revoking ? `“${revoking.name}” (${revoking.prefix}…) stops working immediately. This cannot be undone.` : undefined}
        footer={
          <>
            <Button onClick={() => setRevoking(null)}>Cancel</Button>
            <Button variant="danger" onClick={confirmRevoke} loading={revoke.busy}>
              Revoke key
            </Button>
          </>
        }
      >
        {revoke.error && <ErrorAlert error={revoke.error} />}
      </Dialog>
    </Card>
  )
}
