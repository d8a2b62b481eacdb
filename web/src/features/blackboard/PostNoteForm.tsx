import { useState, type FormEvent } from 'react'
import { Send } from 'lucide-react'
import { postBlackboard } from '@/api/teams'
import { BLACKBOARD_POST_KINDS, type BlackboardEntry, type BlackboardPostKind } from '@/api/types'
import { Button } from '@/components/ui/Button'
import { Field, Input, Select, Textarea } from '@/components/ui/Input'
import { ErrorAlert } from '@/components/ui/States'
import { useMutation } from '@/hooks/useMutation'

const EMPTY = { title: '', content: '', kind: 'note' as BlackboardPostKind, tags: '' }

/** Post an entry to the group's blackboard: the team reads it in its next runs. */
export function PostNoteForm({ groupId, onPosted }: { groupId: string; onPosted: (e: BlackboardEntry) => void }) {
  const [form, setForm] = useState(EMPTY)
  const post = useMutation(() =>
    postBlackboard(groupId, {
      title: form.title.trim(),
      content: form.content.trim(),
      kind: form.kind,
      tags: form.tags.split(',').map((t) => t.trim()).filter(Boolean),
    }),
  )
  const submit = async (e: FormEvent) => {
    e.preventDefault()
    const entry = await post.run()
    if (!entry) return
    setForm(EMPTY)
    onPosted(entry)
  }
  const fe = post.error?.fieldErrorMap() ?? {}
  const set = <K extends keyof typeof EMPTY>(k: K, v: (typeof EMPTY)[K]) => setForm((f) => ({ ...f, [k]: v }))
  return (
    <form onSubmit={submit} className="space-y-3 p-4" aria-label="Post to the blackboard">
      {post.error && <ErrorAlert error={post.error} />}
      <Field label="Title" error={fe.title}>
        {(p) => <Input {...p} value={form.title} onChange={(e) => set('title', e.target.value)} placeholder="Budget is capped at 10k" />}
      </Field>
      <Field label="Content" error={fe.content}>
        {(p) => <Textarea {...p} rows={5} value={form.content} onChange={(e) => set('content', e.target.value)} placeholder="What the team should know" />}
      </Field>
      <div className="grid grid-cols-2 gap-3">
        <Field label="Kind" error={fe.kind}>
          {(p) => (
            <Select {...p} value={form.kind} onChange={(e) => set('kind', e.target.value as BlackboardPostKind)}>
              {BLACKBOARD_POST_KINDS.map((k) => (
                <option key={k} value={k}>
                  {k}
                </option>
              ))}
            </Select>
          )}
        </Field>
        <Field label="Tags" hint="Comma-separated." error={fe.tags}>
          {(p) => <Input {...p} value={form.tags} onChange={(e) => set('tags', e.target.value)} placeholder="budget, q3" />}
        </Field>
      </div>
      <div className="flex justify-end">
        <Button type="submit" variant="primary" loading={post.busy} disabled={!form.title.trim() || !form.content.trim()} icon={<Send className="size-4" />}>
          Post
        </Button>
      </div>
    </form>
  )
}
