import { Link } from 'react-router'
import { Bot, ExternalLink } from 'lucide-react'
import type { BlackboardEntry } from '@/api/types'
import { Badge } from '@/components/ui/Badge'
import { cn } from '@/lib/cn'
import { formatDateTime, formatRelative } from '@/lib/format'
import { highlightSegments } from '@/lib/highlight'
import { plainText } from '@/lib/markdown'
import { kindInfo } from './kinds'

const PREVIEW_CHARS = 320

function Preview({ text, query }: { text: string; query: string }) {
  const plain = plainText(text)
  const short = plain.length > PREVIEW_CHARS ? `${plain.slice(0, PREVIEW_CHARS - 1)}…` : plain
  if (!query) return <p className="mt-1 text-sm text-zinc-600">{short}</p>
  return (
    <p className="mt-1 text-sm text-zinc-600">
      {highlightSegments(short, query).map((s, i) =>
        s.match ? (
          <mark key={i} className="rounded-sm bg-amber-100 px-0.5 text-zinc-900">{s.text}</mark>
        ) : (
          <span key={i}>{s.text}</span>
        ),
      )}
    </p>
  )
}

/**
 * Entries as a timeline (newest first, or best match first when searching): kind badge,
 * who wrote it, when, the run that wrote it; the title opens the entry.
 */
export function Timeline({ entries, query, onOpen }: { entries: BlackboardEntry[]; query: string; onOpen: (id: string) => void }) {
  return (
    <ol aria-label="Blackboard entries" className="relative space-y-3 border-l border-zinc-200 pl-5">
      {entries.map((e) => {
        const info = kindInfo(e.kind)
        return (
          <li key={e.id} className="relative" data-testid="blackboard-entry" data-kind={e.kind} data-entry-id={e.id}>
            <span className={cn('absolute top-4 -left-[1.6rem] size-2.5 rounded-full ring-4 ring-zinc-50', info.dot)} aria-hidden="true" />
            <article className="rounded-lg border border-zinc-200 bg-white px-4 py-3 shadow-xs">
              <header className="flex flex-wrap items-center gap-x-2 gap-y-1">
                <Badge tone={info.tone}>{info.label}</Badge>
                <h3 className="min-w-0 flex-1 basis-48">
                  <button type="button" onClick={() => onOpen(e.id)} className="text-left text-sm font-semibold text-zinc-900 hover:text-brand-700 hover:underline">
                    {e.title}
                  </button>
                </h3>
                {e.score !== null && e.score !== undefined && <span className="font-mono text-xs text-zinc-400 tabular-nums">score {e.score.toFixed(3)}</span>}
              </header>
              <Preview text={e.content} query={query} />
              <footer className="mt-2 flex flex-wrap items-center gap-x-3 gap-y-1 text-xs text-zinc-500">
                {e.agent_id && (
                  <span className="inline-flex items-center gap-1 font-mono">
                    <Bot className="size-3.5 text-violet-500" aria-hidden="true" /> {e.agent_id}
                  </span>
                )}
                <time dateTime={e.created_at} title={formatDateTime(e.created_at)}>
                  {formatRelative(e.created_at)}
                </time>
                {e.run_id && (
                  <Link to={`/trace/${encodeURIComponent(e.run_id)}`} className="inline-flex items-center gap-1 font-medium text-brand-700 hover:underline" aria-label={`Run ${e.run_id} (trace)`}>
                    <ExternalLink className="size-3" aria-hidden="true" /> run <span className="font-mono">{e.run_id}</span>
                  </Link>
                )}
                {e.tags.map((t) => (
                  <Badge key={t}>{t}</Badge>
                ))}
              </footer>
            </article>
          </li>
        )
      })}
    </ol>
  )
}
