import { api, credentials } from './client'
import type { LoginRequest, Me, TokenResponse } from './types'

export async function login(body: LoginRequest): Promise<TokenResponse> {
  const token = await api.post<TokenResponse>('/api/auth/login', body)
  credentials.setToken(token.access_token)
  return token
}

export function logout(): void {
  credentials.setToken(null)
}

export const getMe = (signal?: AbortSignal) => api.get<Me>('/api/me', undefined, signal)
