import { useEffect, useState, type FormEvent } from 'react'
import { SlidersHorizontal } from 'lucide-react'
import { listProviders } from '@/api/settings'
import { listTools } from '@/api/tools'
import { Badge } from '@/components/ui/Badge'
import { Button } from '@/components/ui/Button'
import { Dialog } from '@/components/ui/Dialog'
import { Field, Input } from '@/components/ui/Input'
import { ErrorAlert, LoadingState } from '@/components/ui/States'
import { useResource } from '@/hooks/useResource'
import type { RunOptions } from './runOptions'

const RISK_TONE = { low: 'neutral', medium: 'amber', high: 'red' } as const
const ACTION_LABEL = { allow: '', block: 'blocked by default', require_approval: 'needs approval' } as const

/** The composer's "model · tools" chip and the dialog that edits them. */
export function RunOptionsButton({ options, onChange }: { options: RunOptions; onChange: (o: RunOptions) => void }) {
  const [open, setOpen] = useState(false)
  const summary = `${options.model || 'Default model'} · ${options.tools.length ? `${options.tools.length} tool${options.tools.length > 1 ? 's' : ''}` : 'default tools'}`
  return (
    <>
      <button
        type="button"
        onClick={() => setOpen(true)}
        title="Model and tools for new messages"
        aria-label={`Run options: ${summary}`}
        className="inline-flex max-w-[55vw] items-center gap-1.5 truncate rounded-md px-1.5 py-1 text-xs text-zinc-500 hover:bg-zinc-100 hover:text-zinc-800 sm:max-w-xs"
      >
        <SlidersHorizontal className="size-3.5 shrink-0" />
        <span className="truncate font-mono">{summary}</span>
      </button>
      <RunOptionsDialog open={open} options={options} onClose={() => setOpen(false)} onSave={(o) => { onChange(o); setOpen(false) }} />
    </>
  )
}

function RunOptionsDialog({ open, options, onClose, onSave }: { open: boolean; options: RunOptions; onClose: () => void; onSave: (o: RunOptions) => void }) {
  const [model, setModel] = useState(options.model)
  const [tools, setTools] = useState<string[]>(options.tools)
  const available = useResource((s) => listTools(s), [], { enabled: open })
  const providers = useResource((s) => listProviders(s), [], { enabled: open })
  useEffect(() => {
    if (open) {
      setModel(options.model)
      setTools(options.tools)
    }
  }, [open, options])
  const submit = (e: FormEvent) => {
    e.preventDefault()
    onSave({ model: model.trim(), tools })
  }
  const toggle = (name: string, on: boolean) => setTools((t) => (on ? [...t.filter((x) => x !== name), name] : t.filter((x) => x !== name)))
  const models = [...new Set((providers.data?.items ?? []).map((p) => p.model).filter(Boolean))]
  return (
    <Dialog
      open={open}
      onClose={onClose}
      title="Run options"
      description="Used for the next messages you send from this browser."
      footer={
        <>
          <Button onClick={onClose}>Cancel</Button>
          <Button variant="primary" type="submit" form="run-options">
            Save
          </Button>
        </>
      }
    >
      <form id="run-options" onSubmit={submit} className="space-y-5">
        <Field label="Model" hint="Leave empty for the server’s default model.">
          {(p) => <Input {...p} value={model} onChange={(e) => setModel(e.target.value)} list="run-options-models" placeholder="server default" className="font-mono" autoComplete="off" />}
        </Field>
        <datalist id="run-options-models">
          {models.map((m) => (
            <option key={m} value={m} />
          ))}
        </datalist>
        <fieldset>
          <legend className="text-sm font-medium text-zinc-800">Tools</legend>
          <p className="mt-0.5 text-xs text-zinc-500">None checked: the server’s default set. Tool policies still apply.</p>
          {available.error && <ErrorAlert error={available.error} className="mt-2" />}
          {available.loading && !available.data ? (
            <LoadingState />
          ) : (
            <ul className="mt-2 divide-y divide-zinc-100 rounded-md ring-1 ring-zinc-200">
              {(available.data?.items ?? []).map((t) => (
                <li key={t.name}>
                  <label className="flex cursor-pointer items-start gap-3 px-3 py-2 hover:bg-zinc-50">
                    <input type="checkbox" checked={tools.includes(t.name)} onChange={(e) => toggle(t.name, e.target.checked)} className="mt-0.5 rounded border-zinc-300 text-brand-600 focus:ring-brand-500" />
                    <span className="min-w-0 flex-1">
                      <span className="flex flex-wrap items-center gap-1.5">
                        <span className="font-mono text-sm text-zinc-900">{t.name}</span>
                        {t.risk !== 'low' && <Badge tone={RISK_TONE[t.risk]}>{t.risk} risk</Badge>}
                        {ACTION_LABEL[t.default_action] && <span className="text-xs text-zinc-400">{ACTION_LABEL[t.default_action]}</span>}
                      </span>
                      <span className="block text-xs text-zinc-500">{t.description}</span>
                    </span>
                  </label>
                </li>
              ))}
            </ul>
          )}
        </fieldset>
      </form>
    </Dialog>
  )
}
