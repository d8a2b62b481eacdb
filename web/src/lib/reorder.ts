/**
 * Reordering a group's members: the list after a drag (or a move button), and the
 * members whose `position` must be saved for the server's order (position, then id) to
 * become the shown one.
 */

/** `xs` with the item at `from` moved to index `to` (clamped); a new array. */
export function moveItem<T>(xs: readonly T[], from: number, to: number): T[] {
  const out = [...xs]
  if (from < 0 || from >= out.length) return out
  const [item] = out.splice(from, 1)
  out.splice(Math.max(0, Math.min(to, out.length)), 0, item!)
  return out
}

/**
 * The members to update after a reorder: each takes its index as its position, and only
 * those whose position changes are returned (earlier gaps or ties are closed as well).
 */
export function positionUpdates<T extends { id: string; position: number }>(ordered: readonly T[]): { id: string; position: number }[] {
  return ordered.flatMap((m, i) => (m.position === i ? [] : [{ id: m.id, position: i }]))
}
