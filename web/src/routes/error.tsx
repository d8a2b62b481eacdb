import { isRouteErrorResponse, Link, useRouteError } from 'react-router'
import { AlertTriangle } from 'lucide-react'

/** Shown when a screen throws while rendering: keeps the app usable instead of a blank page. */
export function RouteErrorBoundary() {
  const error = useRouteError()
  const message = isRouteErrorResponse(error) ? `${error.status} ${error.statusText}` : error instanceof Error ? error.message : String(error)
  return (
    <div className="flex min-h-full flex-col items-center justify-center px-6 py-16 text-center">
      <div className="mb-3 flex size-10 items-center justify-center rounded-full bg-red-50 text-red-600">
        <AlertTriangle className="size-5" />
      </div>
      <h1 className="text-base font-semibold text-zinc-900">Something went wrong on this screen</h1>
      <p className="mt-1 max-w-md font-mono text-xs break-words text-zinc-500">{message}</p>
      <div className="mt-5 flex gap-3 text-sm font-medium">
        <button type="button" onClick={() => window.location.reload()} className="text-brand-600 hover:text-brand-700">
          Reload
        </button>
        <Link to="/" className="text-zinc-600 hover:text-zinc-900">
          Go to chat
        </Link>
      </div>
    </div>
  )
}
