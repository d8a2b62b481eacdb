/** Teams: roles, groups and their members, group runs, a group's blackboard. */
import { api } from './client'
import type {
  BatchDeleted,
  BlackboardCreate,
  BlackboardEntry,
  Group,
  GroupCreate,
  GroupMember,
  GroupRunCreate,
  GroupUpdate,
  MemberCreate,
  MemberUpdate,
  Page,
  Role,
  RoleCreate,
  RoleUpdate,
  Run,
  TeamStats,
} from './types'

const role = (id: string) => `/api/roles/${encodeURIComponent(id)}`
const group = (id: string) => `/api/groups/${encodeURIComponent(id)}`

export const listRoles = (signal?: AbortSignal) => api.get<Page<Role>>('/api/roles', undefined, signal)
export const getRole = (id: string, signal?: AbortSignal) => api.get<Role>(role(id), undefined, signal)
export const createRole = (body: RoleCreate) => api.post<Role>('/api/roles', body)
export const updateRole = (id: string, body: RoleUpdate) => api.put<Role>(role(id), body)
/** A role a group seats is refused: 409, the problem names the groups. */
export const deleteRole = (id: string) => api.delete(role(id))
export const deleteRoles = (ids: string[]) => api.post<BatchDeleted>('/api/roles/batch-delete', { ids })
export const roleStats = (id: string, signal?: AbortSignal) => api.get<TeamStats>(`${role(id)}/stats`, undefined, signal)

export const listGroups = (signal?: AbortSignal) => api.get<Page<Group>>('/api/groups', undefined, signal)
export const getGroup = (id: string, signal?: AbortSignal) => api.get<Group>(group(id), undefined, signal)
export const createGroup = (body: GroupCreate) => api.post<Group>('/api/groups', body)
export const updateGroup = (id: string, body: GroupUpdate) => api.put<Group>(group(id), body)
export const deleteGroup = (id: string) => api.delete(group(id))
export const groupStats = (id: string, signal?: AbortSignal) => api.get<TeamStats>(`${group(id)}/stats`, undefined, signal)
export const listGroupRuns = (id: string, limit = 10, signal?: AbortSignal) =>
  api.get<Page<Run>>(`${group(id)}/runs`, { limit }, signal)
/** A run of kind `group`: follow it like any run (events, stream, trace). */
export const startGroupRun = (id: string, body: GroupRunCreate) => api.post<Run>(`${group(id)}/runs`, body)

export const addMember = (groupId: string, body: MemberCreate) => api.post<GroupMember>(`${group(groupId)}/members`, body)
export const updateMember = (groupId: string, memberId: string, body: MemberUpdate) =>
  api.put<GroupMember>(`${group(groupId)}/members/${encodeURIComponent(memberId)}`, body)
export const removeMember = (groupId: string, memberId: string) =>
  api.delete(`${group(groupId)}/members/${encodeURIComponent(memberId)}`)

/** Newest first; with `q`, hybrid search within the group's entries, best first (one page). */
export const listBlackboard = (groupId: string, opts: { q?: string; limit?: number; cursor?: string | null } = {}, signal?: AbortSignal) =>
  api.get<Page<BlackboardEntry>>(`${group(groupId)}/blackboard`, opts, signal)
export const getBlackboardEntry = (groupId: string, id: string, signal?: AbortSignal) =>
  api.get<BlackboardEntry>(`${group(groupId)}/blackboard/${encodeURIComponent(id)}`, undefined, signal)
export const postBlackboard = (groupId: string, body: BlackboardCreate) =>
  api.post<BlackboardEntry>(`${group(groupId)}/blackboard`, body)
