import { api } from './client'
import { uploadFiles, type UploadProgress } from './upload'
import type {
  IngestResponse,
  Memory,
  MemorySearchRequest,
  MemorySearchResponse,
  MemoryTier,
  Page,
} from './types'

export const searchMemory = (body: MemorySearchRequest) =>
  api.post<MemorySearchResponse>('/api/memory/search', body)

export const listMemories = (
  opts: { tier?: MemoryTier; q?: string; limit?: number; cursor?: string | null },
  signal?: AbortSignal,
) => api.get<Page<Memory>>('/api/memory', opts, signal)

export const getMemory = (id: string) => api.get<Memory>(`/api/memory/${encodeURIComponent(id)}`)

export const deleteMemory = (id: string) => api.delete(`/api/memory/${encodeURIComponent(id)}`)

export const ingestFiles = (
  files: File[],
  onProgress?: (p: UploadProgress) => void,
  signal?: AbortSignal,
) => uploadFiles<IngestResponse>('/api/memory/ingest', 'files', files, onProgress, signal)
