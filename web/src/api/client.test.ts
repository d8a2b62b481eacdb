import { describe, expect, it } from 'vitest'
import { ApiError, asApiError, toApiError, withQuery } from './client'

describe('toApiError', () => {
  it('reads RFC 9457 problem details with field errors', async () => {
    const res = new Response(
      JSON.stringify({ type: 'about:blank', title: 'Validation failed', status: 422, detail: '1 error', errors: [{ loc: ['body', 'name'], msg: 'Field required', type: 'missing' }], request_id: 'req_1' }),
      { status: 422, headers: { 'Content-Type': 'application/problem+json' } },
    )
    const err = await toApiError(res)
    expect(err).toBeInstanceOf(ApiError)
    expect([err.status, err.title, err.detail]).toEqual([422, 'Validation failed', '1 error'])
    expect(err.fieldErrorMap()).toEqual({ name: 'Field required' })
    expect(err.problem.request_id).toBe('req_1')
  })

  it('folds FastAPI’s default {"detail": ...} shapes in', async () => {
    const a = await toApiError(new Response(JSON.stringify({ detail: 'Not authenticated' }), { status: 401, statusText: 'Unauthorized' }))
    expect([a.title, a.detail, a.status]).toEqual(['Unauthorized', 'Not authenticated', 401])
    const b = await toApiError(new Response(JSON.stringify({ detail: [{ loc: ['query', 'limit'], msg: 'too big', type: 'x' }] }), { status: 422 }))
    expect(b.fieldErrorMap()).toEqual({ limit: 'too big' })
  })

  it('keeps a text body as the detail', async () => {
    const e = await toApiError(new Response('Bad gateway', { status: 502, statusText: 'Bad Gateway' }))
    expect([e.title, e.detail]).toEqual(['Bad Gateway', 'Bad gateway'])
  })

  it('wraps network errors', () => {
    expect(asApiError(new TypeError('Failed to fetch'))).toMatchObject({ status: 0, title: 'Network error', detail: 'Failed to fetch' })
  })
})

describe('withQuery', () => {
  it('skips empty values', () => {
    expect(withQuery('/api/runs', { status: 'running', cursor: null, session_key: '', limit: 20 })).toBe('/api/runs?status=running&limit=20')
    expect(withQuery('/x?a=1', { b: 2 })).toBe('/x?a=1&b=2')
    expect(withQuery('/x')).toBe('/x')
  })
})
