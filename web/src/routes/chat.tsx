import { useEffect, useRef } from 'react'
import { MessageSquare } from 'lucide-react'
import { EmptyState, ErrorAlert, LoadingState } from '@/components/ui/States'
import { Composer } from '@/features/chat/Composer'
import { RunTurn } from '@/features/chat/RunTurn'
import { SessionList, SessionSelect } from '@/features/chat/SessionPicker'
import { useChat } from '@/features/chat/useChat'

const SUGGESTIONS = ['Summarise the README of this project', 'What do you remember about our last deployment?', 'List the tools you can use']

export function ChatRoute() {
  const chat = useChat()
  const bottom = useRef<HTMLDivElement>(null)
  const scroller = useRef<HTMLDivElement>(null)
  const lastRunId = chat.runs[chat.runs.length - 1]?.run_id

  // Follow the conversation while the user is near the bottom.
  useEffect(() => {
    const el = scroller.current
    if (!el) return
    const follow = () => {
      if (el.scrollHeight - el.scrollTop - el.clientHeight < 160) void bottom.current?.scrollIntoView({ block: 'end' })
    }
    const obs = new MutationObserver(follow)
    obs.observe(el, { childList: true, subtree: true, characterData: true })
    return () => obs.disconnect()
  }, [])
  useEffect(() => {
    // Braces matter: recent Chromium returns a Promise from scrollIntoView.
    void bottom.current?.scrollIntoView({ block: 'end' })
  }, [lastRunId, chat.sessionKey])

  return (
    <div className="flex h-full">
      <aside className="hidden w-64 shrink-0 border-r border-zinc-200 bg-zinc-50 lg:block">
        <SessionList sessions={chat.sessions} current={chat.sessionKey} onSelect={chat.selectSession} onNew={chat.newSession} loading={chat.sessionsLoading} />
      </aside>
      <section className="flex min-w-0 flex-1 flex-col" aria-label="Conversation">
        <div className="border-b border-zinc-200 bg-white px-3 py-2 lg:hidden">
          <SessionSelect sessions={chat.sessions} current={chat.sessionKey} onSelect={chat.selectSession} onNew={chat.newSession} />
        </div>
        <div ref={scroller} className="min-h-0 flex-1 overflow-y-auto" aria-live="polite" aria-busy={!!chat.activeRun}>
          <div className="mx-auto max-w-3xl space-y-8 px-4 py-6">
            {chat.turns.loading && !chat.turns.data && <LoadingState label="Loading conversation…" />}
            {chat.turns.error && chat.turns.error.status !== 404 && <ErrorAlert error={chat.turns.error} onRetry={chat.turns.reload} />}
            {!chat.turns.loading && chat.runs.length === 0 && (
              <EmptyState
                icon={<MessageSquare className="size-5" />}
                title="Start a conversation"
                description="Answers stream in token by token; tool calls show up inline and can be expanded."
                action={
                  <div className="flex flex-wrap justify-center gap-2">
                    {SUGGESTIONS.map((s) => (
                      <button key={s} type="button" onClick={() => void chat.send(s)} className="rounded-full border border-zinc-200 bg-white px-3 py-1.5 text-xs text-zinc-600 hover:border-brand-200 hover:bg-brand-50 hover:text-brand-700">
                        {s}
                      </button>
                    ))}
                  </div>
                }
              />
            )}
            {chat.runs.map((run, i) => (
              <RunTurn key={run.run_id} run={run} live={i === chat.runs.length - 1} onStatus={chat.onRunStatus} />
            ))}
            <div ref={bottom} />
          </div>
        </div>
        <div className="border-t border-zinc-200 bg-zinc-50/80 px-4 py-3">
          <div className="mx-auto max-w-3xl space-y-2">
            {chat.sendError && <ErrorAlert error={chat.sendError} />}
            <Composer onSend={chat.send} onStop={chat.stop} busy={chat.sending} active={!!chat.activeRun} options={chat.options} onOptions={chat.setOptions} />
          </div>
        </div>
      </section>
    </div>
  )
}
