import { useState, type FormEvent } from 'react'
import { useNavigate } from 'react-router'
import { Play } from 'lucide-react'
import { startGroupRun } from '@/api/teams'
import { ORCHESTRATORS, type Group, type Orchestrator } from '@/api/types'
import { Button } from '@/components/ui/Button'
import { Field, Select, Textarea } from '@/components/ui/Input'
import { ErrorAlert } from '@/components/ui/States'
import { useMutation } from '@/hooks/useMutation'
import { ORCHESTRATOR_INFO } from './orchestrators'

/** Start a group run (`POST /api/groups/{id}/runs`) and follow it on its trace page. */
export function RunTeamForm({ group }: { group: Group }) {
  const [input, setInput] = useState('')
  const [orchestrator, setOrchestrator] = useState<Orchestrator | ''>('')
  const navigate = useNavigate()
  const start = useMutation(() => startGroupRun(group.id, { input: input.trim(), orchestrator: orchestrator || null }))
  const submit = async (e: FormEvent) => {
    e.preventDefault()
    const run = await start.run()
    if (run) navigate(`/trace/${encodeURIComponent(run.run_id)}`)
  }
  const empty = group.members.length === 0
  const chosen = orchestrator || group.orchestrator
  return (
    <form onSubmit={submit} className="space-y-3 p-4" aria-label="Run the team">
      {start.error && <ErrorAlert error={start.error} />}
      <Field label="Task" hint={empty ? 'Add members first.' : 'The team works on it together; you follow it live on the run’s trace.'}>
        {(p) => (
          <Textarea
            {...p}
            rows={3}
            value={input}
            onChange={(e) => setInput(e.target.value)}
            onKeyDown={(e) => {
              if (e.key === 'Enter' && (e.metaKey || e.ctrlKey)) e.currentTarget.form?.requestSubmit()
            }}
            placeholder="Should we adopt the new release process?"
          />
        )}
      </Field>
      <div className="flex flex-wrap items-end gap-3">
        <Field label="Orchestrator" className="w-60">
          {(p) => (
            <Select {...p} value={orchestrator} onChange={(e) => setOrchestrator(e.target.value as Orchestrator | '')} aria-describedby="run-team-orchestrator-hint">
              <option value="">Group’s ({ORCHESTRATOR_INFO[group.orchestrator].label})</option>
              {ORCHESTRATORS.map((o) => (
                <option key={o} value={o}>
                  {ORCHESTRATOR_INFO[o].label}
                </option>
              ))}
            </Select>
          )}
        </Field>
        <div className="flex-1" />
        <Button type="submit" variant="primary" loading={start.busy} disabled={empty || !input.trim()} icon={<Play className="size-4" />}>
          Run the team
        </Button>
      </div>
      <p id="run-team-orchestrator-hint" className="text-xs text-zinc-500">
        {ORCHESTRATOR_INFO[chosen].hint}
      </p>
    </form>
  )
}
