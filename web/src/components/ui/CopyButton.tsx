import { useState } from 'react'
import { Check, Copy } from 'lucide-react'
import { Button } from './Button'

async function copyText(text: string): Promise<void> {
  if (navigator.clipboard?.writeText) return navigator.clipboard.writeText(text)
  const ta = document.createElement('textarea')
  ta.value = text
  document.body.appendChild(ta)
  ta.select()
  document.execCommand('copy')
  ta.remove()
}

export function CopyButton({ text, label = 'Copy', size = 'sm' as const }: { text: string; label?: string; size?: 'sm' | 'md' }) {
  const [copied, setCopied] = useState(false)
  return (
    <Button
      size={size}
      variant="secondary"
      icon={copied ? <Check className="size-3.5 text-emerald-600" /> : <Copy className="size-3.5" />}
      onClick={async () => {
        await copyText(text)
        setCopied(true)
        setTimeout(() => setCopied(false), 1500)
      }}
    >
      {copied ? 'Copied' : label}
    </Button>
  )
}

/** A read-only monospace box with a copy button (e.g. a freshly created API key). */
export function CopyField({ value, label }: { value: string; label: string }) {
  return (
    <div className="flex items-stretch gap-2">
      <input
        readOnly
        aria-label={label}
        value={value}
        onFocus={(e) => e.currentTarget.select()}
        className="min-w-0 flex-1 rounded-md border border-zinc-300 bg-zinc-50 px-3 py-2 font-mono text-sm text-zinc-900 focus:ring-2 focus:ring-brand-500 focus:outline-none"
      />
      <CopyButton text={value} size="md" />
    </div>
  )
}
