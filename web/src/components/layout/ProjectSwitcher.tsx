import { FolderKanban } from 'lucide-react'
import { useSession } from '@/hooks/useSession'

/** Picks the project sent as x-project-id; "All projects" sends none (org scope). */
export function ProjectSwitcher() {
  const { projects, projectId, setProjectId, me } = useSession()
  return (
    <div className="flex min-w-0 items-center gap-2">
      <span className="hidden text-sm font-medium text-zinc-500 sm:inline">{me?.org.name}</span>
      <span className="hidden text-zinc-300 sm:inline">/</span>
      <label className="relative flex min-w-0 items-center">
        <span className="sr-only">Project</span>
        <FolderKanban className="pointer-events-none absolute left-2.5 size-4 text-zinc-400" />
        <select
          value={projectId ?? ''}
          onChange={(e) => setProjectId(e.target.value || null)}
          className="h-8 max-w-[14rem] min-w-0 truncate rounded-md border-0 bg-zinc-100 pr-8 pl-8 text-sm font-medium text-zinc-800 hover:bg-zinc-200/70 focus:ring-2 focus:ring-brand-500 focus:outline-none"
        >
          <option value="">All projects</option>
          {projects.map((p) => (
            <option key={p.id} value={p.id}>
              {p.name}
            </option>
          ))}
          {projectId && !projects.some((p) => p.id === projectId) && <option value={projectId}>{projectId}</option>}
        </select>
      </label>
    </div>
  )
}
