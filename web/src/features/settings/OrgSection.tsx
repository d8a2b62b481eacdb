import { getOrg, updateOrg } from '@/api/settings'
import type { Org } from '@/api/types'
import { Card, CardHeader } from '@/components/ui/Card'
import { ErrorAlert, LoadingState } from '@/components/ui/States'
import { useToast } from '@/components/ui/Toast'
import { useResource } from '@/hooks/useResource'
import { useMutation } from '@/hooks/useMutation'

/** The org you act in: its name and id, and (admins) whether its providers may point at
 * private addresses. The platform's own setting can forbid them for every org; this one
 * can only forbid them for this org. */
export function OrgSection({ orgId, canEdit }: { orgId: string; canEdit: boolean }) {
  const org = useResource((s) => getOrg(orgId, s), [orgId])
  const save = useMutation((allowed: boolean) => updateOrg(orgId, { allow_private_base_urls: allowed }))
  const toast = useToast()

  const setPrivate = async (allowed: boolean) => {
    const updated = await save.run(allowed)
    if (!updated) return
    org.setData(updated)
    toast('success', allowed ? 'Providers may use private addresses' : 'Private addresses forbidden for providers')
  }

  return (
    <Card>
      <CardHeader title="Organization" description="The org you are working in. Only admins change its settings." />
      {org.error && <ErrorAlert error={org.error} onRetry={org.reload} className="m-3" />}
      {org.loading && !org.data ? <LoadingState /> : org.data && <OrgBody org={org.data} canEdit={canEdit} busy={save.busy} error={save.error} onPrivate={setPrivate} />}
    </Card>
  )
}

function OrgBody({ org, canEdit, busy, error, onPrivate }: { org: Org; canEdit: boolean; busy: boolean; error: unknown; onPrivate: (allowed: boolean) => void }) {
  return (
    <div className="space-y-4 px-4 py-4">
      <dl className="grid grid-cols-[8rem_1fr] gap-y-1 text-sm">
        <dt className="text-zinc-500">Name</dt>
        <dd className="font-medium text-zinc-900">{org.name}</dd>
        <dt className="text-zinc-500">Slug</dt>
        <dd className="font-mono text-xs text-zinc-700">{org.slug}</dd>
        <dt className="text-zinc-500">ID</dt>
        <dd className="font-mono text-xs text-zinc-700">{org.id}</dd>
      </dl>
      {error != null && <ErrorAlert error={error} />}
      <label className="flex items-start gap-3">
        <input
          type="checkbox"
          role="switch"
          aria-checked={org.allow_private_base_urls}
          checked={org.allow_private_base_urls}
          disabled={!canEdit || busy}
          onChange={(e) => onPrivate(e.target.checked)}
          className="mt-0.5 rounded border-zinc-300 text-brand-600 focus:ring-brand-500 disabled:opacity-50"
        />
        <span>
          <span className="block text-sm font-medium text-zinc-800">Providers may use private addresses</span>
          <span className="block text-xs text-zinc-500">
            Base URLs on loopback, private or link-local addresses, such as a model server next to the platform. Turn this off on a shared platform so that no
            provider of this org reaches the server’s own network: creating, testing or running such a provider is then refused. The platform setting
            llm.allow_private_base_urls forbids them for every org, whatever this says.
          </span>
        </span>
      </label>
    </div>
  )
}
