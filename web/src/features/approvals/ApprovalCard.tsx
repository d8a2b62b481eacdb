import { useState } from 'react'
import { Link } from 'react-router'
import { Check, ExternalLink, Wrench, X } from 'lucide-react'
import { decideApproval } from '@/api/approvals'
import type { Approval } from '@/api/types'
import { Badge, StatusBadge } from '@/components/ui/Badge'
import { Button } from '@/components/ui/Button'
import { Card } from '@/components/ui/Card'
import { Textarea } from '@/components/ui/Input'
import { JsonView } from '@/components/ui/JsonView'
import { ErrorAlert } from '@/components/ui/States'
import { formatDateTime, formatRelative } from '@/lib/format'

const RISK_TONE = { high: 'red', medium: 'amber', low: 'green' } as const

export function ApprovalCard({ approval, onDecided }: { approval: Approval; onDecided: (a: Approval) => void }) {
  const [comment, setComment] = useState('')
  const [busy, setBusy] = useState<'approve' | 'reject' | null>(null)
  const [error, setError] = useState<unknown>(null)
  const pending = approval.status === 'pending'

  const decide = async (d: 'approve' | 'reject') => {
    setBusy(d)
    setError(null)
    try {
      onDecided(await decideApproval(approval.id, d, comment.trim()))
    } catch (e) {
      setError(e)
    } finally {
      setBusy(null)
    }
  }

  return (
    <Card className="overflow-hidden">
      <div className="flex flex-wrap items-center gap-2 border-b border-zinc-100 px-4 py-3">
        <Wrench className="size-4 text-zinc-400" />
        <span className="font-mono text-sm font-semibold text-zinc-900">{approval.tool_name}</span>
        <Badge tone={RISK_TONE[approval.risk as keyof typeof RISK_TONE] ?? 'neutral'}>{approval.risk} risk</Badge>
        {!pending && <StatusBadge status={approval.status} />}
        <span className="ml-auto text-xs text-zinc-400" title={formatDateTime(approval.created_at)}>
          {formatRelative(approval.created_at)}
        </span>
      </div>
      <div className="space-y-3 px-4 py-3">
        <div className="flex flex-wrap items-center gap-x-4 gap-y-1 text-xs text-zinc-500">
          <span>
            Run{' '}
            <Link to={`/trace/${approval.run_id}`} className="inline-flex items-center gap-0.5 font-mono font-medium text-brand-600 hover:text-brand-700">
              {approval.run_id} <ExternalLink className="size-3" />
            </Link>
          </span>
          <span className="font-mono">{approval.id}</span>
        </div>
        {approval.reason && <p className="text-sm text-zinc-600">{approval.reason}</p>}
        <div>
          <h3 className="mb-1 text-xs font-medium tracking-wide text-zinc-500 uppercase">Arguments</h3>
          <JsonView value={approval.arguments} maxHeight="max-h-72" />
        </div>
        {!pending && (
          <p className="text-sm text-zinc-600">
            {approval.status === 'approved' ? 'Approved' : 'Rejected'} {formatRelative(approval.decided_at)}
            {approval.comment && <> — “{approval.comment}”</>}
          </p>
        )}
        {pending && (
          <form
            className="space-y-2"
            onSubmit={(e) => {
              e.preventDefault()
              void decide('approve')
            }}
          >
            <ErrorAlert error={error} />
            <Textarea rows={2} placeholder="Comment (optional, recorded with the decision)" aria-label={`Comment for ${approval.id}`} value={comment} onChange={(e) => setComment(e.target.value)} />
            <div className="flex justify-end gap-2">
              <Button variant="outline-danger" loading={busy === 'reject'} disabled={!!busy} onClick={() => decide('reject')} icon={<X className="size-4" />}>
                Reject
              </Button>
              <Button type="submit" variant="primary" loading={busy === 'approve'} disabled={!!busy} icon={<Check className="size-4" />}>
                Approve
              </Button>
            </div>
          </form>
        )}
      </div>
    </Card>
  )
}
