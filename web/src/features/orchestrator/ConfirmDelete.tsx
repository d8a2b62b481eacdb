import type { ReactNode } from 'react'
import type { ApiError } from '@/api/client'
import { Button } from '@/components/ui/Button'
import { Dialog } from '@/components/ui/Dialog'
import { ErrorAlert } from '@/components/ui/States'

/** "Delete …?" with the server's refusal shown in place (e.g. a role a group still seats). */
export function ConfirmDelete({ open, title, description, busy, error, onCancel, onConfirm }: { open: boolean; title: string; description: ReactNode; busy: boolean; error: ApiError | null; onCancel: () => void; onConfirm: () => void }) {
  return (
    <Dialog
      open={open}
      onClose={onCancel}
      size="sm"
      title={title}
      description={description}
      footer={
        <>
          <Button onClick={onCancel}>Cancel</Button>
          <Button variant="danger" onClick={onConfirm} loading={busy}>
            Delete
          </Button>
        </>
      }
    >
      {error && <ErrorAlert error={error} />}
    </Dialog>
  )
}
