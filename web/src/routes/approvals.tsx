import { useState } from 'react'
import { RefreshCw, ShieldCheck } from 'lucide-react'
import { listApprovals } from '@/api/approvals'
import type { ApprovalStatus } from '@/api/types'
import { Button } from '@/components/ui/Button'
import { PageHeader } from '@/components/ui/Card'
import { EmptyState, ErrorAlert, LoadingState } from '@/components/ui/States'
import { Tabs } from '@/components/ui/Tabs'
import { useToast } from '@/components/ui/Toast'
import { ApprovalCard } from '@/features/approvals/ApprovalCard'
import { useInterval, useResource } from '@/hooks/useResource'

const POLL_MS = 10_000

export function ApprovalsRoute() {
  const [tab, setTab] = useState<ApprovalStatus>('pending')
  const list = useResource((s) => listApprovals(tab, s), [tab])
  const toast = useToast()
  useInterval(list.reload, tab === 'pending' ? POLL_MS : null)
  const items = list.data?.items ?? []

  return (
    <div className="mx-auto max-w-4xl px-4 py-6 sm:px-6">
      <PageHeader
        title="Approvals"
        description="Tool calls held by policy until someone decides. The run waits — even across restarts."
        actions={
          <Button onClick={list.reload} icon={<RefreshCw className="size-4" />} loading={list.loading && !!list.data}>
            Refresh
          </Button>
        }
      />
      <Tabs
        label="Approval status"
        className="mb-4"
        value={tab}
        onChange={setTab}
        items={[
          { value: 'pending', label: 'Pending', count: tab === 'pending' ? items.length : undefined },
          { value: 'approved', label: 'Approved' },
          { value: 'rejected', label: 'Rejected' },
        ]}
      />
      {list.error && <ErrorAlert error={list.error} onRetry={list.reload} className="mb-4" />}
      {list.loading && !list.data ? (
        <LoadingState />
      ) : items.length === 0 && !list.error ? (
        <EmptyState icon={<ShieldCheck className="size-5" />} title={tab === 'pending' ? 'Inbox zero' : `No ${tab} approvals`} description={tab === 'pending' ? 'No tool call is waiting for a decision.' : undefined} />
      ) : (
        <div className="space-y-4">
          {items.map((a) => (
            <ApprovalCard
              key={a.id}
              approval={a}
              onDecided={(d) => {
                toast('success', `${d.tool_name} ${d.status}`)
                list.setData((prev) => ({ items: (prev?.items ?? []).filter((x) => x.id !== d.id), next_cursor: prev?.next_cursor ?? null }))
              }}
            />
          ))}
        </div>
      )}
    </div>
  )
}
