import type { ReactNode } from 'react'
import type { WaitReason } from '@/api/types'
import { cn } from '@/lib/cn'

export type Tone = 'neutral' | 'brand' | 'green' | 'amber' | 'red' | 'blue' | 'violet'

const TONES: Record<Tone, string> = {
  neutral: 'bg-zinc-100 text-zinc-700 ring-zinc-500/15',
  brand: 'bg-brand-50 text-brand-700 ring-brand-500/20',
  green: 'bg-emerald-50 text-emerald-700 ring-emerald-600/20',
  amber: 'bg-amber-50 text-amber-800 ring-amber-600/25',
  red: 'bg-red-50 text-red-700 ring-red-600/20',
  blue: 'bg-sky-50 text-sky-700 ring-sky-600/20',
  violet: 'bg-violet-50 text-violet-700 ring-violet-600/20',
}
const DOTS: Record<Tone, string> = {
  neutral: 'bg-zinc-400',
  brand: 'bg-brand-500',
  green: 'bg-emerald-500',
  amber: 'bg-amber-500',
  red: 'bg-red-500',
  blue: 'bg-sky-500',
  violet: 'bg-violet-500',
}

export function Badge({ tone = 'neutral', dot, pulse, children, className }: { tone?: Tone; dot?: boolean; pulse?: boolean; children: ReactNode; className?: string }) {
  return (
    <span className={cn('inline-flex items-center gap-1.5 rounded-full px-2 py-0.5 text-xs font-medium whitespace-nowrap ring-1 ring-inset', TONES[tone], className)}>
      {dot && (
        <span className="relative flex size-1.5">
          {pulse && <span className={cn('absolute inline-flex size-full animate-ping rounded-full opacity-75', DOTS[tone])} />}
          <span className={cn('relative inline-flex size-1.5 rounded-full', DOTS[tone])} />
        </span>
      )}
      {children}
    </span>
  )
}

const STATUS_TONES: Record<string, Tone> = {
  pending: 'neutral',
  queued: 'neutral',
  running: 'blue',
  working: 'blue',
  waiting: 'amber',
  completed: 'green',
  done: 'green',
  succeeded: 'green',
  ok: 'green',
  approved: 'green',
  active: 'green',
  failed: 'red',
  error: 'red',
  rejected: 'red',
  revoked: 'red',
  blocked: 'red',
  cancelled: 'neutral',
  disabled: 'neutral',
  awaiting_approval: 'amber',
  idle: 'neutral',
}

/** Status pill for runs, tool calls, approvals and keys. */
export function StatusBadge({ status, className }: { status: string; className?: string }) {
  const tone = STATUS_TONES[status] ?? 'neutral'
  const live = status === 'running' || status === 'working' || status === 'waiting' || status === 'awaiting_approval'
  return (
    <Badge tone={tone} dot pulse={live} className={className}>
      {status.replace(/_/g, ' ')}
    </Badge>
  )
}

const WAITING_ON: Record<WaitReason, string> = {
  approval: 'for approval',
  children: 'for sub-agents',
  input: 'for input',
}

/** A run's status; a waiting run also says on what (`Run.wait_reason`). */
export function RunStatusBadge({ status, waitReason, className }: { status: string; waitReason?: WaitReason | null; className?: string }) {
  const on = status === 'waiting' && waitReason ? WAITING_ON[waitReason] : null
  if (!on) return <StatusBadge status={status} className={className} />
  return (
    <span className="inline-flex items-center gap-1.5" title={`wait_reason: ${waitReason}`}>
      <StatusBadge status={status} className={className} />
      <span className="text-xs whitespace-nowrap text-amber-700" data-testid="wait-reason">
        {on}
      </span>
    </span>
  )
}
