import { createBrowserRouter, Navigate, Outlet, RouterProvider, useLocation } from 'react-router'
import { AppShell } from '@/components/layout/AppShell'
import { ToastProvider } from '@/components/ui/Toast'
import { LoadingState } from '@/components/ui/States'
import { SessionProvider, useSession } from '@/hooks/useSession'
import { ApprovalsRoute } from '@/routes/approvals'
import { BlackboardRoute } from '@/routes/blackboard'
import { ChatRoute } from '@/routes/chat'
import { RouteErrorBoundary } from '@/routes/error'
import { LoginRoute } from '@/routes/login'
import { MemoryRoute } from '@/routes/memory'
import { NotFoundRoute } from '@/routes/notFound'
import { OrchestratorRoute } from '@/routes/orchestrator'
import { RunsRoute } from '@/routes/runs'
import { SettingsRoute } from '@/routes/settings'
import { TraceRoute } from '@/routes/trace'

function RequireAuth() {
  const { status } = useSession()
  const location = useLocation()
  if (status === 'loading') return <LoadingState className="h-full" label="Signing in…" />
  if (status === 'anonymous') {
    const next = location.pathname + location.search
    return <Navigate to={`/login${next !== '/' ? `?next=${encodeURIComponent(next)}` : ''}`} replace />
  }
  return <Outlet />
}

const router = createBrowserRouter([
  { path: '/login', element: <LoginRoute />, errorElement: <RouteErrorBoundary /> },
  {
    element: <RequireAuth />,
    errorElement: <RouteErrorBoundary />,
    children: [
      {
        element: <AppShell />,
        children: [
          { errorElement: <RouteErrorBoundary />, children: [
          { index: true, element: <ChatRoute /> },
          { path: 'runs', element: <RunsRoute /> },
          { path: 'trace/:runId', element: <TraceRoute /> },
          { path: 'orchestrator', element: <OrchestratorRoute /> },
          { path: 'blackboard/:groupId', element: <BlackboardRoute /> },
          { path: 'approvals', element: <ApprovalsRoute /> },
          { path: 'memory', element: <MemoryRoute /> },
          { path: 'settings', element: <SettingsRoute /> },
          { path: '*', element: <NotFoundRoute /> },
          ] },
        ],
      },
    ],
  },
])

export function App() {
  return (
    <ToastProvider>
      <SessionProvider>
        <RouterProvider router={router} />
      </SessionProvider>
    </ToastProvider>
  )
}
