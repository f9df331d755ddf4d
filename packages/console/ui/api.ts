// The console's only way out: the management API (AWS's API Gateway REST API shapes) with the admin token as a
// bearer header. No cookies are used, so there is nothing for another site to ride on (no CSRF).

const TOKEN_KEY = 'gw.console.token'

/** The management path: the console is served at `{management path}/console/`. */
export const managementBase = (): string => location.pathname.replace(/\/console(\/.*)?$/, '')

export const getToken = (): string | null => sessionStorage.getItem(TOKEN_KEY)
export const setToken = (token: string): void => sessionStorage.setItem(TOKEN_KEY, token)
export const clearToken = (): void => sessionStorage.removeItem(TOKEN_KEY)

/** A failed call, with what to tell the user. */
export class ApiError extends Error {
  readonly status: number
  readonly errorType: string
  constructor(status: number, errorType: string, message: string) {
    super(message)
    this.status = status
    this.errorType = errorType
  }
}

/** Raw response of a management call (for downloads and the Prometheus text). */
export async function request(method: string, path: string, init: { body?: unknown; accept?: string; token?: string } = {}): Promise<Response> {
  const token = init.token ?? getToken() ?? ''
  const headers: Record<string, string> = { authorization: `Bearer ${token}`, accept: init.accept ?? 'application/json' }
  if (init.body !== undefined) headers['content-type'] = 'application/json'
  let res: Response
  try {
    res = await fetch(`${managementBase()}${path}`, { method, headers, cache: 'no-store', credentials: 'omit', ...(init.body === undefined ? {} : { body: JSON.stringify(init.body) }) })
  } catch (err) {
    throw new ApiError(0, 'NetworkError', `The management API cannot be reached (${err instanceof Error ? err.message : String(err)}). Is gw serve running?`)
  }
  if (res.status >= 400) {
    let message = res.statusText
    try {
      const body = (await res.json()) as { message?: unknown; Message?: unknown }
      const text = body.message ?? body.Message
      if (typeof text === 'string') message = text
    } catch {
      // not JSON: keep the status text
    }
    const errorType = res.headers.get('x-amzn-errortype') ?? 'Error'
    if (res.status === 403 && errorType === 'ForbiddenException') {
      const refused = 'The admin token was refused (403 Forbidden). Sign in again with the token of management.tokenFromEnv.'
      // the stored token stopped working (the server restarted with another one): back to sign-in, saying why
      if (init.token === undefined) dispatchEvent(new CustomEvent('gw:token-refused', { detail: refused }))
      throw new ApiError(403, errorType, refused)
    }
    throw new ApiError(res.status, errorType, `${String(res.status)} ${errorType}: ${message}`)
  }
  return res
}

/** A JSON management call. */
export async function api<T>(method: string, path: string, body?: unknown): Promise<T> {
  const res = await request(method, path, body === undefined ? {} : { body })
  return (await res.json()) as T
}

/** Every page of a `{item, position}` list; `onPage` sees the items so far after each page (progressive rendering). */
export async function listAll<T>(path: string, onPage?: (soFar: T[]) => void): Promise<T[]> {
  const out: T[] = []
  let position: string | undefined
  do {
    const sep = path.includes('?') ? '&' : '?'
    const page = await api<{ item?: T[]; position?: string }>('GET', `${path}${sep}limit=500${position === undefined ? '' : `&position=${encodeURIComponent(position)}`}`)
    out.push(...(page.item ?? []))
    position = page.position
    if (position !== undefined) onPage?.([...out])
  } while (position !== undefined)
  return out
}

export const enc = encodeURIComponent

// ---- the shapes the console reads (AWS's, dates in epoch seconds) ----

export interface RestApi {
  id: string
  name: string
  description?: string
  version?: string
  createdDate?: number
  protocolType?: string
}
export interface CanarySettings {
  percentTraffic: number
  deploymentId: string
  stageVariableOverrides?: Record<string, string>
  useStageCache?: boolean
}
export interface Stage {
  stageName: string
  deploymentId: string
  description?: string
  variables?: Record<string, string>
  canarySettings?: CanarySettings
  cacheClusterEnabled?: boolean
  createdDate?: number
  lastUpdatedDate?: number
}
export interface Deployment {
  id: string
  description?: string
  createdDate?: number
}
export interface Method {
  httpMethod: string
  authorizationType?: string
  authorizerId?: string
  apiKeyRequired?: boolean
  methodIntegration?: { type?: string; uri?: string; httpMethod?: string }
}
export interface Resource {
  id: string
  path: string
  resourceMethods?: Record<string, Method>
}
export interface ApiKey {
  id: string
  name: string
  value?: string
  description?: string
  enabled: boolean
  createdDate?: number
  stageKeys?: string[]
}
export interface UsagePlan {
  id: string
  name: string
  description?: string
  apiStages?: { apiId: string; stage: string }[]
  throttle?: { rateLimit?: number; burstLimit?: number }
  quota?: { limit: number; offset?: number; period: string }
}
export interface UsagePlanKey {
  id: string
  name: string
  type: string
}
export interface Usage {
  usagePlanId: string
  startDate: string
  endDate: string
  values?: Record<string, [number, number | null][]>
  position?: string
}

/** An epoch-seconds date as the user's local time. */
export const when = (seconds: number | undefined): string => (seconds === undefined ? '—' : new Date(seconds * 1000).toLocaleString())

/** Offers a blob to the user as a file download (the OpenAPI export, the effective config). */
export function saveBlob(blob: Blob, name: string): void {
  const url = URL.createObjectURL(blob)
  const a = document.createElement('a')
  a.href = url
  a.download = name
  document.body.append(a)
  a.click()
  a.remove()
  setTimeout(() => URL.revokeObjectURL(url), 10_000)
}
