import { useEffect, useRef, useState } from 'react'
import { useNavigate } from 'react-router'
import { ChevronDown, LogOut, Settings } from 'lucide-react'
import { useSession } from '@/hooks/useSession'

export function UserMenu() {
  const { me, logout } = useSession()
  const [open, setOpen] = useState(false)
  const ref = useRef<HTMLDivElement>(null)
  const navigate = useNavigate()
  useEffect(() => {
    if (!open) return
    const onDown = (e: MouseEvent) => !ref.current?.contains(e.target as Node) && setOpen(false)
    const onKey = (e: KeyboardEvent) => e.key === 'Escape' && setOpen(false)
    document.addEventListener('mousedown', onDown)
    document.addEventListener('keydown', onKey)
    return () => {
      document.removeEventListener('mousedown', onDown)
      document.removeEventListener('keydown', onKey)
    }
  }, [open])
  if (!me) return null
  const name = me.user.display_name || me.user.username
  const initials = name.split(/\s+/).map((s) => s[0]).join('').slice(0, 2).toUpperCase()
  return (
    <div className="relative" ref={ref}>
      <button
        type="button"
        aria-haspopup="menu"
        aria-expanded={open}
        onClick={() => setOpen((o) => !o)}
        className="flex items-center gap-2 rounded-full py-1 pr-2 pl-1 text-sm hover:bg-zinc-100"
      >
        <span className="flex size-7 items-center justify-center rounded-full bg-brand-600 text-xs font-semibold text-white">{initials}</span>
        <span className="hidden max-w-[10rem] truncate font-medium text-zinc-700 sm:inline">{name}</span>
        <ChevronDown className="size-4 text-zinc-400" />
      </button>
      {open && (
        <div role="menu" className="absolute right-0 z-30 mt-2 w-60 overflow-hidden rounded-lg border border-zinc-200 bg-white shadow-lg">
          <div className="border-b border-zinc-100 px-3.5 py-3">
            <p className="truncate text-sm font-medium text-zinc-900">{name}</p>
            <p className="truncate text-xs text-zinc-500">
              @{me.user.username} · {me.org.name} · {me.role}
            </p>
          </div>
          <button role="menuitem" type="button" className="flex w-full items-center gap-2 px-3.5 py-2 text-left text-sm text-zinc-700 hover:bg-zinc-50 focus:bg-zinc-50" onClick={() => { setOpen(false); navigate('/settings') }}>
            <Settings className="size-4 text-zinc-400" /> Settings
          </button>
          <button role="menuitem" type="button" className="flex w-full items-center gap-2 px-3.5 py-2 text-left text-sm text-zinc-700 hover:bg-zinc-50 focus:bg-zinc-50" onClick={() => { setOpen(false); logout(); navigate('/login') }}>
            <LogOut className="size-4 text-zinc-400" /> Sign out
          </button>
        </div>
      )}
    </div>
  )
}
