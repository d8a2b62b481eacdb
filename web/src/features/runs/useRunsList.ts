import { useCallback, useEffect, useState } from 'react'
import { asApiError, type ApiError } from '@/api/client'
import { listRuns } from '@/api/runs'
import type { Run, RunFilters } from '@/api/types'

const PAGE_SIZE = 25

/** Cursor-paginated run list; changing filters starts over, "Load more" appends. */
export function useRunsList(filters: RunFilters) {
  const [runs, setRuns] = useState<Run[]>([])
  const [cursor, setCursor] = useState<string | null>(null)
  const [loading, setLoading] = useState(true)
  const [loadingMore, setLoadingMore] = useState(false)
  const [error, setError] = useState<ApiError | null>(null)
  const [tick, setTick] = useState(0)
  const key = JSON.stringify(filters)

  useEffect(() => {
    const ctrl = new AbortController()
    setLoading(true)
    listRuns({ ...filters, limit: PAGE_SIZE }, ctrl.signal)
      .then((page) => {
        setRuns(page.items)
        setCursor(page.next_cursor ?? null)
        setError(null)
      })
      .catch((e) => !ctrl.signal.aborted && setError(asApiError(e)))
      .finally(() => !ctrl.signal.aborted && setLoading(false))
    return () => ctrl.abort()
    // eslint-disable-next-line react-hooks/exhaustive-deps
  }, [key, tick])

  const loadMore = useCallback(async () => {
    if (!cursor) return
    setLoadingMore(true)
    try {
      const page = await listRuns({ ...filters, limit: PAGE_SIZE, cursor })
      setRuns((prev) => {
        const seen = new Set(prev.map((r) => r.run_id))
        return [...prev, ...page.items.filter((r) => !seen.has(r.run_id))]
      })
      setCursor(page.next_cursor ?? null)
    } catch (e) {
      setError(asApiError(e))
    } finally {
      setLoadingMore(false)
    }
    // eslint-disable-next-line react-hooks/exhaustive-deps
  }, [cursor, key])

  return { runs, hasMore: !!cursor, loading, loadingMore, error, loadMore, reload: () => setTick((t) => t + 1) }
}
