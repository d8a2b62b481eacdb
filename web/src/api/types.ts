/**
 * Wire types of the public HTTP API: aliases of the types generated from the backend's
 * OpenAPI document (`make client` → schema.gen.ts; a test fails when it is stale).
 *
 * This is the ONLY file the rest of the UI imports API types from. What the OpenAPI
 * document does not describe is written here by hand and says so:
 *   - problem details (every error answers RFC 9457, the document only lists FastAPI's
 *     default 422 shape),
 *   - request bodies are the generated ones with server-side defaults made optional
 *     (openapi-typescript marks fields with a default as required).
 */
import type { components } from './schema.gen'

type Schemas = components['schemas']
/** `T` with the keys `K` optional: request bodies whose fields have server defaults. */
type WithDefaults<T, K extends keyof T> = Omit<T, K> & Partial<Pick<T, K>>

export type Json = null | boolean | number | string | Json[] | { [key: string]: Json }

// ---- envelopes & errors -------------------------------------------------------------

/** The list envelope of every `Page_X_` schema. */
export interface Page<T> {
  items: T[]
  next_cursor?: string | null
}

/** One entry of a problem's `errors[]` (hand-written: not in the OpenAPI document). */
export interface FieldError {
  loc: (string | number)[]
  /** `loc` joined with dots, e.g. `body.name`. */
  field?: string
  msg: string
  type: string
}

/** RFC 9457 problem details, as every 4xx/5xx answers (hand-written, see above). */
export interface ProblemDetails {
  type?: string
  title: string
  status: number
  detail?: string | null
  errors?: FieldError[]
  request_id?: string | null
}

// ---- foundation ---------------------------------------------------------------------

export type LoginRequest = Schemas['LoginRequest']
export type TokenResponse = Schemas['TokenResponse']

export type OrgRole = Schemas['Member']['role']
export const ORG_ROLES = ['owner', 'admin', 'member', 'viewer'] as const satisfies readonly OrgRole[]

export type User = Schemas['UserPublic']
export type Org = Schemas['Org']
export type OrgMembership = Schemas['OrgMembership']
export type OrgUpdate = Schemas['OrgUpdate']
export type Project = Schemas['Project']
export type Me = Schemas['Me']
export type ProjectCreate = WithDefaults<Schemas['ProjectCreate'], 'description'>

export type Member = Schemas['Member']
export type UserCreate = WithDefaults<Schemas['UserCreate'], 'display_name' | 'role'>

export type ApiKeyStatus = Schemas['ApiKey']['status']
export type ApiKey = Schemas['ApiKey']
/** Only the create answer carries the secret, once. */
export type ApiKeyCreated = Schemas['ApiKeyCreated']
export type ApiKeyCreate = WithDefaults<Schemas['ApiKeyCreate'], 'role'>

export type AuditEntry = Schemas['AuditEntry']
export type Ready = Schemas['Ready']

// ---- runs ---------------------------------------------------------------------------

export type Run = Schemas['Run']
export type RunKind = Run['kind']
export type RunStatus = Run['status']
export const RUN_STATUSES = [
  'pending',
  'queued',
  'running',
  'waiting',
  'completed',
  'failed',
  'cancelled',
] as const satisfies readonly RunStatus[]

export type Usage = Schemas['Usage']
export type RunCreate = WithDefaults<Schemas['RunCreate'], 'agent_id' | 'stream' | 'metadata'>

export interface RunFilters {
  status?: RunStatus | ''
  session_key?: string
  kind?: RunKind | ''
  parent_run_id?: string
  limit?: number
  cursor?: string | null
}

export type SessionRunsPage = Schemas['SessionRuns']
/** Why a `waiting` run waits: a tool call's approval, its child runs, or user input. */
export type WaitReason = NonNullable<Run['wait_reason']>

// ---- run events: one discriminated union, generated from the backend's models ---------

/** Any event of a run's log (GET /events pages, and each SSE message's `data:`). */
export type RunEvent = Schemas['RunEvent']
export type RunEventType = RunEvent['type']
/** The union member of one type: `EventOf<'tool.called'>['payload']['tool_call_id']`. */
export type EventOf<T extends RunEventType> = Extract<RunEvent, { type: T }>
export type EventPayload<T extends RunEventType> = EventOf<T>['payload']
/** A child run as `run.children_started` names it, and as `run.children_completed` ends it. */
export type ChildRef = Schemas['ChildRef']
export type ChildOutcome = Schemas['ChildOutcome']
export type EventsPage = Schemas['EventPage']
/** A member's state in a group run, as `message.status` reports it. */
export type MemberStatus = EventPayload<'message.status'>['status']

export const TERMINAL_EVENT_TYPES = ['run.completed', 'run.failed', 'run.cancelled'] as const satisfies readonly RunEventType[]

// ---- trace: spans derived on the server (GET /api/runs/{id}/trace) --------------------

export type Trace = Schemas['Trace']
export type TraceSpan = Schemas['Span']
export type SpanKind = TraceSpan['kind']
export type SpanStatus = TraceSpan['status']

// ---- approvals, tools ---------------------------------------------------------------

export type Approval = Schemas['Approval']
export type ApprovalStatus = Approval['status']
export type ApprovalDecision = Schemas['ApprovalDecision']

export type ToolInfo = Schemas['ToolInfo']
export type ToolPolicy = Schemas['ToolPolicy']
export type ToolPolicyCreate = WithDefaults<Schemas['ToolPolicyCreate'], 'priority'>

// ---- providers ----------------------------------------------------------------------

export type Provider = Schemas['Provider']
export type ProviderKind = Provider['kind']
export type ProviderCreate = WithDefaults<Schemas['ProviderCreate'], 'is_default'>
export type ProviderTestResult = Schemas['ProviderTest']

// ---- memory -------------------------------------------------------------------------

export type Memory = Schemas['Memory']
export type MemoryTier = Memory['tier']
export const MEMORY_TIERS: MemoryTier[] = ['core', 'episodic', 'archival']
export type MemoryCreate = Schemas['MemoryCreate']
export type MemorySearchRequest = WithDefaults<Schemas['MemorySearch'], 'mode' | 'top_k'>
export type MemorySearchResult = Schemas['MemorySearchResult']
export type MemorySearchResponse = Schemas['MemorySearchResponse']
export type IngestItem = Schemas['IngestItem']
export type IngestResponse = Schemas['IngestResponse']

// ---- teams: roles, groups and members, group runs, the blackboard -------------------

export type Role = Schemas['Role']
export type RoleCreate = Schemas['RoleCreate']
export type RoleUpdate = Schemas['RoleUpdate']
export type MemoryScope = Role['memory_scope']
export const MEMORY_SCOPES = ['org', 'project', 'group', 'none'] as const satisfies readonly MemoryScope[]
export type RoleToolRule = Schemas['RoleToolRule']

export type Group = Schemas['Group']
export type GroupCreate = WithDefaults<Schemas['GroupCreate'], 'description' | 'orchestrator' | 'max_rounds'>
export type GroupUpdate = Schemas['GroupUpdate']
export type Orchestrator = Group['orchestrator']
export const ORCHESTRATORS = ['serial', 'parallel', 'lead_directed'] as const satisfies readonly Orchestrator[]
export type GroupMember = Schemas['GroupMember']
export type MemberCreate = WithDefaults<Schemas['GroupMemberCreate'], 'is_lead'>
export type MemberUpdate = Schemas['GroupMemberUpdate']
export type GroupRunCreate = WithDefaults<Schemas['GroupRunCreate'], 'metadata'>
/** Runs, outcomes, usage and last use of a role or a group. */
export type TeamStats = Schemas['Stats']
export type BatchDeleted = Schemas['BatchDeleted']

export type BlackboardEntry = Schemas['BlackboardEntry']
export type BlackboardCreate = WithDefaults<Schemas['BlackboardCreate'], 'kind'>
/** What people and members post; `run` entries are written by the group run itself. */
export type BlackboardPostKind = Schemas['BlackboardCreate']['kind']
export const BLACKBOARD_POST_KINDS = ['note', 'evidence', 'decision', 'question'] as const satisfies readonly BlackboardPostKind[]
/** `BlackboardEntry.kind` is a plain string in the document; these are the ones it holds. */
export type BlackboardKind = BlackboardPostKind | 'run'
