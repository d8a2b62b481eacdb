import { useState, type FormEvent } from 'react'
import { FolderKanban, Plus } from 'lucide-react'
import { createProject } from '@/api/settings'
import { Button } from '@/components/ui/Button'
import { Card, CardHeader } from '@/components/ui/Card'
import { Dialog } from '@/components/ui/Dialog'
import { Field, Input, Textarea } from '@/components/ui/Input'
import { EmptyState, ErrorAlert } from '@/components/ui/States'
import { Table, Td, Th } from '@/components/ui/Table'
import { useToast } from '@/components/ui/Toast'
import { useSession } from '@/hooks/useSession'
import { formatDateTime } from '@/lib/format'
import { useMutation } from '@/hooks/useMutation'

export function ProjectsSection({ canEdit }: { canEdit: boolean }) {
  const { projects, reloadProjects, projectId, setProjectId } = useSession()
  const [open, setOpen] = useState(false)
  const [form, setForm] = useState({ name: '', slug: '', description: '' })
  const create = useMutation(createProject)
  const toast = useToast()

  const submit = async (e: FormEvent) => {
    e.preventDefault()
    const p = await create.run({ name: form.name.trim(), slug: form.slug.trim() || undefined, description: form.description.trim() || undefined })
    if (!p) return
    await reloadProjects()
    setOpen(false)
    setForm({ name: '', slug: '', description: '' })
    toast('success', `Project ${p.name} created`)
  }
  const fe = create.error?.fieldErrorMap() ?? {}

  return (
    <Card>
      <CardHeader
        title="Projects"
        description="Runs, memory and keys can be scoped to a project. The switcher in the top bar picks the current one."
        actions={canEdit && <Button size="sm" variant="primary" icon={<Plus className="size-4" />} onClick={() => setOpen(true)}>New project</Button>}
      />
      {projects.length === 0 ? (
        <EmptyState icon={<FolderKanban className="size-5" />} title="No projects yet" />
      ) : (
        <Table>
          <thead>
            <tr>
              <Th>Name</Th>
              <Th>Slug</Th>
              <Th className="hidden md:table-cell">Description</Th>
              <Th className="hidden sm:table-cell">Created</Th>
              <Th className="text-right">
                <span className="sr-only">Actions</span>
              </Th>
            </tr>
          </thead>
          <tbody className="divide-y divide-zinc-100">
            {projects.map((p) => (
              <tr key={p.id}>
                <Td className="font-medium text-zinc-900">{p.name}</Td>
                <Td className="font-mono text-xs">{p.slug}</Td>
                <Td className="hidden max-w-xs truncate md:table-cell">{p.description || '—'}</Td>
                <Td className="hidden text-xs sm:table-cell">{formatDateTime(p.created_at)}</Td>
                <Td className="text-right">
                  {projectId === p.id ? (
                    <span className="text-xs font-medium text-brand-600">Current</span>
                  ) : (
                    <Button size="sm" variant="ghost" onClick={() => setProjectId(p.id)}>
                      Switch to
                    </Button>
                  )}
                </Td>
              </tr>
            ))}
          </tbody>
        </Table>
      )}
      <Dialog
        open={open}
        onClose={() => setOpen(false)}
        title="New project"
        footer={
          <>
            <Button onClick={() => setOpen(false)}>Cancel</Button>
            <Button variant="primary" type="submit" form="new-project" loading={create.busy} disabled={!form.name.trim()}>
              Create project
            </Button>
          </>
        }
      >
        <form id="new-project" onSubmit={submit} className="space-y-4">
          {create.error && <ErrorAlert error={create.error} />}
          <Field label="Name" error={fe.name}>
            {(p) => <Input {...p} autoFocus value={form.name} onChange={(e) => setForm({ ...form, name: e.target.value })} />}
          </Field>
          <Field label="Slug" hint="Optional; derived from the name when empty." error={fe.slug}>
            {(p) => <Input {...p} value={form.slug} onChange={(e) => setForm({ ...form, slug: e.target.value })} placeholder="my-project" className="font-mono" />}
          </Field>
          <Field label="Description" error={fe.description}>
            {(p) => <Textarea {...p} rows={3} value={form.description} onChange={(e) => setForm({ ...form, description: e.target.value })} />}
          </Field>
        </form>
      </Dialog>
    </Card>
  )
}
