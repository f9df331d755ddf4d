import { z } from 'zod'
import { parseOptions, reject, type GatewayContext } from '@gw/core'
import type { StageRegistry, StageState } from './stage-registry.js'
import { rejectForbidden } from './forbidden.js'
import { hostName, underBasePath } from './host-name.js'

/** A custom-domain base-path mapping (§1.1): host + base path → stage of this API. */
export interface BasePathMapping {
  /** Host name as the client sends it (`api.example.com`), matched case-insensitively, port ignored. */
  domainName: string
  /** `v1`, `v1/orders`, or `(none)` / `''` for the root. @default '(none)' */
  basePath?: string
  stage: string
}

/** Options of `createStageResolver()`. */
export interface StageResolverOptions {
  /** Custom-domain base-path mappings (§1.1). @default [] */
  basePathMappings?: BasePathMapping[]
  /** Default-host requests answer 403 Forbidden; only mapped domains serve (§1.1). @default false */
  disableExecuteApiEndpoint?: boolean
}

/** What a resolution found: the captured stage state and the matched base path. */
export interface StageResolution<D, C> {
  readonly state: StageState<D, C>
  /** `$context.customDomain.basePathMatched`: the mapping's base path, `(none)` for the root; `undefined` on the default host. */
  readonly basePathMatched: string | undefined
}

const optionsSchema = z
  .object({
    basePathMappings: z
      .array(
        z
          .object({
            domainName: z.string().min(1),
            basePath: z.string().regex(/^(\(none\)|[A-Za-z0-9._\-/]*)$/, 'a base path such as "v1", "v1/orders" or "(none)"').default('(none)'),
            stage: z.string().min(1)
          })
          .strict()
      )
      .default([]),
    disableExecuteApiEndpoint: z.boolean().default(false)
  })
  .strict()

interface CompiledMapping {
  readonly basePath: string // '' for (none), else 'v1/orders'
  readonly label: string
  readonly stage: string
}

/**
 * Builds the stage-selection step (§0.1 step 1, §0.2 step 1, §1.1). It sets
 * `ctx.stage`, `ctx.deploymentId`, `ctx.stageVariables` and `ctx.path` (stage
 * segment or base path removed) and returns the stage state the request
 * captures for its whole life. Unknown stage: REST 403 `{"message":"Forbidden"}`,
 * HTTP 404 `{"message":"Not Found"}`; then it returns `undefined` with the
 * response already in `ctx`.
 *
 * - Default host, REST: the first path segment is the stage (leading empty
 *   segments skipped: `//prod/x` works, §1.2).
 * - Default host, HTTP: the first segment if it names a stage, else `$default`.
 * - Custom domain: the longest base path that prefixes the path on a segment
 *   boundary wins; `(none)` maps the root.
 * @throws GwError GW_CONFIG_INVALID for bad options
 * @example
 * const resolve = createStageResolver(registry, { basePathMappings: [{ domainName: 'api.example.com', basePath: 'v1', stage: 'prod' }] })
 */
export function createStageResolver<D, C>(
  registry: StageRegistry<D, C>,
  options: StageResolverOptions = {}
): (ctx: GatewayContext<object>) => StageResolution<D, C> | undefined {
  const opts = parseOptions(optionsSchema, options, 'stages')
  const http = registry.flavour === 'HTTP'
  const domains = new Map<string, CompiledMapping[]>()
  for (const m of opts.basePathMappings) {
    const host = m.domainName.toLowerCase()
    const basePath = m.basePath === '(none)' ? '' : m.basePath.replace(/^\/+|\/+$/g, '')
    const list = domains.get(host) ?? []
    list.push({ basePath, label: basePath === '' ? '(none)' : basePath, stage: m.stage })
    // longest base path first
    list.sort((a, b) => b.basePath.length - a.basePath.length)
    domains.set(host, list)
  }
  const hasDomains = domains.size !== 0

  function fail(ctx: GatewayContext<object>): undefined {
    ctx.flavour = registry.flavour
    // Nothing of this API matches: inside a host framework, `fallthrough` hands the request to the host's routes.
    ctx.noRoute = true
    if (http) reject(ctx, 'RESOURCE_NOT_FOUND')
    else rejectForbidden(ctx, 'REST')
    return undefined
  }

  // The last stage state entered on the default host and its resolution and stage variables. A state is immutable
  // (every change swaps in a new object, §6.1), so the next request of that state reuses them, found by `===`: no
  // resolution object and no WeakMap lookup per request (#21).
  let lastState: StageState<D, C> | undefined
  let lastResolution: StageResolution<D, C> | undefined
  let lastVariables: GatewayContext<object>['stageVariables'] = null

  function enter(ctx: GatewayContext<object>, state: StageState<D, C> | undefined, path: string, basePathMatched: string | undefined): StageResolution<D, C> | undefined {
    if (state === undefined) return fail(ctx)
    ctx.flavour = registry.flavour
    ctx.stage = state.stageName
    ctx.deploymentId = state.deployment.id
    ctx.path = path
    if (basePathMatched === undefined && state === lastState) {
      ctx.stageVariables = lastVariables
      return lastResolution
    }
    const variables = isEmpty(state.variables) ? null : state.variables
    ctx.stageVariables = variables
    const resolution = { state, basePathMatched }
    // Only a frozen variables object is known not to change (the registry freezes every one it makes).
    if (basePathMatched === undefined && Object.isFrozen(state.variables)) {
      lastState = state
      lastResolution = resolution
      lastVariables = variables
    }
    return resolution
  }

  return function resolveStage(ctx) {
    const path = ctx.path
    if (hasDomains) {
      const list = domains.get(hostName(ctx.headers.host))
      if (list !== undefined) {
        for (const m of list) {
          if (m.basePath === '') return enter(ctx, registry.stage(m.stage), path, m.label)
          if (underBasePath(path, m.basePath)) {
            const end = 1 + m.basePath.length
            return enter(ctx, registry.stage(m.stage), path.length === end ? '/' : path.slice(end), m.label)
          }
        }
        return fail(ctx)
      }
    }
    // §1.1: a disabled default endpoint answers 403 Forbidden on REST and HTTP APIs alike
    if (opts.disableExecuteApiEndpoint) {
      rejectForbidden(ctx, registry.flavour)
      return undefined
    }
    let start = 0
    while (start < path.length && path.charCodeAt(start) === 47) start++
    const slash = path.indexOf('/', start)
    const name = slash === -1 ? path.slice(start) : path.slice(start, slash)
    const rest = slash === -1 ? '/' : path.slice(slash)
    const state = name === '' ? undefined : registry.stage(name)
    if (state !== undefined) return enter(ctx, state, rest, undefined)
    if (http) return enter(ctx, registry.stage('$default'), path, undefined)
    return fail(ctx)
  }
}

// Stage variables are frozen objects replaced as a whole: whether one is empty is worked out once, not per request.
const emptiness = new WeakMap<object, boolean>()

/** §2.1: `stageVariables` is null, not `{}`, when the stage has none. */
function isEmpty(vars: Readonly<Record<string, string>>): boolean {
  let empty = emptiness.get(vars)
  if (empty === undefined) {
    empty = true
    for (const _ in vars) {
      empty = false
      break
    }
    // only a frozen object cannot gain a variable later
    if (Object.isFrozen(vars)) emptiness.set(vars, empty)
  }
  return empty
}
