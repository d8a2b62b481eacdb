import { cn } from '@/lib/cn'
import { markdownBlocks, type Inline } from '@/lib/markdown'

function Spans({ parts }: { parts: Inline[] }) {
  return (
    <>
      {parts.map((p, i) =>
        p.bold ? (
          <strong key={i} className="font-semibold text-zinc-900">{p.text}</strong>
        ) : p.code ? (
          <code key={i} className="rounded bg-zinc-100 px-1 font-mono text-[0.85em]">{p.text}</code>
        ) : (
          <span key={i}>{p.text}</span>
        ),
      )}
    </>
  )
}

/** Headings, paragraphs, bullet lists, bold and code (see lib/markdown); rendered as elements, never as HTML. */
export function Markdown({ text, className }: { text: string; className?: string }) {
  return (
    <div className={cn('space-y-2 text-sm leading-relaxed text-zinc-800', className)}>
      {markdownBlocks(text).map((b, i) =>
        b.kind === 'heading' ? (
          <p key={i} role="heading" aria-level={Math.min(6, b.level + 2)} className="pt-1 text-sm font-semibold text-zinc-900">
            <Spans parts={b.inline} />
          </p>
        ) : b.kind === 'list' ? (
          <ul key={i} className="list-disc space-y-1 pl-5">
            {b.items.map((item, j) => (
              <li key={j} className="whitespace-pre-wrap">
                <Spans parts={item} />
              </li>
            ))}
          </ul>
        ) : (
          <p key={i} className="whitespace-pre-wrap">
            <Spans parts={b.inline} />
          </p>
        ),
      )}
    </div>
  )
}
