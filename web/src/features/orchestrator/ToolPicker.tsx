import { listTools } from '@/api/tools'
import { Badge } from '@/components/ui/Badge'
import { ErrorAlert, LoadingState } from '@/components/ui/States'
import { useResource } from '@/hooks/useResource'

const RISK_TONE = { low: 'neutral', medium: 'amber', high: 'red' } as const

/** The tools a role may use (GET /api/tools); none checked means the platform's defaults. */
export function ToolPicker({ value, onChange, enabled }: { value: string[]; onChange: (tools: string[]) => void; enabled: boolean }) {
  const tools = useResource((s) => listTools(s), [], { enabled })
  const toggle = (name: string, on: boolean) => onChange(on ? [...value.filter((x) => x !== name), name] : value.filter((x) => x !== name))
  return (
    <fieldset>
      <legend className="text-sm font-medium text-zinc-800">Tools</legend>
      <p className="mt-0.5 text-xs text-zinc-500">None checked: the platform’s default set. In a team, members also get the blackboard tools.</p>
      {tools.error && <ErrorAlert error={tools.error} onRetry={tools.reload} className="mt-2" />}
      {tools.loading && !tools.data ? (
        <LoadingState label="Loading tools…" />
      ) : (
        <ul className="mt-2 max-h-56 divide-y divide-zinc-100 overflow-y-auto rounded-md ring-1 ring-zinc-200">
          {(tools.data?.items ?? []).map((t) => (
            <li key={t.name}>
              <label className="flex cursor-pointer items-start gap-3 px-3 py-2 hover:bg-zinc-50">
                <input type="checkbox" checked={value.includes(t.name)} onChange={(e) => toggle(t.name, e.target.checked)} className="mt-0.5 rounded border-zinc-300 text-brand-600 focus:ring-brand-500" />
                <span className="min-w-0 flex-1">
                  <span className="flex flex-wrap items-center gap-1.5">
                    <span className="font-mono text-sm text-zinc-900">{t.name}</span>
                    {t.risk !== 'low' && <Badge tone={RISK_TONE[t.risk]}>{t.risk} risk</Badge>}
                  </span>
                  <span className="block text-xs text-zinc-500">{t.description}</span>
                </span>
              </label>
            </li>
          ))}
        </ul>
      )}
    </fieldset>
  )
}
