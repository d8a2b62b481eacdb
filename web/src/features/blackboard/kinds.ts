import type { BlackboardKind } from '@/api/types'
import type { Tone } from '@/components/ui/Badge'

/** Each kind's badge; `run` entries are the ones group runs write about themselves. */
export const KIND_INFO: Record<BlackboardKind, { tone: Tone; dot: string; label: string }> = {
  note: { tone: 'neutral', dot: 'bg-zinc-400', label: 'note' },
  evidence: { tone: 'green', dot: 'bg-emerald-500', label: 'evidence' },
  decision: { tone: 'amber', dot: 'bg-amber-500', label: 'decision' },
  question: { tone: 'blue', dot: 'bg-sky-500', label: 'question' },
  run: { tone: 'violet', dot: 'bg-violet-500', label: 'team run' },
}

/** A kind the UI does not know yet shows as a plain note. */
export const kindInfo = (kind: string) => KIND_INFO[kind as BlackboardKind] ?? { ...KIND_INFO.note, label: kind }
