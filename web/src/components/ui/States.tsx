import type { ReactNode } from 'react'
import { AlertTriangle, Inbox } from 'lucide-react'
import { asApiError } from '@/api/client'
import { cn } from '@/lib/cn'
import { Button } from './Button'
import { Spinner } from './Spinner'

export function LoadingState({ label = 'Loading…', className }: { label?: string; className?: string }) {
  return (
    <div role="status" className={cn('flex items-center justify-center gap-2 py-12 text-sm text-zinc-500', className)}>
      <Spinner /> {label}
    </div>
  )
}

export function EmptyState({ icon, title, description, action, className }: { icon?: ReactNode; title: ReactNode; description?: ReactNode; action?: ReactNode; className?: string }) {
  return (
    <div className={cn('flex flex-col items-center justify-center px-6 py-12 text-center', className)}>
      <div className="mb-3 flex size-10 items-center justify-center rounded-full bg-zinc-100 text-zinc-500">{icon ?? <Inbox className="size-5" />}</div>
      <p className="text-sm font-medium text-zinc-900">{title}</p>
      {description && <p className="mt-1 max-w-sm text-sm text-zinc-500">{description}</p>}
      {action && <div className="mt-4">{action}</div>}
    </div>
  )
}

/** Shows an API problem: title, detail, field errors, request id. */
export function ErrorAlert({ error, onRetry, className }: { error: unknown; onRetry?: () => void; className?: string }) {
  if (!error) return null
  const e = asApiError(error)
  return (
    <div role="alert" className={cn('rounded-md border border-red-200 bg-red-50 p-3 text-sm text-red-800', className)}>
      <div className="flex items-start gap-2">
        <AlertTriangle className="mt-0.5 size-4 shrink-0 text-red-500" />
        <div className="min-w-0 flex-1">
          <p className="font-medium">
            {e.title}
            {e.status > 0 && <span className="ml-1.5 font-normal text-red-600/80">({e.status})</span>}
          </p>
          {e.detail && <p className="mt-0.5 break-words text-red-700">{e.detail}</p>}
          {e.fieldErrors.length > 0 && (
            <ul className="mt-1.5 list-disc space-y-0.5 pl-4 text-red-700">
              {e.fieldErrors.map((f, i) => (
                <li key={i}>
                  <code className="font-mono text-xs">{f.loc.filter((l) => l !== 'body').join('.')}</code>: {f.msg}
                </li>
              ))}
            </ul>
          )}
          {e.problem.request_id && <p className="mt-1 text-xs text-red-500">request id {e.problem.request_id}</p>}
        </div>
        {onRetry && (
          <Button size="sm" variant="secondary" onClick={onRetry}>
            Retry
          </Button>
        )}
      </div>
    </div>
  )
}
