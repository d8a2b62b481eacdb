import { useState } from 'react'
import { PageHeader } from '@/components/ui/Card'
import { Tabs } from '@/components/ui/Tabs'
import { BrowsePanel } from '@/features/memory/BrowsePanel'
import { IngestPanel } from '@/features/memory/IngestPanel'
import { MemoryDialog } from '@/features/memory/MemoryDialog'
import { SearchPanel } from '@/features/memory/SearchPanel'

type Tab = 'search' | 'browse' | 'ingest'

export function MemoryRoute() {
  const [tab, setTab] = useState<Tab>('search')
  const [open, setOpen] = useState<string | null>(null)
  const [refresh, setRefresh] = useState(0)
  const bump = () => setRefresh((n) => n + 1)
  return (
    <div className="mx-auto max-w-5xl px-4 py-6 sm:px-6">
      <PageHeader title="Memory" description="Core, episodic and archival memory shared by your agents." />
      <Tabs
        label="Memory views"
        className="mb-5"
        value={tab}
        onChange={setTab}
        items={[
          { value: 'search', label: 'Search' },
          { value: 'browse', label: 'Browse' },
          { value: 'ingest', label: 'Ingest files' },
        ]}
      />
      <div hidden={tab !== 'search'}>
        <SearchPanel onOpen={setOpen} />
      </div>
      {tab === 'browse' && <BrowsePanel onOpen={setOpen} refreshKey={refresh} />}
      <div hidden={tab !== 'ingest'}>
        <IngestPanel onIngested={bump} />
      </div>
      <MemoryDialog id={open} onClose={() => setOpen(null)} onDeleted={bump} />
    </div>
  )
}
