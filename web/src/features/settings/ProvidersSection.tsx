import { useState, type FormEvent } from 'react'
import { Cpu, Plus, PlugZap, Trash2 } from 'lucide-react'
import { createProvider, deleteProvider, listProviders, testProvider } from '@/api/settings'
import type { Provider, ProviderKind, ProviderTestResult } from '@/api/types'
import { Badge } from '@/components/ui/Badge'
import { Button } from '@/components/ui/Button'
import { Card, CardHeader } from '@/components/ui/Card'
import { Dialog } from '@/components/ui/Dialog'
import { Field, Input, Select } from '@/components/ui/Input'
import { EmptyState, ErrorAlert, LoadingState } from '@/components/ui/States'
import { useToast } from '@/components/ui/Toast'
import { useResource } from '@/hooks/useResource'
import { formatDuration } from '@/lib/format'
import { useMutation } from '@/hooks/useMutation'

const EMPTY = { name: '', kind: 'openai' as ProviderKind, base_url: '', model: '', api_key: '', is_default: false }
const KIND_TONE = { openai: 'brand', anthropic: 'amber', gemini: 'blue' } as const satisfies Record<ProviderKind, string>
const MODEL_EXAMPLE: Record<ProviderKind, string> = { openai: 'gpt-4o-mini', anthropic: 'claude-sonnet-4', gemini: 'gemini-2.5-flash' }

function TestResult({ result }: { result: ProviderTestResult | { error: string } }) {
  if ('error' in result) return <span className="text-xs text-red-600">{result.error}</span>
  return (
    <span className={result.ok ? 'text-xs text-emerald-700' : 'text-xs text-red-600'}>
      {result.ok ? '✓ Connected' : '✗ Failed'}
      {result.latency_ms != null && ` · ${formatDuration(result.latency_ms)}`}
      {result.detail && ` · ${result.detail}`}
    </span>
  )
}

export function ProvidersSection({ canEdit }: { canEdit: boolean }) {
  const providers = useResource((s) => listProviders(s), [])
  const [open, setOpen] = useState(false)
  const [form, setForm] = useState(EMPTY)
  const [testing, setTesting] = useState<string | null>(null)
  const [results, setResults] = useState<Record<string, ProviderTestResult | { error: string }>>({})
  const [deleting, setDeleting] = useState<Provider | null>(null)
  const create = useMutation(createProvider)
  const remove = useMutation(async (id: string) => {
    await deleteProvider(id)
    return true
  })
  const toast = useToast()

  const submit = async (e: FormEvent) => {
    e.preventDefault()
    const p = await create.run({ name: form.name.trim(), kind: form.kind, base_url: form.base_url.trim() || undefined, model: form.model.trim(), api_key: form.api_key || undefined, is_default: form.is_default })
    if (!p) return
    providers.setData((prev) => ({ items: [...(prev?.items ?? []), p], next_cursor: prev?.next_cursor ?? null }))
    setOpen(false)
    setForm(EMPTY)
    toast('success', `Provider ${p.name} added`)
  }
  const test = async (id: string) => {
    setTesting(id)
    try {
      const r = await testProvider(id)
      setResults((m) => ({ ...m, [id]: r }))
    } catch (e) {
      setResults((m) => ({ ...m, [id]: { error: e instanceof Error ? e.message : String(e) } }))
    } finally {
      setTesting(null)
    }
  }
  const confirmDelete = async () => {
    if (!deleting) return
    const id = deleting.id
    if (await remove.run(id)) {
      providers.setData((prev) => ({ items: (prev?.items ?? []).filter((p) => p.id !== id), next_cursor: prev?.next_cursor ?? null }))
      setDeleting(null)
    }
  }
  const fe = create.error?.fieldErrorMap() ?? {}
  const items = providers.data?.items ?? []

  return (
    <Card>
      <CardHeader
        title="LLM providers"
        description="OpenAI-compatible endpoints (OpenAI, Azure, vLLM, Ollama, DeepSeek, Qwen…) and Anthropic. Runs that name no provider use the default one (else the first); with none here, the server’s LLM_* settings. Keys are encrypted at rest and never returned."
        actions={canEdit && <Button size="sm" variant="primary" icon={<Plus className="size-4" />} onClick={() => setOpen(true)}>Add provider</Button>}
      />
      {providers.error && <ErrorAlert error={providers.error} onRetry={providers.reload} className="m-3" />}
      {providers.loading && !providers.data ? (
        <LoadingState />
      ) : items.length === 0 && !providers.error ? (
        <EmptyState icon={<Cpu className="size-5" />} title="No providers configured" description="Add one to let agents call a model." />
      ) : (
        <ul className="divide-y divide-zinc-100">
          {items.map((p) => (
            <li key={p.id} className="flex flex-wrap items-center gap-3 px-4 py-3">
              <div className="min-w-0 flex-1">
                <p className="flex items-center gap-2 text-sm font-medium text-zinc-900">
                  {p.name}
                  <Badge tone={KIND_TONE[p.kind]}>{p.kind}</Badge>
                  {p.is_default && <Badge tone="green">default</Badge>}
                  {!p.has_api_key && <Badge>no key</Badge>}
                </p>
                <p className="truncate font-mono text-xs text-zinc-500">
                  {p.model} · {p.base_url ?? 'default endpoint'}
                </p>
                {results[p.id] && <TestResult result={results[p.id]!} />}
              </div>
              <div className="flex gap-1">
                <Button size="sm" onClick={() => test(p.id)} loading={testing === p.id} icon={<PlugZap className="size-3.5" />}>
                  Test connection
                </Button>
                {canEdit && (
                  <Button size="sm" variant="ghost" aria-label={`Delete ${p.name}`} className="text-red-600 hover:bg-red-50" onClick={() => setDeleting(p)} icon={<Trash2 className="size-3.5" />} />
                )}
              </div>
            </li>
          ))}
        </ul>
      )}
      <Dialog
        open={open}
        onClose={() => setOpen(false)}
        title="Add LLM provider"
        footer={
          <>
            <Button onClick={() => setOpen(false)}>Cancel</Button>
            <Button variant="primary" type="submit" form="new-provider" loading={create.busy} disabled={!form.name.trim() || !form.model.trim()}>
              Add provider
            </Button>
          </>
        }
      >
        <form id="new-provider" onSubmit={submit} className="space-y-4">
          {create.error && <ErrorAlert error={create.error} />}
          <div className="grid gap-4 sm:grid-cols-2">
            <Field label="Name" error={fe.name}>
              {(p) => <Input {...p} autoFocus value={form.name} onChange={(e) => setForm({ ...form, name: e.target.value })} placeholder="openai-prod" />}
            </Field>
            <Field label="Kind" error={fe.kind}>
              {(p) => (
                <Select {...p} value={form.kind} onChange={(e) => setForm({ ...form, kind: e.target.value as ProviderKind })}>
                  <option value="openai">OpenAI-compatible</option>
                  <option value="anthropic">Anthropic</option>
                  <option value="gemini">Gemini (Google’s OpenAI-compatible endpoint)</option>
                </Select>
              )}
            </Field>
          </div>
          <Field label="Base URL" hint="Leave empty for the vendor’s default endpoint." error={fe.base_url}>
            {(p) => <Input {...p} value={form.base_url} onChange={(e) => setForm({ ...form, base_url: e.target.value })} placeholder="http://localhost:11434/v1" className="font-mono" />}
          </Field>
          <Field label="Model" hint="Used by runs that name this provider without a model." error={fe.model}>
            {(p) => <Input {...p} value={form.model} onChange={(e) => setForm({ ...form, model: e.target.value })} placeholder={MODEL_EXAMPLE[form.kind]} className="font-mono" />}
          </Field>
          <Field label="API key" hint="Stored encrypted; never shown again." error={fe.api_key}>
            {(p) => <Input {...p} type="password" autoComplete="off" value={form.api_key} onChange={(e) => setForm({ ...form, api_key: e.target.value })} />}
          </Field>
          <label className="flex items-center gap-2 text-sm text-zinc-700">
            <input type="checkbox" checked={form.is_default} onChange={(e) => setForm({ ...form, is_default: e.target.checked })} className="rounded border-zinc-300 text-brand-600 focus:ring-brand-500" />
            Use for runs that name no provider (default)
          </label>
        </form>
      </Dialog>
      <Dialog
        open={!!deleting}
        onClose={() => setDeleting(null)}
        size="sm"
        title="Delete provider?"
        description={deleting ? `Runs that name “${deleting.name}” will fail until another provider is configured.` : undefined}
        footer={
          <>
            <Button onClick={() => setDeleting(null)}>Cancel</Button>
            <Button variant="danger" onClick={confirmDelete} loading={remove.busy}>
              Delete
            </Button>
          </>
        }
      >
        {remove.error && <ErrorAlert error={remove.error} />}
      </Dialog>
    </Card>
  )
}
