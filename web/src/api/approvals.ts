import { api } from './client'
import type { Approval, ApprovalStatus, Page } from './types'

export const listApprovals = (status: ApprovalStatus = 'pending', signal?: AbortSignal) =>
  api.get<Page<Approval>>('/api/approvals', { status, limit: 100 }, signal)

export const decideApproval = (id: string, decision: 'approve' | 'reject', comment?: string) =>
  api.post<Approval>(`/api/approvals/${encodeURIComponent(id)}/${decision}`, {
    comment: comment || undefined,
  })
