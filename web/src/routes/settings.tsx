import { useSearchParams } from 'react-router'
import { PageHeader } from '@/components/ui/Card'
import { Tabs } from '@/components/ui/Tabs'
import { ApiKeysSection } from '@/features/settings/ApiKeysSection'
import { MembersSection } from '@/features/settings/MembersSection'
import { OrgSection } from '@/features/settings/OrgSection'
import { ProjectsSection } from '@/features/settings/ProjectsSection'
import { ProvidersSection } from '@/features/settings/ProvidersSection'
import { canAdmin, useSession } from '@/hooks/useSession'

type Tab = 'projects' | 'members' | 'keys' | 'providers' | 'org'
const TABS: { value: Tab; label: string }[] = [
  { value: 'projects', label: 'Projects' },
  { value: 'members', label: 'Members' },
  { value: 'keys', label: 'API keys' },
  { value: 'providers', label: 'LLM providers' },
  { value: 'org', label: 'Organization' },
]

export function SettingsRoute() {
  const { me } = useSession()
  const [params, setParams] = useSearchParams()
  const tab = (TABS.some((t) => t.value === params.get('tab')) ? params.get('tab') : 'projects') as Tab
  const admin = canAdmin(me)
  return (
    <div className="mx-auto max-w-5xl px-4 py-6 sm:px-6">
      <PageHeader title="Settings" description={me ? `${me.org.name} · you are ${me.role}` : undefined} />
      <Tabs label="Settings sections" className="mb-5" value={tab} onChange={(t) => setParams({ tab: t }, { replace: true })} items={TABS} />
      {tab === 'projects' && <ProjectsSection canEdit={admin} />}
      {tab === 'members' && <MembersSection canEdit={admin} selfId={me?.user.id} />}
      {tab === 'keys' && <ApiKeysSection />}
      {tab === 'providers' && <ProvidersSection canEdit={admin} />}
      {tab === 'org' && me && <OrgSection orgId={me.org.id} canEdit={admin} />}
    </div>
  )
}
