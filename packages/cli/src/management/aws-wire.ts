import { createHash } from 'node:crypto'
import { definitionRoutes, type ApiDefinitionInput, type IntegrationDefinitionInput } from '@gw/gateway'

/**
 * The API Gateway REST API's wire shapes (its `restJson1` protocol, as `@aws-sdk/client-api-gateway` and the AWS
 * CLI read them): timestamps are epoch seconds (numbers), lists are `{"item": [...], "position": "..."}` (SDKs
 * present `item` as `items`), absent members are left out rather than sent as null.
 */

/** An ISO timestamp as AWS sends it: whole epoch seconds. */
export const epochSeconds = (iso: string): number => Math.floor(Date.parse(iso) / 1000)

/** Members whose value is `undefined` or `null` left out, as AWS leaves out unset members. */
export function compact<T extends Record<string, unknown>>(value: T): Partial<T> {
  const out: Record<string, unknown> = {}
  for (const [k, v] of Object.entries(value)) if (v !== undefined && v !== null) out[k] = v
  return out as Partial<T>
}

/** Replaces `createdDate` / `lastUpdatedDate` ISO strings with epoch seconds and drops unset members. */
export function withEpochDates<T extends Record<string, unknown>>(value: T): Record<string, unknown> {
  const out: Record<string, unknown> = compact(value)
  for (const field of ['createdDate', 'lastUpdatedDate']) {
    const v = out[field]
    if (typeof v === 'string') out[field] = epochSeconds(v)
  }
  return out
}

/** Paging of `GET` list calls: `limit` 1–500 (default 25), `position` an opaque cursor from the previous page. */
export interface PageQuery {
  readonly limit: string | null
  readonly position: string | null
}

/** One page of a list in AWS's shape, or the 400 message for a bad `limit` / `position`. */
export function page<T>(items: readonly T[], query: PageQuery): { item: T[]; position?: string } | string {
  const limit = query.limit === null ? 25 : Number(query.limit)
  if (!Number.isInteger(limit) || limit < 1 || limit > 500) return 'Invalid limit specified. Must be between 1 and 500'
  let offset = 0
  if (query.position !== null) {
    offset = Number(Buffer.from(query.position, 'base64url').toString())
    if (!Number.isInteger(offset) || offset < 0) return 'Invalid position specified'
  }
  const next = offset + limit
  const out: { item: T[]; position?: string } = { item: items.slice(offset, next) }
  if (next < items.length) out.position = Buffer.from(String(next)).toString('base64url')
  return out
}

/** A resource id as AWS makes them (10 lower-case letters and digits), stable for a path so links keep working. */
export const resourceId = (apiId: string, path: string): string => createHash('sha256').update(`${apiId}\0${path}`).digest('hex').slice(0, 10)

/** The fields of a REST method or HTTP route that AWS's `Method` shape shows. */
interface MethodFields {
  authorizationType?: string | undefined
  authorizerId?: string | undefined
  apiKeyRequired?: boolean | undefined
  operationName?: string | undefined
  authorizationScopes?: string[] | undefined
  requestParameters?: Record<string, boolean> | undefined
  requestModels?: Record<string, string> | undefined
  integration?: IntegrationDefinitionInput | undefined
}

/** AWS's `Method` shape for one method or route of the definition (GetResources `embed=methods`). */
function methodOf(httpMethod: string, route: MethodFields): Record<string, unknown> {
  const integration = route.integration
  return compact({
    httpMethod,
    authorizationType: route.authorizationType ?? 'NONE',
    authorizerId: route.authorizerId,
    apiKeyRequired: route.apiKeyRequired ?? false,
    operationName: route.operationName,
    authorizationScopes: route.authorizationScopes,
    requestParameters: route.requestParameters ?? {},
    requestModels: route.requestModels ?? {},
    methodIntegration:
      integration === undefined
        ? undefined
        : compact({
            type: integration.type,
            httpMethod: integration.httpMethod,
            uri: integration.uri,
            connectionType: integration.connectionType,
            passthroughBehavior: integration.passthroughBehavior,
            timeoutInMillis: integration.timeoutInMillis,
            cacheNamespace: integration.cacheNamespace,
            cacheKeyParameters: integration.cacheKeyParameters
          })
  })
}

/**
 * GetResources: the definition's paths as AWS's resource tree (`/`, `/pets`, `/pets/{petId}`, each with `id`,
 * `parentId`, `pathPart`, `path` and its methods in `resourceMethods`), every ancestor included, in path order.
 */
export function resourcesOf(apiId: string, definition: ApiDefinitionInput): Record<string, unknown>[] {
  const byPath = new Map<string, Record<string, Record<string, unknown>>>([['/', {}]])
  for (const route of definitionRoutes(definition)) {
    const segments = route.path.split('/').filter(Boolean)
    for (let i = 1; i <= segments.length; i++) {
      const path = `/${segments.slice(0, i).join('/')}`
      if (!byPath.has(path)) byPath.set(path, {})
    }
    let fields: MethodFields
    if (definition.protocol === 'REST') fields = definition.resources?.[route.path]?.resourceMethods?.[route.method as 'GET'] ?? {}
    else {
      const { requestParameters, ...rest } = definition.routes?.[route.routeKey] ?? {}
      // HTTP routes declare `{ required }` per parameter; AWS's Method shape maps the name to the flag
      fields = { ...rest, requestParameters: Object.fromEntries(Object.entries(requestParameters ?? {}).map(([k, v]) => [k, v.required])) }
    }
    const methods = byPath.get(route.path === '' ? '/' : route.path)
    if (methods !== undefined) methods[route.method] = methodOf(route.method, { ...fields, integration: route.integration })
  }
  return [...byPath.keys()].sort().map((path) => {
    const methods = byPath.get(path) ?? {}
    const parent = path === '/' ? undefined : path.slice(0, path.lastIndexOf('/')) || '/'
    return compact({
      id: resourceId(apiId, path),
      parentId: parent === undefined ? undefined : resourceId(apiId, parent),
      pathPart: path === '/' ? undefined : path.slice(path.lastIndexOf('/') + 1),
      path,
      resourceMethods: Object.keys(methods).length === 0 ? undefined : methods
    })
  })
}
