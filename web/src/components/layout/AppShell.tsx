import { useEffect, useRef, useState } from 'react'
import { NavLink, Outlet, useLocation } from 'react-router'
import { Brain, ListChecks, Menu, MessageSquare, Settings, ShieldCheck, UsersRound, X } from 'lucide-react'
import { listApprovals } from '@/api/approvals'
import { useInterval, useResource } from '@/hooks/useResource'
import { useSession } from '@/hooks/useSession'
import { cn } from '@/lib/cn'
import { ProjectSwitcher } from './ProjectSwitcher'
import { UserMenu } from './UserMenu'

const NAV = [
  { to: '/', label: 'Chat', icon: MessageSquare, end: true },
  { to: '/runs', label: 'Runs', icon: ListChecks },
  { to: '/orchestrator', label: 'Orchestrator', icon: UsersRound },
  { to: '/approvals', label: 'Approvals', icon: ShieldCheck, badge: 'approvals' as const },
  { to: '/memory', label: 'Memory', icon: Brain },
  { to: '/settings', label: 'Settings', icon: Settings },
]

/** Pending approvals drive the sidebar badge; polled, since approvals can come from any run. */
const APPROVALS_POLL_MS = 30_000

export function Logo() {
  return (
    <div className="flex items-center gap-2">
      <svg viewBox="0 0 32 32" className="size-7" aria-hidden="true">
        <rect width="32" height="32" rx="8" className="fill-brand-600" />
        <path d="M10 11h12M10 16h8M10 21h10" stroke="#fff" strokeWidth="2.5" strokeLinecap="round" />
      </svg>
      <span className="text-[15px] font-semibold tracking-tight text-zinc-900">OpenIntern</span>
    </div>
  )
}

function SidebarNav({ pending, onNavigate }: { pending: number; onNavigate?: () => void }) {
  return (
    <nav aria-label="Main" className="flex flex-1 flex-col gap-0.5 px-3 py-3">
      {NAV.map((item) => (
        <NavLink
          key={item.to}
          to={item.to}
          end={item.end}
          onClick={onNavigate}
          className={({ isActive }) =>
            cn(
              'group flex items-center gap-2.5 rounded-md px-2.5 py-2 text-sm font-medium transition-colors',
              isActive ? 'bg-white text-zinc-900 shadow-xs ring-1 ring-zinc-200' : 'text-zinc-600 hover:bg-zinc-200/60 hover:text-zinc-900',
            )
          }
        >
          {({ isActive }) => (
            <>
              <item.icon className={cn('size-4', isActive ? 'text-brand-600' : 'text-zinc-400 group-hover:text-zinc-600')} />
              <span className="flex-1">{item.label}</span>
              {item.badge === 'approvals' && pending > 0 && (
                <span className="rounded-full bg-amber-500 px-1.5 py-px text-[11px] font-semibold text-white" aria-label={`${pending} pending`}>
                  {pending}
                </span>
              )}
            </>
          )}
        </NavLink>
      ))}
    </nav>
  )
}

export function AppShell() {
  const { projectId } = useSession()
  const [drawer, setDrawer] = useState(false)
  const location = useLocation()
  const approvals = useResource((s) => listApprovals('pending', s), [projectId, location.pathname])
  useInterval(approvals.reload, APPROVALS_POLL_MS)
  const pending = approvals.data?.items.length ?? 0

  const main = useRef<HTMLElement>(null)
  useEffect(() => {
    setDrawer(false)
    // <main> scrolls, not the window, and it outlives routes: a new page starts at its top.
    main.current?.scrollTo(0, 0)
  }, [location.pathname])
  useEffect(() => {
    if (!drawer) return
    const onKey = (e: KeyboardEvent) => e.key === 'Escape' && setDrawer(false)
    window.addEventListener('keydown', onKey)
    return () => window.removeEventListener('keydown', onKey)
  }, [drawer])

  return (
    <div className="flex h-full">
      <a href="#main" className="sr-only focus:not-sr-only focus:fixed focus:top-2 focus:left-2 focus:z-50 focus:rounded focus:bg-white focus:px-3 focus:py-2 focus:shadow">
        Skip to content
      </a>
      {/* Desktop sidebar */}
      <aside className="hidden w-60 shrink-0 flex-col border-r border-zinc-200 bg-zinc-100/70 md:flex">
        <div className="flex h-14 items-center border-b border-zinc-200 px-4">
          <Logo />
        </div>
        <SidebarNav pending={pending} />
        <div className="border-t border-zinc-200 px-4 py-3 text-xs text-zinc-400">Self-hosted agent runtime</div>
      </aside>
      {/* Mobile drawer */}
      {drawer && (
        <div className="fixed inset-0 z-40 md:hidden" role="dialog" aria-modal="true" aria-label="Navigation">
          <div className="absolute inset-0 bg-zinc-900/40" onClick={() => setDrawer(false)} />
          <aside className="absolute inset-y-0 left-0 flex w-64 flex-col bg-zinc-50 shadow-xl">
            <div className="flex h-14 items-center justify-between border-b border-zinc-200 px-4">
              <Logo />
              <button type="button" className="rounded-md p-1.5 text-zinc-500 hover:bg-zinc-200" onClick={() => setDrawer(false)} aria-label="Close navigation">
                <X className="size-5" />
              </button>
            </div>
            <SidebarNav pending={pending} onNavigate={() => setDrawer(false)} />
          </aside>
        </div>
      )}
      <div className="flex min-w-0 flex-1 flex-col">
        <header className="flex h-14 shrink-0 items-center gap-3 border-b border-zinc-200 bg-white px-3 sm:px-5">
          <button type="button" className="rounded-md p-1.5 text-zinc-600 hover:bg-zinc-100 md:hidden" onClick={() => setDrawer(true)} aria-label="Open navigation">
            <Menu className="size-5" />
          </button>
          <ProjectSwitcher />
          <div className="flex-1" />
          <UserMenu />
        </header>
        <main ref={main} id="main" className="min-h-0 flex-1 overflow-y-auto" key={projectId ?? 'none'}>
          <Outlet />
        </main>
      </div>
    </div>
  )
}
