import type { Orchestrator } from '@/api/types'

/** How each orchestrator runs a team (the backend's `orchestration/orchestrators.py`). */
export const ORCHESTRATOR_INFO: Record<Orchestrator, { label: string; hint: string }> = {
  serial: { label: 'Serial', hint: 'Members in order, each seeing what came before; then the lead decides.' },
  parallel: { label: 'Parallel', hint: 'Members at once, then the lead decides.' },
  lead_directed: { label: 'Lead-directed', hint: 'The lead assigns tasks round by round until it decides (or the round limit).' },
}
