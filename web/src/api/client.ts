/**
 * The HTTP client: a small fetch wrapper.
 *
 * - `Authorization: Bearer <token>` from localStorage (set at login),
 * - `x-project-id` from the project switcher (narrows scope, never widens it),
 * - every non-2xx answer becomes an `ApiError` carrying the RFC 9457 problem details.
 */
import type { FieldError, ProblemDetails } from './types'

const TOKEN_KEY = 'openintern.token'
const PROJECT_KEY = 'openintern.projectId'

function storage(): Storage | null {
  try {
    return typeof localStorage === 'undefined' ? null : localStorage
  } catch {
    return null
  }
}

export const credentials = {
  token: (): string | null => storage()?.getItem(TOKEN_KEY) ?? null,
  setToken(token: string | null) {
    if (token) storage()?.setItem(TOKEN_KEY, token)
    else storage()?.removeItem(TOKEN_KEY)
  },
  projectId: (): string | null => storage()?.getItem(PROJECT_KEY) ?? null,
  setProjectId(id: string | null) {
    if (id) storage()?.setItem(PROJECT_KEY, id)
    else storage()?.removeItem(PROJECT_KEY)
  },
}

export class ApiError extends Error {
  readonly status: number
  readonly problem: ProblemDetails

  constructor(problem: ProblemDetails) {
    super(problem.detail ? `${problem.title}: ${problem.detail}` : problem.title)
    this.name = 'ApiError'
    this.status = problem.status
    this.problem = problem
  }

  get title(): string {
    return this.problem.title
  }
  get detail(): string | null {
    return this.problem.detail ?? null
  }
  get fieldErrors(): FieldError[] {
    return this.problem.errors ?? []
  }
  /** Field errors keyed by the last path element (`body.name` → `name`). */
  fieldErrorMap(): Record<string, string> {
    const out: Record<string, string> = {}
    for (const e of this.fieldErrors) {
      const key = String(e.loc[e.loc.length - 1] ?? '')
      if (key && !(key in out)) out[key] = e.msg
    }
    return out
  }
}

/** Build an ApiError from any failed Response (problem+json, other JSON, or text). */
export async function toApiError(res: Response): Promise<ApiError> {
  const fallback: ProblemDetails = { title: res.statusText || 'Request failed', status: res.status }
  let text = ''
  try {
    text = await res.text()
  } catch {
    return new ApiError(fallback)
  }
  try {
    const body = JSON.parse(text) as Partial<ProblemDetails> & { detail?: unknown }
    if (body && typeof body === 'object') {
      // FastAPI's default {"detail": "..."} or {"detail": [...]} is folded in too.
      const detail = typeof body.detail === 'string' ? body.detail : null
      const errors = Array.isArray(body.errors)
        ? body.errors
        : Array.isArray(body.detail)
          ? (body.detail as FieldError[])
          : undefined
      return new ApiError({
        ...fallback,
        ...body,
        title: body.title ?? fallback.title,
        status: body.status ?? res.status,
        detail,
        errors,
      })
    }
  } catch {
    /* not JSON */
  }
  return new ApiError({ ...fallback, detail: text.slice(0, 500) || null })
}

/** Normalise anything thrown into an ApiError (network failures get status 0). */
export function asApiError(err: unknown): ApiError {
  if (err instanceof ApiError) return err
  const message = err instanceof Error ? err.message : String(err)
  return new ApiError({ title: 'Network error', status: 0, detail: message })
}

type UnauthorizedListener = () => void
const unauthorizedListeners = new Set<UnauthorizedListener>()
/** Called on every 401 (token expired or revoked); returns an unsubscribe function. */
export function onUnauthorized(listener: UnauthorizedListener): () => void {
  unauthorizedListeners.add(listener)
  return () => unauthorizedListeners.delete(listener)
}

export function authHeaders(extra?: HeadersInit): Headers {
  const headers = new Headers(extra)
  const token = credentials.token()
  if (token && !headers.has('Authorization')) headers.set('Authorization', `Bearer ${token}`)
  const project = credentials.projectId()
  if (project && !headers.has('x-project-id')) headers.set('x-project-id', project)
  return headers
}

export type Query = Record<string, string | number | boolean | null | undefined>

export function withQuery(path: string, query?: Query): string {
  if (!query) return path
  const params = new URLSearchParams()
  for (const [k, v] of Object.entries(query)) {
    if (v !== undefined && v !== null && v !== '') params.set(k, String(v))
  }
  const qs = params.toString()
  return qs ? `${path}${path.includes('?') ? '&' : '?'}${qs}` : path
}

export interface RequestOptions {
  method?: string
  query?: Query
  body?: unknown
  headers?: HeadersInit
  signal?: AbortSignal
}

export async function request<T>(path: string, opts: RequestOptions = {}): Promise<T> {
  const headers = authHeaders(opts.headers)
  let body: BodyInit | undefined
  if (opts.body instanceof FormData) body = opts.body
  else if (opts.body !== undefined) {
    headers.set('Content-Type', 'application/json')
    body = JSON.stringify(opts.body)
  }
  if (!headers.has('Accept')) headers.set('Accept', 'application/json')
  let res: Response
  try {
    res = await fetch(withQuery(path, opts.query), {
      method: opts.method ?? (body ? 'POST' : 'GET'),
      headers,
      body,
      signal: opts.signal,
    })
  } catch (err) {
    if (err instanceof DOMException && err.name === 'AbortError') throw err
    throw asApiError(err)
  }
  if (res.status === 401) unauthorizedListeners.forEach((l) => l())
  if (!res.ok) throw await toApiError(res)
  if (res.status === 204) return undefined as T
  const text = await res.text()
  return (text ? JSON.parse(text) : undefined) as T
}

export const api = {
  get: <T>(path: string, query?: Query, signal?: AbortSignal) =>
    request<T>(path, { query, signal }),
  post: <T>(path: string, body?: unknown, headers?: HeadersInit) =>
    request<T>(path, { method: 'POST', body: body ?? {}, headers }),
  patch: <T>(path: string, body: unknown) => request<T>(path, { method: 'PATCH', body }),
  put: <T>(path: string, body: unknown) => request<T>(path, { method: 'PUT', body }),
  delete: <T = void>(path: string) => request<T>(path, { method: 'DELETE' }),
}
