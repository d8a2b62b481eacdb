import { api } from './client'
import type { Page, ToolInfo, ToolPolicy, ToolPolicyCreate } from './types'

export const listTools = (signal?: AbortSignal) => api.get<Page<ToolInfo>>('/api/tools', undefined, signal)

export const listToolPolicies = (signal?: AbortSignal) =>
  api.get<Page<ToolPolicy>>('/api/tool-policies', undefined, signal)
export const createToolPolicy = (body: ToolPolicyCreate) => api.post<ToolPolicy>('/api/tool-policies', body)
export const deleteToolPolicy = (id: string) => api.delete(`/api/tool-policies/${encodeURIComponent(id)}`)
