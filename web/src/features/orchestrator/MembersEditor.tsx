import { useEffect, useRef, useState, type DragEvent, type FormEvent } from 'react'
import { ArrowDown, ArrowUp, Crown, GripVertical, Plus, Trash2 } from 'lucide-react'
import { asApiError, type ApiError } from '@/api/client'
import { addMember, removeMember, updateMember } from '@/api/teams'
import type { Group, GroupMember, Role } from '@/api/types'
import { Badge } from '@/components/ui/Badge'
import { Button, IconButton } from '@/components/ui/Button'
import { Select } from '@/components/ui/Input'
import { EmptyState, ErrorAlert } from '@/components/ui/States'
import { cn } from '@/lib/cn'
import { moveItem, positionUpdates } from '@/lib/reorder'

/**
 * A group's members in order (the order serial runs take turns): drag a row (HTML5 drag
 * and drop) or use its arrows to reorder, which saves the position of every member that
 * moved; mark the lead; add and remove members. `onChanged` reloads the group.
 */
export function MembersEditor({ group, roles, onChanged }: { group: Group; roles: Role[]; onChanged: () => void }) {
  const [order, setOrder] = useState<GroupMember[]>(group.members)
  const [dragging, setDragging] = useState<number | null>(null)
  // Read by dragover/drop, which can fire before the render that `dragging` causes.
  const from = useRef<number | null>(null)
  const [over, setOver] = useState<number | null>(null)
  const [busy, setBusy] = useState(false)
  const [error, setError] = useState<ApiError | null>(null)
  useEffect(() => setOrder(group.members), [group.members])

  /** Run `write`, then reload the group; on failure the server's order comes back. */
  const apply = async (write: () => Promise<unknown>) => {
    setBusy(true)
    setError(null)
    try {
      await write()
    } catch (e) {
      setError(asApiError(e))
      setOrder(group.members)
    } finally {
      setBusy(false)
      onChanged()
    }
  }
  const reorder = (from: number, to: number) => {
    if (from === to || busy) return
    const next = moveItem(order, from, to)
    const updates = positionUpdates(next)
    setOrder(next.map((m, i) => ({ ...m, position: i })))
    void apply(async () => {
      for (const u of updates) await updateMember(group.id, u.id, { position: u.position })
    })
  }

  const dragProps = (i: number) => ({
    draggable: !busy,
    onDragStart: (e: DragEvent) => {
      e.dataTransfer.effectAllowed = 'move'
      e.dataTransfer.setData('text/plain', order[i]!.id)
      from.current = i
      setDragging(i)
    },
    onDragOver: (e: DragEvent) => {
      if (from.current === null) return
      e.preventDefault()
      e.dataTransfer.dropEffect = 'move'
      setOver(i)
    },
    onDrop: (e: DragEvent) => {
      e.preventDefault()
      if (from.current !== null) reorder(from.current, i)
      from.current = null
      setDragging(null)
      setOver(null)
    },
    onDragEnd: () => {
      from.current = null
      setDragging(null)
      setOver(null)
    },
  })

  const hasLead = order.some((m) => m.is_lead)
  return (
    <div>
      {error && <ErrorAlert error={error} className="m-3" />}
      {order.length === 0 ? (
        <EmptyState title="No members yet" description="Add roles below: a team run needs at least one member." />
      ) : (
        <ol aria-label="Members" className="divide-y divide-zinc-100">
          {order.map((m, i) => (
            <li
              key={m.id}
              data-member-id={m.id}
              aria-label={m.role_name}
              {...dragProps(i)}
              className={cn('flex items-center gap-2 px-3 py-2.5 transition-colors', dragging === i && 'opacity-50', over === i && dragging !== null && dragging !== i && 'bg-brand-50 ring-1 ring-brand-300 ring-inset')}
            >
              <GripVertical className="size-4 shrink-0 cursor-grab text-zinc-400" aria-hidden="true" />
              <span className="w-5 shrink-0 text-right text-xs text-zinc-400 tabular-nums">{i + 1}</span>
              <div className="min-w-0 flex-1">
                <p className="flex flex-wrap items-center gap-2 text-sm font-medium text-zinc-900">
                  {m.role_name}
                  {m.is_lead && (
                    <Badge tone="amber">
                      <Crown className="size-3" aria-hidden="true" /> lead
                    </Badge>
                  )}
                </p>
                <p className="truncate font-mono text-xs text-zinc-500">{m.agent_id}</p>
              </div>
              {!m.is_lead && (
                <Button size="sm" variant="ghost" disabled={busy} onClick={() => apply(() => updateMember(group.id, m.id, { is_lead: true }))} aria-label={`Make ${m.role_name} the lead`}>
                  Make lead
                </Button>
              )}
              <IconButton label={`Move ${m.role_name} up`} size="sm" disabled={busy || i === 0} onClick={() => reorder(i, i - 1)} icon={<ArrowUp className="size-3.5" />} />
              <IconButton label={`Move ${m.role_name} down`} size="sm" disabled={busy || i === order.length - 1} onClick={() => reorder(i, i + 1)} icon={<ArrowDown className="size-3.5" />} />
              <IconButton label={`Remove ${m.role_name}`} size="sm" disabled={busy} className="text-red-600 hover:bg-red-50" onClick={() => apply(() => removeMember(group.id, m.id))} icon={<Trash2 className="size-3.5" />} />
            </li>
          ))}
        </ol>
      )}
      {order.length > 0 && !hasLead && <p className="border-t border-zinc-100 px-4 py-2 text-xs text-zinc-500">No lead: the last member in order leads.</p>}
      <AddMember group={group} roles={roles} busy={busy} onAdd={(roleId, lead) => apply(() => addMember(group.id, { role_id: roleId, is_lead: lead }))} />
    </div>
  )
}

function AddMember({ group, roles, busy, onAdd }: { group: Group; roles: Role[]; busy: boolean; onAdd: (roleId: string, lead: boolean) => Promise<void> }) {
  const seated = new Set(group.members.map((m) => m.role_id))
  const free = roles.filter((r) => !seated.has(r.id))
  const [roleId, setRoleId] = useState('')
  const [lead, setLead] = useState(false)
  const submit = async (e: FormEvent) => {
    e.preventDefault()
    if (!roleId) return
    await onAdd(roleId, lead)
    setRoleId('')
    setLead(false)
  }
  return (
    <form onSubmit={submit} className="flex flex-wrap items-center gap-2 border-t border-zinc-200 bg-zinc-50/60 px-3 py-2.5" aria-label="Add a member">
      <Select aria-label="Role to add" value={roleId} onChange={(e) => setRoleId(e.target.value)} className="w-56" disabled={!free.length}>
        <option value="">{free.length ? 'Choose a role…' : roles.length ? 'Every role is seated' : 'Create a role first'}</option>
        {free.map((r) => (
          <option key={r.id} value={r.id}>
            {r.name}
          </option>
        ))}
      </Select>
      <label className="flex items-center gap-1.5 text-sm text-zinc-700">
        <input type="checkbox" checked={lead} onChange={(e) => setLead(e.target.checked)} className="rounded border-zinc-300 text-brand-600 focus:ring-brand-500" />
        as lead
      </label>
      <Button type="submit" size="sm" variant="secondary" disabled={!roleId || busy} icon={<Plus className="size-3.5" />}>
        Add member
      </Button>
    </form>
  )
}
