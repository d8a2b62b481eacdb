/**
 * Who is signed in, which org/project they work in, and the project switcher state.
 * The selected project is sent as `x-project-id` by api/client on every request.
 */
import { createContext, useCallback, useContext, useEffect, useMemo, useState, type ReactNode } from 'react'
import { getMe, login as apiLogin, logout as apiLogout } from '@/api/auth'
import { credentials, onUnauthorized, type ApiError, asApiError } from '@/api/client'
import { listProjects } from '@/api/settings'
import type { LoginRequest, Me, Project } from '@/api/types'

type SessionStatus = 'loading' | 'anonymous' | 'authenticated'

interface SessionValue {
  status: SessionStatus
  me: Me | null
  error: ApiError | null
  projects: Project[]
  projectId: string | null
  setProjectId: (id: string | null) => void
  reloadProjects: () => Promise<void>
  login: (body: LoginRequest) => Promise<void>
  logout: () => void
}

const SessionContext = createContext<SessionValue | null>(null)

export function SessionProvider({ children }: { children: ReactNode }) {
  const [status, setStatus] = useState<SessionStatus>(credentials.token() ? 'loading' : 'anonymous')
  const [me, setMe] = useState<Me | null>(null)
  const [error, setError] = useState<ApiError | null>(null)
  const [projects, setProjects] = useState<Project[]>([])
  const [projectId, setProjectIdState] = useState<string | null>(credentials.projectId())

  const reloadProjects = useCallback(async () => {
    try {
      setProjects((await listProjects()).items)
    } catch {
      setProjects([])
    }
  }, [])

  const loadMe = useCallback(async () => {
    try {
      const m = await getMe()
      setMe(m)
      setError(null)
      setStatus('authenticated')
      await reloadProjects()
    } catch (e) {
      const err = asApiError(e)
      if (err.status === 401) {
        credentials.setToken(null)
        setStatus('anonymous')
      } else {
        setError(err)
        setStatus('anonymous')
      }
    }
  }, [reloadProjects])

  useEffect(() => {
    if (credentials.token()) void loadMe()
  }, [loadMe])

  useEffect(
    () =>
      onUnauthorized(() => {
        credentials.setToken(null)
        setMe(null)
        setStatus('anonymous')
      }),
    [],
  )

  const value = useMemo<SessionValue>(
    () => ({
      status,
      me,
      error,
      projects,
      projectId,
      setProjectId: (id) => {
        credentials.setProjectId(id)
        setProjectIdState(id)
      },
      reloadProjects,
      login: async (body) => {
        await apiLogin(body)
        await loadMe()
      },
      logout: () => {
        apiLogout()
        setMe(null)
        setStatus('anonymous')
      },
    }),
    [status, me, error, projects, projectId, reloadProjects, loadMe],
  )
  return <SessionContext.Provider value={value}>{children}</SessionContext.Provider>
}

export function useSession(): SessionValue {
  const ctx = useContext(SessionContext)
  if (!ctx) throw new Error('useSession outside SessionProvider')
  return ctx
}

export function canAdmin(me: Me | null): boolean {
  return me?.role === 'owner' || me?.role === 'admin'
}
