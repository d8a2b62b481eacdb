/**
 * Wire types of the public HTTP API, written by hand from docs/api-contract-draft.md.
 *
 * This is the ONLY file that defines API types: everything else imports from here.
 * Once the backend writes ../openapi.json, `npm run gen:api` produces schema.gen.ts and
 * this file becomes a list of aliases, e.g.
 *   import type { components } from './schema.gen'
 *   export type Run = components['schemas']['Run']
 * Nothing else has to change.
 */

export type Json = null | boolean | number | string | Json[] | { [key: string]: Json }

// ---- envelopes & errors -------------------------------------------------------------

export interface Page<T> {
  items: T[]
  next_cursor: string | null
}

export interface FieldError {
  loc: (string | number)[]
  msg: string
  type: string
}

/** RFC 9457 problem details, as every 4xx/5xx answers. */
export interface ProblemDetails {
  type?: string
  title: string
  status: number
  detail?: string | null
  errors?: FieldError[]
  request_id?: string
}

// ---- foundation ---------------------------------------------------------------------

export interface LoginRequest {
  username: string
  password: string
}
export interface TokenResponse {
  access_token: string
  token_type: 'bearer'
  expires_in: number
}

export type OrgRole = 'owner' | 'admin' | 'member' | 'viewer'
export const ORG_ROLES: OrgRole[] = ['owner', 'admin', 'member', 'viewer']

export interface User {
  id: string
  username: string
  display_name: string | null
}
export interface Org {
  id: string
  name: string
  slug: string
}
export interface Project {
  id: string
  org_id: string
  name: string
  slug: string
  description: string | null
  created_at: string
}
export interface Me {
  user: User
  org: Org
  role: OrgRole
  project: Project | null
  orgs: (Org & { role: OrgRole })[]
}
export interface ProjectCreate {
  name: string
  slug?: string
  description?: string
}

export interface Member {
  user_id: string
  username: string
  display_name: string | null
  role: OrgRole
  created_at: string
}
export interface UserCreate {
  username: string
  password: string
  display_name?: string
  role: OrgRole
}

export type ApiKeyStatus = 'active' | 'disabled' | 'revoked'
export interface ApiKey {
  id: string
  name: string
  prefix: string
  status: ApiKeyStatus
  project_id: string | null
  created_at: string
  last_used_at: string | null
}
/** Only the create answer carries the secret, once. */
export interface ApiKeyCreated extends ApiKey {
  key: string
}
export interface ApiKeyCreate {
  name: string
  project_id?: string
}

// ---- runs ---------------------------------------------------------------------------

export type RunKind = 'agent' | 'group' | 'workflow' | 'external'
export type RunStatus =
  | 'pending'
  | 'queued'
  | 'running'
  | 'waiting'
  | 'completed'
  | 'failed'
  | 'cancelled'
export const RUN_STATUSES: RunStatus[] = [
  'pending',
  'queued',
  'running',
  'waiting',
  'completed',
  'failed',
  'cancelled',
]

export interface Usage {
  prompt_tokens: number
  completion_tokens: number
  total_tokens: number
  cost_usd: number | null
}

export interface Run {
  run_id: string
  id: string
  kind: RunKind
  status: RunStatus
  session_key: string | null
  input: Json
  output: Json
  error: Json
  model: string | null
  agent_id: string | null
  parent_run_id: string | null
  project_id: string | null
  created_at: string
  started_at: string | null
  finished_at: string | null
  steps: number | null
  usage: Usage | null
  metadata: Record<string, Json> | null
}

export interface RunCreate {
  input: string | { text: string }
  session_key?: string
  role_id?: string
  model?: string
  provider?: string
  system_prompt?: string
  tools?: string[]
  max_steps?: number
  metadata?: Record<string, Json>
}

export interface RunFilters {
  status?: RunStatus | ''
  session_key?: string
  kind?: RunKind | ''
  parent_run_id?: string
  limit?: number
  cursor?: string | null
}

export interface SessionRunsPage {
  items: Run[]
  total: number
  page: number
  limit: number
}

export interface RunEvent {
  seq: number
  type: string
  ts: string
  agent_id: string | null
  step: number | null
  span_id: string | null
  parent_span_id: string | null
  payload: Record<string, unknown>
}

export interface EventsPage {
  events: RunEvent[]
  next_cursor: string | null
}

export const TERMINAL_EVENT_TYPES = ['run.completed', 'run.failed', 'run.cancelled'] as const

// ---- approvals ----------------------------------------------------------------------

export type ApprovalStatus = 'pending' | 'approved' | 'rejected'
export interface Approval {
  id: string
  run_id: string
  tool_name: string
  arguments: Json
  risk: string | null
  status: ApprovalStatus
  comment: string | null
  created_at: string
  decided_at: string | null
}

// ---- providers ----------------------------------------------------------------------

export type ProviderKind = 'openai' | 'anthropic'
export interface Provider {
  id: string
  name: string
  kind: ProviderKind
  base_url: string | null
  model: string | null
  has_api_key: boolean
  created_at: string
}
export interface ProviderCreate {
  name: string
  kind: ProviderKind
  base_url?: string
  model?: string
  api_key?: string
}
export interface ProviderTestResult {
  ok: boolean
  detail: string | null
  latency_ms: number | null
}

// ---- memory -------------------------------------------------------------------------

export type MemoryTier = 'core' | 'episodic' | 'archival'
export const MEMORY_TIERS: MemoryTier[] = ['core', 'episodic', 'archival']

export interface Memory {
  id: string
  tier: MemoryTier
  title: string
  content: string
  tags: string[] | null
  metadata: Record<string, Json> | null
  group_id: string | null
  agent_id: string | null
  session_key: string | null
  importance: number | null
  created_at: string
  updated_at?: string | null
}

export interface MemorySearchRequest {
  query: string
  tiers?: MemoryTier[]
  filters?: Record<string, Json>
  top_k?: number
}
export interface MemorySearchResult {
  memory_id: string
  title: string
  tier: MemoryTier
  snippet: string
  score: number
  scores: { vector: number | null; text: number | null; rrf: number | null }
}
export interface MemorySearchResponse {
  results: MemorySearchResult[]
}
export interface IngestItem {
  memory_id: string
  filename: string
  chunks: number
  status: 'created' | 'unchanged' | 'replaced'
}
export interface IngestResponse {
  items: IngestItem[]
}
