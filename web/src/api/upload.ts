/**
 * Multipart upload through XMLHttpRequest: fetch has no upload progress events.
 */
import { ApiError, authHeaders } from './client'
import type { ProblemDetails } from './types'

export interface UploadProgress {
  loaded: number
  total: number
  /** 0..1; 1 once the body is sent (the server may still be processing). */
  fraction: number
}

export function uploadFiles<T>(
  url: string,
  field: string,
  files: File[],
  onProgress?: (p: UploadProgress) => void,
  signal?: AbortSignal,
): Promise<T> {
  const form = new FormData()
  for (const f of files) form.append(field, f, f.name)
  return new Promise<T>((resolve, reject) => {
    const xhr = new XMLHttpRequest()
    xhr.open('POST', url)
    authHeaders({ Accept: 'application/json' }).forEach((v, k) => xhr.setRequestHeader(k, v))
    xhr.upload.onprogress = (e) => {
      if (e.lengthComputable) {
        onProgress?.({ loaded: e.loaded, total: e.total, fraction: e.loaded / e.total })
      }
    }
    xhr.onload = () => {
      let body: unknown = null
      try {
        body = xhr.responseText ? JSON.parse(xhr.responseText) : null
      } catch {
        body = null
      }
      if (xhr.status >= 200 && xhr.status < 300) return resolve(body as T)
      const problem = (body ?? {}) as Partial<ProblemDetails>
      reject(
        new ApiError({
          title: problem.title ?? (xhr.statusText || 'Upload failed'),
          status: problem.status ?? xhr.status,
          detail: problem.detail ?? null,
          errors: problem.errors,
        }),
      )
    }
    xhr.onerror = () =>
      reject(new ApiError({ title: 'Network error', status: 0, detail: 'Upload failed' }))
    xhr.onabort = () => reject(new DOMException('Upload aborted', 'AbortError'))
    signal?.addEventListener('abort', () => xhr.abort(), { once: true })
    xhr.send(form)
  })
}
