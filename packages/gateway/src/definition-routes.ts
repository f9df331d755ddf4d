import type { ApiDefinitionInput, IntegrationDefinitionInput } from './definition.js'

/** One REST method or HTTP API route of a definition, as `definitionRoutes()` lists it. */
export interface DefinitionRoute {
  /** `GET /pets/{id}` (REST methods are keyed the same way), or `$default`. */
  readonly routeKey: string
  /** `GET` … or `ANY` (`$default` is `ANY`). */
  readonly method: string
  /** Resource path, or `/$default`. */
  readonly path: string
  readonly authorizationType: string
  /** The inline integration, or the one `integrationId` names (HTTP API). */
  readonly integration: IntegrationDefinitionInput | undefined
}

/**
 * Every method (REST `resources[path].resourceMethods`) or route (HTTP `routes`) of a definition as written, in
 * definition order: one walk for callers that check a definition before serving it (which Lambdas it invokes, which
 * routes need IAM, which route keys exist), whatever front door (createGateway, OpenAPI import, config) it came from.
 * @example
 * for (const r of definitionRoutes(definition)) if (r.authorizationType === 'AWS_IAM') console.log(r.routeKey)
 */
export function definitionRoutes(definition: ApiDefinitionInput): DefinitionRoute[] {
  const out: DefinitionRoute[] = []
  if (definition.protocol === 'REST') {
    for (const [path, resource] of Object.entries(definition.resources ?? {})) {
      for (const [method, m] of Object.entries(resource.resourceMethods ?? {})) {
        if (m === undefined) continue
        out.push({ routeKey: `${method} ${path}`, method, path, authorizationType: m.authorizationType ?? 'NONE', integration: m.integration })
      }
    }
    return out
  }
  for (const [key, route] of Object.entries(definition.routes ?? {})) {
    const space = key.indexOf(' ')
    const integration = route.integration ?? (route.integrationId === undefined ? undefined : definition.integrations?.[route.integrationId])
    out.push({
      routeKey: key,
      method: space === -1 ? 'ANY' : key.slice(0, space),
      path: space === -1 ? `/${key}` : key.slice(space + 1),
      authorizationType: route.authorizationType ?? 'NONE',
      integration
    })
  }
  return out
}
