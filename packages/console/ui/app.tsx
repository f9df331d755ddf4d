import { useEffect, useState } from 'preact/hooks'
import { ApiError, clearToken, getToken, request, setToken } from './api.js'
import { ConfirmProvider } from './components.js'
import { ApisPage } from './pages/apis.js'
import { ConfigPage } from './pages/config.js'
import { KeysPage } from './pages/keys.js'
import { MetricsPage } from './pages/metrics.js'
import { UsagePage } from './pages/usage.js'

const PAGES = [
  { id: 'apis', label: 'APIs & stages' },
  { id: 'keys', label: 'API keys' },
  { id: 'usage', label: 'Usage plans & usage' },
  { id: 'metrics', label: 'Live metrics' },
  { id: 'config', label: 'Config & export' }
] as const
type PageId = (typeof PAGES)[number]['id']

const pageOf = (hash: string): PageId => {
  const id = hash.replace(/^#\/?/, '').split('/')[0] ?? ''
  return PAGES.some((p) => p.id === id) ? (id as PageId) : 'apis'
}

/** Sign-in: the admin token is checked with one management call, then kept in sessionStorage (this tab only). */
function Login({ onDone, reason }: { onDone: () => void; reason: string | undefined }): preact.JSX.Element {
  const [token, setValue] = useState('')
  const [error, setError] = useState<string | undefined>(reason)
  const [busy, setBusy] = useState(false)
  const submit = async (e: Event): Promise<void> => {
    e.preventDefault()
    setBusy(true)
    setError(undefined)
    try {
      await request('GET', '/restapis?limit=1', { token })
      setToken(token)
      onDone()
    } catch (err) {
      setError(err instanceof ApiError && err.status === 403 ? 'That token was refused (403). Use the value of the environment variable named by management.tokenFromEnv.' : err instanceof Error ? err.message : String(err))
    } finally {
      setBusy(false)
    }
  }
  return (
    <main class="login">
      <h1>gw console</h1>
      <form onSubmit={(e) => void submit(e)}>
        <label for="token">Admin token</label>
        <input id="token" name="token" type="password" autocomplete="off" required minLength={16} value={token} onInput={(e) => setValue((e.target as HTMLInputElement).value)} />
        <button type="submit" class="primary" disabled={busy}>
          {busy ? 'Checking…' : 'Sign in'}
        </button>
        {error === undefined ? null : (
          <p class="error" role="alert" data-testid="login-error">
            {error}
          </p>
        )}
        <p class="muted">The token stays in this tab (sessionStorage) and is sent as a bearer header to the management API only.</p>
      </form>
    </main>
  )
}

/** The console: sign-in, then one page per management area, chosen by the URL hash. */
export function App(): preact.JSX.Element {
  const [signedIn, setSignedIn] = useState(getToken() !== null)
  const [reason, setReason] = useState<string | undefined>(undefined)
  const [page, setPage] = useState<PageId>(pageOf(location.hash))
  useEffect(() => {
    const onHash = (): void => setPage(pageOf(location.hash))
    addEventListener('hashchange', onHash)
    // a refused token anywhere sends the user back to sign-in with the reason
    const onRefused = (e: Event): void => {
      clearToken()
      setReason((e as CustomEvent<string>).detail)
      setSignedIn(false)
    }
    addEventListener('gw:token-refused', onRefused)
    return () => {
      removeEventListener('hashchange', onHash)
      removeEventListener('gw:token-refused', onRefused)
    }
  }, [])
  useEffect(() => {
    performance.mark('gw:first-render')
  }, [])
  if (!signedIn) return <Login reason={reason} onDone={() => setSignedIn(true)} />
  return (
    <div class="shell">
      <header class="top">
        <span class="brand">gw console</span>
        <nav aria-label="Pages">
          {PAGES.map((p) => (
            <a key={p.id} href={`#/${p.id}`} aria-current={p.id === page ? 'page' : undefined}>
              {p.label}
            </a>
          ))}
        </nav>
        <button
          type="button"
          class="link"
          onClick={() => {
            clearToken()
            setReason(undefined)
            setSignedIn(false)
          }}
        >
          Sign out
        </button>
      </header>
      <main id="main">
        <ConfirmProvider>
        {page === 'apis' ? <ApisPage /> : null}
        {page === 'keys' ? <KeysPage /> : null}
        {page === 'usage' ? <UsagePage /> : null}
        {page === 'metrics' ? <MetricsPage /> : null}
        {page === 'config' ? <ConfigPage /> : null}
        </ConfirmProvider>
      </main>
    </div>
  )
}
