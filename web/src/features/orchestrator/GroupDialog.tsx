import { useEffect, useState, type FormEvent } from 'react'
import { createGroup, updateGroup } from '@/api/teams'
import { ORCHESTRATORS, type Group, type Orchestrator } from '@/api/types'
import { Button } from '@/components/ui/Button'
import { Dialog } from '@/components/ui/Dialog'
import { Field, Input, Select } from '@/components/ui/Input'
import { ErrorAlert } from '@/components/ui/States'
import { useMutation } from '@/hooks/useMutation'
import { ORCHESTRATOR_INFO } from './orchestrators'

interface Form {
  name: string
  description: string
  orchestrator: Orchestrator
  max_rounds: string
}

const EMPTY: Form = { name: '', description: '', orchestrator: 'serial', max_rounds: '3' }

const toBody = (f: Form) => ({ name: f.name.trim(), description: f.description.trim(), orchestrator: f.orchestrator, max_rounds: Number(f.max_rounds) || 3 })

/** Create a group (`group` null) or edit its name, description, orchestrator and round limit. */
export function GroupDialog({ open, group, onClose, onSaved }: { open: boolean; group: Group | null; onClose: () => void; onSaved: (g: Group) => void }) {
  const [form, setForm] = useState<Form>(EMPTY)
  const save = useMutation((f: Form) => (group ? updateGroup(group.id, toBody(f)) : createGroup(toBody(f))))
  const reset = save.reset
  useEffect(() => {
    if (!open) return
    setForm(group ? { name: group.name, description: group.description, orchestrator: group.orchestrator, max_rounds: String(group.max_rounds) } : EMPTY)
    reset()
  }, [open, group]) // `reset` is a new function each render; only opening matters
  const set = <K extends keyof Form>(k: K, v: Form[K]) => setForm((f) => ({ ...f, [k]: v }))
  const submit = async (e: FormEvent) => {
    e.preventDefault()
    const saved = await save.run(form)
    if (saved) onSaved(saved)
  }
  const fe = save.error?.fieldErrorMap() ?? {}
  return (
    <Dialog
      open={open}
      onClose={onClose}
      title={group ? `Edit group ${group.name}` : 'New group'}
      description="A group is a team of roles that works on one task; its orchestrator decides who speaks when."
      footer={
        <>
          <Button onClick={onClose}>Cancel</Button>
          <Button variant="primary" type="submit" form="group-form" loading={save.busy} disabled={!form.name.trim()}>
            {group ? 'Save group' : 'Create group'}
          </Button>
        </>
      }
    >
      <form id="group-form" onSubmit={submit} className="space-y-4">
        {save.error && <ErrorAlert error={save.error} />}
        <Field label="Name" error={fe.name}>
          {(p) => <Input {...p} autoFocus value={form.name} onChange={(e) => set('name', e.target.value)} placeholder="review-board" />}
        </Field>
        <Field label="Description" error={fe.description}>
          {(p) => <Input {...p} value={form.description} onChange={(e) => set('description', e.target.value)} placeholder="Reviews proposals and decides" />}
        </Field>
        <div className="grid gap-4 sm:grid-cols-3">
          <Field label="Orchestrator" error={fe.orchestrator} hint={ORCHESTRATOR_INFO[form.orchestrator].hint} className="sm:col-span-2">
            {(p) => (
              <Select {...p} value={form.orchestrator} onChange={(e) => set('orchestrator', e.target.value as Orchestrator)}>
                {ORCHESTRATORS.map((o) => (
                  <option key={o} value={o}>
                    {ORCHESTRATOR_INFO[o].label}
                  </option>
                ))}
              </Select>
            )}
          </Field>
          <Field label="Max rounds" error={fe.max_rounds} hint="Lead-directed only.">
            {(p) => <Input {...p} type="number" min={1} max={20} value={form.max_rounds} onChange={(e) => set('max_rounds', e.target.value)} />}
          </Field>
        </div>
      </form>
    </Dialog>
  )
}
