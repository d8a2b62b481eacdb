import { useState } from 'react'
import { Link } from 'react-router'
import { Check, ChevronRight, ShieldAlert, Wrench, X } from 'lucide-react'
import { decideApproval } from '@/api/approvals'
import { Button } from '@/components/ui/Button'
import { StatusBadge } from '@/components/ui/Badge'
import { JsonView } from '@/components/ui/JsonView'
import { ErrorAlert } from '@/components/ui/States'
import { cn } from '@/lib/cn'
import type { ToolCallView } from '@/lib/eventReducer'
import { formatDuration, preview } from '@/lib/format'

/** One tool call, collapsed to a line; expands to arguments and result. */
export function ToolCallCard({ call }: { call: ToolCallView }) {
  const needsDecision = call.approval === 'pending'
  const [open, setOpen] = useState(needsDecision)
  return (
    <div className={cn('overflow-hidden rounded-lg border bg-white', needsDecision ? 'border-amber-300 ring-2 ring-amber-100' : 'border-zinc-200')}>
      <button
        type="button"
        onClick={() => setOpen((o) => !o)}
        aria-expanded={open}
        className="flex w-full items-center gap-2 px-3 py-2 text-left text-sm hover:bg-zinc-50"
      >
        <ChevronRight className={cn('size-4 shrink-0 text-zinc-400 transition-transform', open && 'rotate-90')} />
        <Wrench className="size-3.5 shrink-0 text-zinc-400" />
        <span className="font-mono text-[13px] font-medium text-zinc-800">{call.name}</span>
        <span className="min-w-0 flex-1 truncate font-mono text-xs text-zinc-400">{preview(call.arguments, 80)}</span>
        {call.durationMs != null && <span className="hidden text-xs text-zinc-400 sm:inline">{formatDuration(call.durationMs)}</span>}
        <StatusBadge status={call.status} />
      </button>
      {open && (
        <div className="space-y-3 border-t border-zinc-100 px-3 py-3">
          <section>
            <h4 className="mb-1 text-xs font-medium tracking-wide text-zinc-500 uppercase">Arguments</h4>
            <JsonView value={call.arguments} maxHeight="max-h-60" />
          </section>
          {call.result !== undefined && (
            <section>
              <h4 className={cn('mb-1 text-xs font-medium tracking-wide uppercase', call.isError ? 'text-red-600' : 'text-zinc-500')}>{call.isError ? 'Error' : 'Result'}</h4>
              <JsonView value={call.result} maxHeight="max-h-60" className={call.isError ? 'border-red-200 bg-red-50/50' : undefined} />
            </section>
          )}
          {call.status === 'blocked' && (
            <p className="flex items-center gap-1.5 text-sm text-red-700">
              <ShieldAlert className="size-4" /> Blocked by policy{call.reason ? `: ${call.reason}` : ''}
            </p>
          )}
          {call.approval && call.approval !== 'pending' && (
            <p className="text-sm text-zinc-600">
              {call.approval === 'approved' ? 'Approved' : 'Rejected'}
              {call.approvalComment ? ` — “${call.approvalComment}”` : ''}
            </p>
          )}
          {needsDecision && call.approvalId && <InlineApproval approvalId={call.approvalId} />}
        </div>
      )}
    </div>
  )
}

function InlineApproval({ approvalId }: { approvalId: string }) {
  const [comment, setComment] = useState('')
  const [busy, setBusy] = useState<'approve' | 'reject' | null>(null)
  const [error, setError] = useState<unknown>(null)
  const decide = async (d: 'approve' | 'reject') => {
    setBusy(d)
    setError(null)
    try {
      await decideApproval(approvalId, d, comment)
    } catch (e) {
      setError(e)
    } finally {
      setBusy(null)
    }
  }
  return (
    <div className="rounded-md bg-amber-50 p-3">
      <p className="mb-2 flex items-center gap-1.5 text-sm font-medium text-amber-900">
        <ShieldAlert className="size-4" /> This tool call needs approval.
        <Link to="/approvals" className="ml-auto text-xs font-normal text-amber-800 underline">
          Open inbox
        </Link>
      </p>
      <ErrorAlert error={error} className="mb-2" />
      <div className="flex flex-col gap-2 sm:flex-row">
        <input
          value={comment}
          onChange={(e) => setComment(e.target.value)}
          placeholder="Comment (optional)"
          aria-label="Approval comment"
          className="h-8 min-w-0 flex-1 rounded-md border-0 px-2.5 text-sm ring-1 ring-amber-300 ring-inset focus:ring-2 focus:ring-brand-500 focus:outline-none"
        />
        <div className="flex gap-2">
          <Button size="sm" variant="primary" loading={busy === 'approve'} disabled={!!busy} icon={<Check className="size-3.5" />} onClick={() => decide('approve')}>
            Approve
          </Button>
          <Button size="sm" variant="outline-danger" loading={busy === 'reject'} disabled={!!busy} icon={<X className="size-3.5" />} onClick={() => decide('reject')}>
            Reject
          </Button>
        </div>
      </div>
    </div>
  )
}
