import { useEffect, useState, type FormEvent } from 'react'
import { listProviders } from '@/api/settings'
import { createRole, updateRole } from '@/api/teams'
import { MEMORY_SCOPES, type MemoryScope, type Role } from '@/api/types'
import { Button } from '@/components/ui/Button'
import { Dialog } from '@/components/ui/Dialog'
import { Field, Input, Select, Textarea } from '@/components/ui/Input'
import { ErrorAlert } from '@/components/ui/States'
import { useMutation } from '@/hooks/useMutation'
import { useResource } from '@/hooks/useResource'
import { ToolPicker } from './ToolPicker'

const SCOPE_HINT: Record<MemoryScope, string> = {
  org: 'recalls and remembers across the organisation',
  project: 'within its run’s project',
  group: 'within its group (a team member)',
  none: 'no memory',
}

interface Form {
  name: string
  description: string
  system_prompt: string
  provider: string
  model: string
  tools: string[]
  memory_scope: MemoryScope
  max_steps: string
}

const EMPTY: Form = { name: '', description: '', system_prompt: '', provider: '', model: '', tools: [], memory_scope: 'org', max_steps: '' }

function toForm(r: Role | null): Form {
  if (!r) return EMPTY
  return { name: r.name, description: r.description, system_prompt: r.system_prompt, provider: r.provider ?? '', model: r.model ?? '', tools: r.tools ?? [], memory_scope: r.memory_scope, max_steps: r.max_steps ? String(r.max_steps) : '' }
}

/** The fields both create and update send (a role's tool policies are left as they are). */
function toBody(f: Form) {
  return {
    name: f.name.trim(),
    description: f.description.trim(),
    system_prompt: f.system_prompt,
    provider: f.provider || null,
    model: f.model.trim() || null,
    tools: f.tools.length ? f.tools : null,
    memory_scope: f.memory_scope,
    max_steps: f.max_steps ? Number(f.max_steps) : null,
  }
}

/** Create a role (`role` null) or edit one. */
export function RoleDialog({ open, role, onClose, onSaved }: { open: boolean; role: Role | null; onClose: () => void; onSaved: (r: Role) => void }) {
  const [form, setForm] = useState<Form>(EMPTY)
  const providers = useResource((s) => listProviders(s), [], { enabled: open })
  const save = useMutation((f: Form) => (role ? updateRole(role.id, toBody(f)) : createRole(toBody(f))))
  const reset = save.reset
  useEffect(() => {
    if (open) {
      setForm(toForm(role))
      reset()
    }
  }, [open, role]) // `reset` is a new function each render; only opening matters
  const set = <K extends keyof Form>(k: K, v: Form[K]) => setForm((f) => ({ ...f, [k]: v }))
  const submit = async (e: FormEvent) => {
    e.preventDefault()
    const saved = await save.run(form)
    if (saved) onSaved(saved)
  }
  const fe = save.error?.fieldErrorMap() ?? {}
  const models = [...new Set((providers.data?.items ?? []).map((p) => p.model).filter(Boolean))]
  const title = role ? `Edit role ${role.name}` : 'New role'
  return (
    <Dialog
      open={open}
      onClose={onClose}
      size="lg"
      title={title}
      description="A role is an agent’s configuration with a name: what it is told, which model it uses, what it may do."
      footer={
        <>
          <Button onClick={onClose}>Cancel</Button>
          <Button variant="primary" type="submit" form="role-form" loading={save.busy} disabled={!form.name.trim() || !form.system_prompt.trim()}>
            {role ? 'Save role' : 'Create role'}
          </Button>
        </>
      }
    >
      <form id="role-form" onSubmit={submit} className="space-y-4">
        {save.error && <ErrorAlert error={save.error} />}
        <div className="grid gap-4 sm:grid-cols-2">
          <Field label="Name" error={fe.name} hint="Its agent id in team runs is this name, slugged.">
            {(p) => <Input {...p} autoFocus value={form.name} onChange={(e) => set('name', e.target.value)} placeholder="researcher" />}
          </Field>
          <Field label="Memory scope" error={fe.memory_scope} hint={SCOPE_HINT[form.memory_scope]}>
            {(p) => (
              <Select {...p} value={form.memory_scope} onChange={(e) => set('memory_scope', e.target.value as MemoryScope)}>
                {MEMORY_SCOPES.map((s) => (
                  <option key={s} value={s}>
                    {s}
                  </option>
                ))}
              </Select>
            )}
          </Field>
        </div>
        <Field label="Description" error={fe.description}>
          {(p) => <Input {...p} value={form.description} onChange={(e) => set('description', e.target.value)} placeholder="Finds the facts and cites them" />}
        </Field>
        <Field label="System prompt" error={fe.system_prompt}>
          {(p) => <Textarea {...p} rows={5} value={form.system_prompt} onChange={(e) => set('system_prompt', e.target.value)} placeholder="You are the team’s researcher…" />}
        </Field>
        <div className="grid gap-4 sm:grid-cols-3">
          <Field label="Provider" error={fe.provider} hint="Empty: the org’s default.">
            {(p) => (
              <Select {...p} value={form.provider} onChange={(e) => set('provider', e.target.value)}>
                <option value="">Default provider</option>
                {(providers.data?.items ?? []).map((pr) => (
                  <option key={pr.id} value={pr.name}>
                    {pr.name}
                  </option>
                ))}
                {form.provider && !(providers.data?.items ?? []).some((pr) => pr.name === form.provider || pr.id === form.provider) && <option value={form.provider}>{form.provider}</option>}
              </Select>
            )}
          </Field>
          <Field label="Model" error={fe.model} hint="Empty: the provider’s model.">
            {(p) => <Input {...p} value={form.model} onChange={(e) => set('model', e.target.value)} list="role-models" placeholder="default model" className="font-mono" autoComplete="off" />}
          </Field>
          <Field label="Max steps" error={fe.max_steps} hint="Empty: the platform’s limit.">
            {(p) => <Input {...p} type="number" min={1} max={1000} value={form.max_steps} onChange={(e) => set('max_steps', e.target.value)} />}
          </Field>
        </div>
        <datalist id="role-models">
          {models.map((m) => (
            <option key={m} value={m} />
          ))}
        </datalist>
        <ToolPicker value={form.tools} onChange={(t) => set('tools', t)} enabled={open} />
      </form>
    </Dialog>
  )
}
