import { useCallback, useEffect, useRef, useState } from 'react'
import { asApiError, type ApiError } from '@/api/client'
import { listBlackboard } from '@/api/teams'
import type { BlackboardEntry } from '@/api/types'

const PAGE = 30

/**
 * A group's blackboard, newest first, a page at a time; with `q`, the search's matches
 * (best first, one page). `reload` starts over (after a post).
 */
export function useBlackboard(groupId: string, q: string) {
  const [items, setItems] = useState<BlackboardEntry[]>([])
  const [cursor, setCursor] = useState<string | null>(null)
  const [loading, setLoading] = useState(true)
  const [error, setError] = useState<ApiError | null>(null)
  const [tick, setTick] = useState(0)
  const ctrl = useRef<AbortController | null>(null)

  const load = useCallback(
    async (from: string | null) => {
      ctrl.current?.abort()
      const c = new AbortController()
      ctrl.current = c
      setLoading(true)
      try {
        const page = await listBlackboard(groupId, { q: q || undefined, limit: PAGE, cursor: from }, c.signal)
        if (c.signal.aborted) return
        setItems((prev) => (from ? [...prev, ...page.items] : page.items))
        setCursor(page.next_cursor ?? null)
        setError(null)
      } catch (e) {
        if (!c.signal.aborted) setError(asApiError(e))
      } finally {
        if (!c.signal.aborted) setLoading(false)
      }
    },
    [groupId, q],
  )

  useEffect(() => {
    setItems([])
    void load(null)
    return () => ctrl.current?.abort()
  }, [load, tick])

  return {
    items,
    loading,
    error,
    hasMore: !!cursor,
    loadMore: () => cursor && load(cursor),
    reload: () => setTick((t) => t + 1),
  }
}
