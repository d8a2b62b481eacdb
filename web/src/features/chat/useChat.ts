import { useCallback, useMemo, useState } from 'react'
import { useSearchParams } from 'react-router'
import { asApiError, type ApiError } from '@/api/client'
import { cancelRun, createRun, listRuns, listSessionRuns } from '@/api/runs'
import type { Run } from '@/api/types'
import { useResource } from '@/hooks/useResource'
import { isRunActive, type RunViewStatus } from '@/lib/eventReducer'
import { preview } from '@/lib/format'
import { newSessionKey, randomId } from '@/lib/ids'
import { useRunOptions } from './runOptions'

export interface SessionSummary {
  key: string
  title: string
  lastAt: string | null
}

const RECENT_RUNS_FOR_SESSIONS = 100
const TURNS_PER_SESSION = 50
const ACTIVE: Run['status'][] = ['pending', 'queued', 'running', 'waiting']

/** Sessions (from recent runs), the current session's turns, send and stop. */
export function useChat() {
  const [params, setParams] = useSearchParams()
  const [fresh] = useState(newSessionKey)
  const sessionKey = params.get('session') || fresh
  const [sending, setSending] = useState(false)
  const [sendError, setSendError] = useState<ApiError | null>(null)
  const [options, setOptions] = useRunOptions()
  const [liveStatus, setLiveStatus] = useState<Record<string, RunViewStatus>>({})

  const recent = useResource((s) => listRuns({ limit: RECENT_RUNS_FOR_SESSIONS }, s), [])
  const turns = useResource(
    async (s) => {
      const page = await listSessionRuns(sessionKey, 1, TURNS_PER_SESSION, s)
      return [...page.items].sort((a, b) => a.created_at.localeCompare(b.created_at))
    },
    [sessionKey],
  )

  const setTurns = turns.setData
  const reloadRecent = recent.reload

  const sessions = useMemo<SessionSummary[]>(() => {
    const byKey = new Map<string, SessionSummary & { firstAt: string }>()
    for (const run of recent.data?.items ?? []) {
      if (!run.session_key) continue
      const s = byKey.get(run.session_key)
      if (!s) byKey.set(run.session_key, { key: run.session_key, title: preview(run.input, 60), lastAt: run.created_at, firstAt: run.created_at })
      else if (run.created_at < s.firstAt) Object.assign(s, { title: preview(run.input, 60), firstAt: run.created_at })
    }
    const list: SessionSummary[] = [...byKey.values()].sort((a, b) => (b.lastAt ?? '').localeCompare(a.lastAt ?? ''))
    if (!byKey.has(sessionKey)) list.unshift({ key: sessionKey, title: preview(turns.data?.[0]?.input, 60), lastAt: null })
    return list
  }, [recent.data, sessionKey, turns.data])

  const runs = turns.data ?? []
  const last = runs[runs.length - 1]
  const lastStatus = last ? (liveStatus[last.run_id] ?? 'idle') : 'idle'
  const activeRun = last && (lastStatus === 'idle' ? ACTIVE.includes(last.status) : isRunActive(lastStatus)) ? last : null

  const selectSession = useCallback((key: string) => setParams({ session: key }), [setParams])
  const newSession = useCallback(() => setParams({ session: newSessionKey() }), [setParams])

  const send = useCallback(
    async (text: string): Promise<boolean> => {
      setSending(true)
      setSendError(null)
      try {
        const run = await createRun(
          { input: text, session_key: sessionKey, model: options.model || undefined, tools: options.tools.length ? options.tools : undefined },
          randomId(),
        )
        setTurns((prev) => [...(prev ?? []), run])
        if (!params.get('session')) setParams({ session: sessionKey }, { replace: true })
        return true
      } catch (e) {
        setSendError(asApiError(e))
        return false
      } finally {
        setSending(false)
      }
    },
    [sessionKey, setTurns, params, setParams, options],
  )

  const stop = useCallback(async () => {
    if (!activeRun) return
    try {
      await cancelRun(activeRun.run_id)
    } catch (e) {
      setSendError(asApiError(e))
    }
  }, [activeRun])

  const onRunStatus = useCallback(
    (runId: string, status: RunViewStatus) => {
      setLiveStatus((m) => (m[runId] === status ? m : { ...m, [runId]: status }))
      if (status === 'completed' || status === 'failed' || status === 'cancelled') reloadRecent()
    },
    [reloadRecent],
  )

  return { options, setOptions, sessionKey, sessions, sessionsLoading: recent.loading, runs, turns, activeRun, sending, sendError, send, stop, selectSession, newSession, onRunStatus }
}
