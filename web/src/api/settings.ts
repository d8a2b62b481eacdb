/** Org administration: the org itself, projects, members, API keys, LLM providers. */
import { api } from './client'
import type {
  ApiKey,
  ApiKeyCreate,
  ApiKeyCreated,
  ApiKeyStatus,
  Member,
  Org,
  OrgRole,
  OrgUpdate,
  Page,
  Project,
  ProjectCreate,
  Provider,
  ProviderCreate,
  ProviderTestResult,
  UserCreate,
} from './types'

export const getOrg = (id: string, signal?: AbortSignal) =>
  api.get<Org>(`/api/orgs/${encodeURIComponent(id)}`, undefined, signal)
export const updateOrg = (id: string, body: OrgUpdate) => api.patch<Org>(`/api/orgs/${encodeURIComponent(id)}`, body)

export const listProjects = (signal?: AbortSignal) =>
  api.get<Page<Project>>('/api/projects', { limit: 100 }, signal)
export const createProject = (body: ProjectCreate) => api.post<Project>('/api/projects', body)

export const listMembers = (signal?: AbortSignal) =>
  api.get<Page<Member>>('/api/members', { limit: 100 }, signal)
export const createUser = (body: UserCreate) => api.post<Member>('/api/users', body)
export const changeMemberRole = (userId: string, role: OrgRole) =>
  api.patch<Member>(`/api/members/${encodeURIComponent(userId)}`, { role })

export const listApiKeys = (signal?: AbortSignal) =>
  api.get<Page<ApiKey>>('/api/keys', { limit: 100 }, signal)
export const createApiKey = (body: ApiKeyCreate) => api.post<ApiKeyCreated>('/api/keys', body)
export const setApiKeyStatus = (id: string, status: Exclude<ApiKeyStatus, 'revoked'>) =>
  api.patch<ApiKey>(`/api/keys/${encodeURIComponent(id)}`, { status })
export const revokeApiKey = (id: string) =>
  api.post<ApiKey>(`/api/keys/${encodeURIComponent(id)}/revoke`)

export const listProviders = (signal?: AbortSignal) =>
  api.get<Page<Provider>>('/api/providers', { limit: 100 }, signal)
export const createProvider = (body: ProviderCreate) => api.post<Provider>('/api/providers', body)
export const deleteProvider = (id: string) =>
  api.delete(`/api/providers/${encodeURIComponent(id)}`)
export const testProvider = (id: string) =>
  api.post<ProviderTestResult>(`/api/providers/${encodeURIComponent(id)}/test`)
