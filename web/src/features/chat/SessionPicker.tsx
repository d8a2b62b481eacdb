import { MessageSquarePlus } from 'lucide-react'
import { Button } from '@/components/ui/Button'
import { Select } from '@/components/ui/Input'
import { cn } from '@/lib/cn'
import { formatRelative } from '@/lib/format'
import type { SessionSummary } from './useChat'

export function SessionList({ sessions, current, onSelect, onNew, loading }: { sessions: SessionSummary[]; current: string; onSelect: (key: string) => void; onNew: () => void; loading: boolean }) {
  return (
    <div className="flex h-full flex-col">
      <div className="p-3">
        <Button className="w-full" onClick={onNew} icon={<MessageSquarePlus className="size-4" />}>
          New session
        </Button>
      </div>
      <p className="px-4 pb-1 text-xs font-medium tracking-wide text-zinc-400 uppercase">Sessions</p>
      <ul className="flex-1 space-y-0.5 overflow-y-auto px-2 pb-3" aria-label="Sessions">
        {sessions.map((s) => (
          <li key={s.key}>
            <button
              type="button"
              onClick={() => onSelect(s.key)}
              aria-current={s.key === current ? 'true' : undefined}
              className={cn('w-full rounded-md px-2.5 py-2 text-left transition-colors', s.key === current ? 'bg-white shadow-xs ring-1 ring-zinc-200' : 'hover:bg-zinc-200/50')}
            >
              <p className="truncate text-sm font-medium text-zinc-800">{s.title || 'New conversation'}</p>
              <p className="truncate text-xs text-zinc-400">
                {s.key} · {formatRelative(s.lastAt)}
              </p>
            </button>
          </li>
        ))}
        {!loading && sessions.length === 0 && <li className="px-2.5 py-2 text-xs text-zinc-400">No sessions yet.</li>}
      </ul>
    </div>
  )
}

export function SessionSelect({ sessions, current, onSelect, onNew }: { sessions: SessionSummary[]; current: string; onSelect: (key: string) => void; onNew: () => void }) {
  return (
    <div className="flex items-center gap-2">
      <Select aria-label="Session" value={current} onChange={(e) => onSelect(e.target.value)} className="min-w-0 flex-1">
        {sessions.map((s) => (
          <option key={s.key} value={s.key}>
            {s.title || s.key}
          </option>
        ))}
      </Select>
      <Button onClick={onNew} icon={<MessageSquarePlus className="size-4" />} aria-label="New session">
        New
      </Button>
    </div>
  )
}
