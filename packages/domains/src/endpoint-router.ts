import type { IncomingMessage } from 'node:http'
import type { TLSSocket } from 'node:tls'
import { z } from 'zod'
import { CLIENT_CERT, parseOptions, reject, rejectAtFrontDoor, type ApiFlavour, type GatewayContext, type Middleware, type Next } from '@gw/core'
import { hostName, rejectForbidden, underBasePath } from '@gw/stages'
import { clientCertificateOf } from './client-cert.js'
import { addEdgeHeaders, compileEdgeHeaders, EDGE_URL_LENGTH_LIMIT, type EdgeHeaders } from './edge.js'

/** An endpoint type (§1.1, §16.2 `x-amazon-apigateway-endpoint-configuration`). */
export type EndpointType = 'REGIONAL' | 'EDGE' | 'PRIVATE'

/** One API behind the router. */
export interface EndpointApi {
  /** `$context.apiId`: the API answers at `{apiId}.{executeApiDomain}` (§1.1). */
  apiId: string
  flavour: ApiFlavour
  /** The API's whole pipeline (`createGateway().handler`): it resolves the stage or base path itself. */
  handler: Middleware<object>
  /**
   * Served on other host names (an IP, `localhost`) under this path prefix: `''` at the root (one API), `/{name}`
   * when several share a port. @default not served by path prefix
   */
  pathPrefix?: string
  /** @default 'REGIONAL' */
  endpointType?: EndpointType
  /** The execute-api host name (and path prefix) answer 403 Forbidden; only custom domains serve (§1.1). @default false */
  disableExecuteApiEndpoint?: boolean
  /** EDGE: CloudFront viewer header values replacing the defaults (`CloudFront-Viewer-Country: DE`). @default a desktop viewer in the US */
  edgeHeaders?: Record<string, string>
}

/** One base-path mapping of a custom domain (§1.1). */
export interface DomainMapping {
  /** `v1`, `v1/orders`, or `(none)` for the root. @default '(none)' */
  basePath?: string
  /** The mapped API's `apiId`. */
  apiId: string
  /** The mapped stage (`$default` for an HTTP API's default stage); see {@link basePathMappingsOf}. */
  stage: string
}

/** A custom domain name (§1.1). */
export interface CustomDomain {
  /** `api.example.com`, as clients send it in `Host` (and SNI). */
  domainName: string
  /** Mutual TLS: only connections that presented a certificate the domain's truststore verified are served. @default false */
  mutualTls?: boolean
  mappings: DomainMapping[]
}

/** A VPC endpoint private APIs are reachable through (§10.9 `aws:SourceVpce`). */
export interface VpcEndpoint {
  /** `vpce-0123456789abcdef0`: `$context.identity.vpceId`, `aws:SourceVpce`. */
  id: string
  /** `vpc-…`: `$context.identity.vpcId`, `aws:SourceVpc`. @default none */
  vpcId?: string
  /**
   * A request header a trusted proxy in front of the gateway sets to this endpoint's id for traffic that came
   * through it. Anyone who can reach the listener can send it: use it only behind that proxy. @default none (the
   * endpoint is a listener of its own, see `EndpointRouter.via`)
   */
  trustedHeader?: string
}

/** Options of {@link createEndpointRouter}. */
export interface EndpointRouterOptions {
  apis: EndpointApi[]
  /** Host-name suffix of the default endpoints: `{apiId}.{executeApiDomain}`. @default 'execute-api.localhost' */
  executeApiDomain?: string
  domains?: CustomDomain[]
  vpcEndpoints?: VpcEndpoint[]
}

/** What {@link createEndpointRouter} returns. */
export interface EndpointRouter {
  /** The main listener's step: picks the API by host name, custom domain and base path, or path prefix. */
  readonly dispatch: Middleware<object>
  /** The same step for a listener that stands for a VPC endpoint: private APIs serve, `x-apigw-api-id` selects. */
  via(vpceId: string): Middleware<object>
  /** node:http step before the gateway: CloudFront's headers on requests for EDGE APIs; `undefined` when no API is EDGE. */
  readonly edge: ((req: IncomingMessage) => void) | undefined
}

const API_ID = /^[a-z0-9][a-z0-9-]{0,62}$/
const BASE_PATH = /^(\(none\)|[A-Za-z0-9._-]+(\/[A-Za-z0-9._-]+)*)$/

const optionsSchema = z
  .object({
    apis: z
      .array(
        z
          .object({
            apiId: z.string().regex(API_ID, 'an apiId is lower-case letters and digits, e.g. a1b2c3d4e5 (§1.1)'),
            flavour: z.enum(['REST', 'HTTP']),
            handler: z.custom<Middleware<object>>((v) => typeof v === 'function', 'a middleware'),
            pathPrefix: z.string().regex(/^(\/[^/]+)?$/, "'' or '/{name}'").optional(),
            endpointType: z.enum(['REGIONAL', 'EDGE', 'PRIVATE']).default('REGIONAL'),
            disableExecuteApiEndpoint: z.boolean().default(false),
            edgeHeaders: z.record(z.string().regex(/^[A-Za-z0-9-]+$/, 'a header name'), z.string()).optional()
          })
          .strict()
      )
      .min(1),
    executeApiDomain: z.string().regex(/^[a-z0-9-]+(\.[a-z0-9-]+)*$/, 'a DNS name such as execute-api.localhost').default('execute-api.localhost'),
    domains: z
      .array(
        z
          .object({
            domainName: z.string().regex(/^[A-Za-z0-9-]+(\.[A-Za-z0-9-]+)+$/, 'a host name such as api.example.com'),
            mutualTls: z.boolean().default(false),
            mappings: z.array(z.object({ basePath: z.string().regex(BASE_PATH, 'a base path such as "v1", "v1/orders" or "(none)"').default('(none)'), apiId: z.string(), stage: z.string().min(1) }).strict()).min(1)
          })
          .strict()
      )
      .default([]),
    vpcEndpoints: z
      .array(
        z
          .object({
            id: z.string().regex(/^vpce-[0-9a-z]+$/, 'a VPC endpoint id such as vpce-0123456789abcdef0'),
            vpcId: z.string().regex(/^vpc-[0-9a-z]+$/, 'a VPC id such as vpc-0123456789abcdef0').optional(),
            trustedHeader: z.string().regex(/^[A-Za-z0-9-]+$/, 'a header name').optional()
          })
          .strict()
      )
      .default([])
  })
  .strict()
  .superRefine((o, issue) => {
    const ids = new Set<string>()
    o.apis.forEach((a, i) => {
      if (ids.has(a.apiId)) issue.addIssue({ code: 'custom', path: ['apis', i, 'apiId'], message: `duplicate apiId '${a.apiId}'` })
      ids.add(a.apiId)
      if (a.flavour === 'HTTP' && a.endpointType !== 'REGIONAL') issue.addIssue({ code: 'custom', path: ['apis', i, 'endpointType'], message: 'HTTP APIs are REGIONAL only (§0.2)' })
    })
    const names = new Set<string>()
    o.domains.forEach((d, i) => {
      const name = d.domainName.toLowerCase()
      if (names.has(name)) issue.addIssue({ code: 'custom', path: ['domains', i, 'domainName'], message: `duplicate domain '${name}'` })
      names.add(name)
      const paths = new Set<string>()
      d.mappings.forEach((m, j) => {
        const api = o.apis.find((a) => a.apiId === m.apiId)
        if (api === undefined) issue.addIssue({ code: 'custom', path: ['domains', i, 'mappings', j, 'apiId'], message: `unknown apiId '${m.apiId}'` })
        else if (api.endpointType === 'PRIVATE') issue.addIssue({ code: 'custom', path: ['domains', i, 'mappings', j, 'apiId'], message: 'a private API cannot be mapped to a public custom domain (§1.1)' })
        if (paths.has(m.basePath)) issue.addIssue({ code: 'custom', path: ['domains', i, 'mappings', j, 'basePath'], message: `duplicate base path '${m.basePath}'` })
        paths.add(m.basePath)
      })
    })
  })

interface RoutedApi {
  readonly apiId: string
  readonly flavour: ApiFlavour
  readonly handler: Middleware<object>
  readonly endpointType: EndpointType
  readonly disabled: boolean
  readonly edge: EdgeHeaders | undefined
}

interface CompiledDomain {
  readonly mutualTls: boolean
  /** Longest base path first; `''` is `(none)`. */
  readonly mappings: readonly { readonly basePath: string; readonly api: RoutedApi }[]
}

interface ResolvedVpce {
  readonly vpceId: string
  readonly vpcId: string | null
}

/**
 * The endpoint layer in front of several APIs on one listener (aws-semantics
 * §0.1 step 1, §1.1): `{apiId}.{executeApiDomain}` host names (stage as the
 * first path segment, several APIs on one port), custom domains with
 * base-path mappings across APIs (the longest base path on a segment boundary
 * wins; the mapped API's own resolver strips it), mutual TLS per domain
 * (`$context.identity.clientCert`, §2.1/§2.2/§13.3), EDGE APIs (CloudFront's
 * headers, 8,192-character URLs, §15) and PRIVATE APIs (only through a declared
 * VPC endpoint, `aws:SourceVpce` / `aws:SourceVpc` for resource policies,
 * `x-apigw-api-id`, §10.9). Unknown execute-api ids, unmapped base paths,
 * disabled execute-api endpoints and private APIs reached from outside answer
 * 403 `{"message":"Forbidden"}`.
 * @throws GwError GW_CONFIG_INVALID for bad options (duplicate ids, unknown mapped APIs, an EDGE HTTP API)
 * @example
 * const router = createEndpointRouter({ apis: [{ apiId: 'a1b2c3d4e5', flavour: 'REST', handler: gw.handler }] })
 * createServer(toNodeHandler(router.dispatch)).listen(8080) // curl http://a1b2c3d4e5.execute-api.localhost:8080/prod/pets
 */
export function createEndpointRouter(options: EndpointRouterOptions): EndpointRouter {
  const opts = parseOptions(optionsSchema, options, 'endpoints')
  const byId = new Map<string, RoutedApi>()
  const byPrefix: { prefix: string; api: RoutedApi }[] = []
  for (const a of opts.apis) {
    const api: RoutedApi = {
      apiId: a.apiId,
      flavour: a.flavour,
      handler: a.handler,
      endpointType: a.endpointType,
      disabled: a.disableExecuteApiEndpoint,
      edge: a.endpointType === 'EDGE' ? compileEdgeHeaders(a.edgeHeaders) : undefined
    }
    byId.set(a.apiId, api)
    if (a.pathPrefix !== undefined) byPrefix.push({ prefix: a.pathPrefix, api })
  }
  const suffix = `.${opts.executeApiDomain}`
  const domains = new Map<string, CompiledDomain>()
  for (const d of opts.domains) {
    const mappings = d.mappings
      .map((m) => ({ basePath: m.basePath === '(none)' ? '' : m.basePath, api: byId.get(m.apiId) as RoutedApi }))
      .sort((x, y) => y.basePath.length - x.basePath.length)
    domains.set(d.domainName.toLowerCase(), { mutualTls: d.mutualTls, mappings })
  }
  const vpces = new Map<string, ResolvedVpce>(opts.vpcEndpoints.map((v) => [v.id, { vpceId: v.id, vpcId: v.vpcId ?? null }]))
  const trusted = opts.vpcEndpoints.filter((v) => v.trustedHeader !== undefined).map((v) => ({ header: (v.trustedHeader as string).toLowerCase(), vpce: vpces.get(v.id) as ResolvedVpce }))

  /** The VPC endpoint a main-listener request names in a trusted header, if any. */
  function trustedVpce(ctx: GatewayContext<object>): ResolvedVpce | undefined {
    for (const t of trusted) if (ctx.headers[t.header] === t.vpce.vpceId) return t.vpce
    return undefined
  }

  /** The API a request names by host or path prefix (not custom domains), with the prefix it matched. */
  function selectApi(host: string, path: string): { api: RoutedApi; prefix: string } | null | undefined {
    if (host.endsWith(suffix)) {
      const api = byId.get(host.slice(0, -suffix.length))
      return api === undefined ? null : { api, prefix: '' }
    }
    for (const p of byPrefix) if (p.prefix === '' || underBasePath(path, p.prefix.slice(1))) return p
    return undefined
  }

  function serveApi(ctx: GatewayContext<object>, next: Next, api: RoutedApi, vpce: ResolvedVpce | undefined): Promise<void> | void {
    if (api.endpointType === 'PRIVATE') {
      if (vpce === undefined) return rejectForbidden(ctx, api.flavour)
      // §2.1 identity.vpceId / vpcId; the resource policy's aws:SourceVpce / aws:SourceVpc (§10.9)
      ctx.identity = { ...ctx.identity, vpceId: vpce.vpceId, vpcId: vpce.vpcId }
    } else if (api.endpointType === 'EDGE' && ctx.source.url.length > EDGE_URL_LENGTH_LIMIT) {
      ctx.flavour = api.flavour
      return rejectAtFrontDoor(ctx, 414)
    }
    ctx.flavour = api.flavour
    return api.handler(ctx, next)
  }

  function route(ctx: GatewayContext<object>, next: Next, via: ResolvedVpce | undefined): Promise<void> | void {
    const host = hostName(ctx.headers.host)
    const domain = domains.get(host)
    if (domain !== undefined) return serveDomain(ctx, next, host, domain)
    const path = ctx.path
    const vpce = via ?? (trusted.length === 0 ? undefined : trustedVpce(ctx))
    let selected = selectApi(host, path)
    // §10.9: through a VPC endpoint's own DNS name, `x-apigw-api-id` names the private API
    if (selected === undefined && vpce !== undefined) {
      const named = ctx.headers['x-apigw-api-id']
      const api = typeof named === 'string' ? byId.get(named) : undefined
      if (api !== undefined) selected = { api, prefix: '' }
    }
    if (selected === null) return rejectForbidden(ctx, 'REST')
    // §1.1: a path that names no API is an unknown resource
    if (selected === undefined) return reject(ctx, 'MISSING_AUTHENTICATION_TOKEN')
    const { api, prefix } = selected
    if (api.disabled) return rejectForbidden(ctx, api.flavour)
    if (prefix !== '') ctx.path = path.slice(prefix.length) || '/'
    return serveApi(ctx, next, api, vpce)
  }

  function serveDomain(ctx: GatewayContext<object>, next: Next, host: string, domain: CompiledDomain): Promise<void> | void {
    if (domain.mutualTls) {
      // The handshake already refused clients without a valid certificate for this name; a request whose Host
      // names an mTLS domain on a connection made for another name (or without TLS) is refused here.
      const socket = ctx.source.socket as TLSSocket | undefined
      if (socket === undefined || !socket.authorized || (socket.servername || '').toLowerCase() !== host) return rejectForbidden(ctx, 'REST')
      const cert = clientCertificateOf(socket)
      if (cert !== undefined) (ctx.state as { [CLIENT_CERT]?: unknown })[CLIENT_CERT] = cert
    }
    const path = ctx.path
    for (const m of domain.mappings) if (underBasePath(path, m.basePath)) return serveApi(ctx, next, m.api, undefined)
    // §1.1 [I]: no mapping for this base path
    return rejectForbidden(ctx, 'REST')
  }

  const viaCache = new Map<string, Middleware<object>>()
  const edgeApis = [...byId.values()].some((a) => a.edge !== undefined)
  return {
    dispatch: (ctx, next) => route(ctx, next, undefined),
    via(vpceId) {
      let mw = viaCache.get(vpceId)
      if (mw === undefined) {
        const vpce = vpces.get(vpceId)
        if (vpce === undefined) throw new TypeError(`unknown VPC endpoint '${vpceId}'`)
        viaCache.set(vpceId, (mw = (ctx, next) => route(ctx, next, vpce)))
      }
      return mw
    },
    edge: edgeApis
      ? (req) => {
          const host = hostName(req.headers.host)
          const url = req.url ?? '/'
          const q = url.indexOf('?')
          const path = q === -1 ? url : url.slice(0, q)
          const domain = domains.get(host)
          const api = domain === undefined ? selectApi(host, path)?.api : domain.mappings.find((m) => underBasePath(path, m.basePath))?.api
          if (api?.edge !== undefined) addEdgeHeaders(req, api.edge)
        }
      : undefined
  }
}

/**
 * The `basePathMappings` (§1.1) one API's definition needs for the custom domains that map it: the router picks
 * the API by domain and base path, the API's own stage resolver then strips the base path and enters the stage.
 * @example
 * createGateway({ ...definition, basePathMappings: basePathMappingsOf(domains, 'a1b2c3d4e5') })
 */
export function basePathMappingsOf(domains: readonly CustomDomain[], apiId: string): { domainName: string; basePath: string; stage: string }[] {
  const out: { domainName: string; basePath: string; stage: string }[] = []
  for (const d of domains) for (const m of d.mappings) if (m.apiId === apiId) out.push({ domainName: d.domainName, basePath: m.basePath ?? '(none)', stage: m.stage })
  return out
}
