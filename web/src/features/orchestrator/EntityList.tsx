import type { ReactNode } from 'react'
import { Plus } from 'lucide-react'
import type { ApiError } from '@/api/client'
import { Button } from '@/components/ui/Button'
import { Card } from '@/components/ui/Card'
import { ErrorAlert, LoadingState } from '@/components/ui/States'
import { cn } from '@/lib/cn'

/** The left column of the orchestrator: a titled list to pick one item from, and "New …". */
export function EntityList<T extends { id: string; name: string }>({
  title,
  items,
  loading,
  error,
  onRetry,
  selected,
  onSelect,
  onNew,
  newLabel,
  empty,
  meta,
}: {
  title: string
  items: T[] | undefined
  loading: boolean
  error: ApiError | null
  onRetry: () => void
  selected: string | null
  onSelect: (id: string) => void
  onNew: () => void
  newLabel: string
  empty: ReactNode
  meta: (item: T) => ReactNode
}) {
  return (
    <Card className="self-start">
      <div className="flex items-center justify-between gap-2 border-b border-zinc-200 px-4 py-2.5">
        <h2 className="text-sm font-semibold text-zinc-900">{title}</h2>
        <Button size="sm" variant="primary" icon={<Plus className="size-4" />} onClick={onNew}>
          {newLabel}
        </Button>
      </div>
      {error && <ErrorAlert error={error} onRetry={onRetry} className="m-3" />}
      {loading && !items ? (
        <LoadingState />
      ) : !items?.length ? (
        !error && <div className="px-4 py-8 text-center text-sm text-zinc-500">{empty}</div>
      ) : (
        <nav aria-label={title}>
          <ul className="divide-y divide-zinc-100">
            {items.map((item) => (
              <li key={item.id}>
                <button
                  type="button"
                  onClick={() => onSelect(item.id)}
                  aria-current={selected === item.id ? 'true' : undefined}
                  className={cn('block w-full px-4 py-2.5 text-left hover:bg-zinc-50', selected === item.id && 'bg-brand-50 hover:bg-brand-50')}
                >
                  <span className={cn('block truncate text-sm font-medium', selected === item.id ? 'text-brand-700' : 'text-zinc-900')}>{item.name}</span>
                  <span className="block truncate text-xs text-zinc-500">{meta(item)}</span>
                </button>
              </li>
            ))}
          </ul>
        </nav>
      )}
    </Card>
  )
}
