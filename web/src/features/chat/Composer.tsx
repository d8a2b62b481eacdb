import { useEffect, useRef, useState, type KeyboardEvent } from 'react'
import { ArrowUp, Square } from 'lucide-react'
import { Button } from '@/components/ui/Button'
import { Kbd } from '@/components/ui/Kbd'
import { RunOptionsButton } from './RunOptionsDialog'
import type { RunOptions } from './runOptions'

/** Message box: Enter sends, Shift+Enter adds a line; Stop replaces Send while a run is live. */
export function Composer({ onSend, onStop, busy, active, disabled, options, onOptions }: { onSend: (text: string) => Promise<boolean>; onStop: () => void; busy: boolean; active: boolean; disabled?: boolean; options: RunOptions; onOptions: (o: RunOptions) => void }) {
  const [text, setText] = useState('')
  const ref = useRef<HTMLTextAreaElement>(null)

  useEffect(() => {
    const el = ref.current
    if (!el) return
    el.style.height = 'auto'
    el.style.height = `${Math.min(el.scrollHeight, 220)}px`
  }, [text])

  const send = async () => {
    const t = text.trim()
    if (!t || busy || active) return
    if (await onSend(t)) setText('')
    ref.current?.focus()
  }
  const onKeyDown = (e: KeyboardEvent<HTMLTextAreaElement>) => {
    if (e.key === 'Enter' && !e.shiftKey && !e.nativeEvent.isComposing) {
      e.preventDefault()
      void send()
    }
  }
  return (
    <div className="rounded-xl border border-zinc-300 bg-white shadow-sm focus-within:border-brand-500 focus-within:ring-2 focus-within:ring-brand-100">
      <textarea
        ref={ref}
        rows={1}
        value={text}
        disabled={disabled}
        onChange={(e) => setText(e.target.value)}
        onKeyDown={onKeyDown}
        placeholder="Ask the agent anything…"
        aria-label="Message"
        className="block max-h-56 w-full resize-none rounded-t-xl border-0 bg-transparent px-4 pt-3 pb-1 text-sm placeholder:text-zinc-400 focus:ring-0 focus:outline-none"
      />
      <div className="flex items-center justify-between gap-2 px-3 pb-2">
        <div className="flex min-w-0 items-center gap-3">
          <RunOptionsButton options={options} onChange={onOptions} />
          <p className="hidden text-xs text-zinc-400 md:block">
            <Kbd>Enter</Kbd> to send · <Kbd>Shift</Kbd>+<Kbd>Enter</Kbd> new line
          </p>
        </div>
        <div className="ml-auto shrink-0">
          {active ? (
            <Button key="stop" size="sm" variant="dark" onClick={onStop} icon={<Square className="size-3 fill-current" />}>
              Stop
            </Button>
          ) : (
            <Button key="send" size="sm" variant="primary" onClick={send} loading={busy} disabled={!text.trim() || disabled} icon={<ArrowUp className="size-4" />} aria-label="Send">
              Send
            </Button>
          )}
        </div>
      </div>
    </div>
  )
}
