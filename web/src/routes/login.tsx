import { useState, type FormEvent } from 'react'
import { Navigate, useNavigate, useSearchParams } from 'react-router'
import { LogIn } from 'lucide-react'
import { ApiError, asApiError } from '@/api/client'
import { Logo } from '@/components/layout/AppShell'
import { Button } from '@/components/ui/Button'
import { Field, Input } from '@/components/ui/Input'
import { ErrorAlert } from '@/components/ui/States'
import { useSession } from '@/hooks/useSession'

export function LoginRoute() {
  const { status, login, error: sessionError } = useSession()
  const [params] = useSearchParams()
  const navigate = useNavigate()
  const [username, setUsername] = useState('')
  const [password, setPassword] = useState('')
  const [busy, setBusy] = useState(false)
  const [error, setError] = useState<ApiError | null>(null)
  const next = params.get('next') || '/'
  const safeNext = next.startsWith('/') && !next.startsWith('//') ? next : '/'

  if (status === 'authenticated') return <Navigate to={safeNext} replace />

  const submit = async (e: FormEvent) => {
    e.preventDefault()
    setBusy(true)
    setError(null)
    try {
      await login({ username, password })
      navigate(safeNext, { replace: true })
    } catch (err) {
      const e = asApiError(err)
      // The server's 401 title is generic ("Authentication is required."): say what happened.
      setError(e.status === 401 ? new ApiError({ title: 'Wrong username or password', status: 401, detail: null }) : e)
    } finally {
      setBusy(false)
    }
  }
  const fields = error?.fieldErrorMap() ?? {}

  return (
    <div className="flex min-h-full items-center justify-center bg-gradient-to-b from-zinc-50 to-zinc-100 px-4 py-12">
      <div className="w-full max-w-sm">
        <div className="mb-8 flex flex-col items-center gap-3 text-center">
          <Logo />
          <div>
            <h1 className="text-2xl font-semibold tracking-tight text-zinc-900">Sign in</h1>
            <p className="mt-1 text-sm text-zinc-500">Run, trace and supervise your agents.</p>
          </div>
        </div>
        <form onSubmit={submit} className="space-y-4 rounded-xl border border-zinc-200 bg-white p-6 shadow-sm" noValidate>
          {(error || sessionError) && <ErrorAlert error={error ?? sessionError} />}
          <Field label="Username" error={fields.username}>
            {(p) => <Input {...p} name="username" autoComplete="username" autoFocus required value={username} onChange={(e) => setUsername(e.target.value)} />}
          </Field>
          <Field label="Password" error={fields.password}>
            {(p) => <Input {...p} name="password" type="password" autoComplete="current-password" required value={password} onChange={(e) => setPassword(e.target.value)} />}
          </Field>
          <Button type="submit" variant="primary" className="w-full" loading={busy} disabled={!username || !password} icon={<LogIn className="size-4" />}>
            Sign in
          </Button>
        </form>
        <p className="mt-6 text-center text-xs text-zinc-400">
          API keys work too: send them as <code className="font-mono">Authorization: Bearer …</code>
        </p>
      </div>
    </div>
  )
}
