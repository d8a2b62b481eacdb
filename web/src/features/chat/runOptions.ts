/** Per-browser defaults for new runs started from the chat: model and tools. */
import { useCallback, useState } from 'react'

export interface RunOptions {
  /** Empty = the server's default model (LLM_MODEL or the default provider's). */
  model: string
  /** Empty = the server's default tool set. */
  tools: string[]
}

const KEY = 'openintern.runOptions'
const EMPTY: RunOptions = { model: '', tools: [] }

function load(): RunOptions {
  try {
    const raw = localStorage.getItem(KEY)
    if (!raw) return EMPTY
    const v = JSON.parse(raw) as Partial<RunOptions>
    return {
      model: typeof v.model === 'string' ? v.model : '',
      tools: Array.isArray(v.tools) ? v.tools.filter((t): t is string => typeof t === 'string') : [],
    }
  } catch {
    return EMPTY
  }
}

export function useRunOptions(): [RunOptions, (next: RunOptions) => void] {
  const [options, setOptions] = useState(load)
  const save = useCallback((next: RunOptions) => {
    setOptions(next)
    try {
      localStorage.setItem(KEY, JSON.stringify(next))
    } catch {
      /* private mode: keep it for this page only */
    }
  }, [])
  return [options, save]
}
