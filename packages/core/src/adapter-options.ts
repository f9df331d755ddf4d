import { z } from 'zod'
import type { GatewayContext, ContextSettings } from './context.js'
import type { ApiFlavour } from './gateway-response-types.js'
import { compileGatewayResponses, reject, type CompiledGatewayResponses, type GatewayResponseCustomizations } from './gateway-responses.js'
import { jsonLogger, type Logger } from './logger.js'
import { parseOptions } from './options.js'
import { compileTrustProxy, trustProxySchema, type ClientAddressResolver, type TrustProxy } from './trust-proxy.js'
import { DEFAULT_BODY_LIMIT } from './context.js'

/** Options shared by every adapter (`toNodeHandler`, `toFetchHandler`, Express, Koa, Fastify). */
export interface AdapterOptions {
  /** Error catalogue: REST (§12.1, customizable) or HTTP API (§12.3). @default 'REST' */
  flavour?: ApiFlavour
  /** Request body limit in bytes; larger bodies get 413 (§15). @default 10485760 (10 MB) */
  bodyLimit?: number
  /** Where unhandled errors are logged (one line each). @default jsonLogger */
  logger?: Logger
  /** Customized gateway responses (§12.2), compiled once. @default none */
  gatewayResponses?: GatewayResponseCustomizations
  /** Which proxies may set `X-Forwarded-For` (see `TrustProxy`). @default false */
  trustProxy?: TrustProxy
}

/** Adapter options after validation, with everything per-request-free precompiled. */
export interface CompiledAdapterOptions {
  readonly logger: Logger
  readonly flavour: ApiFlavour
  readonly bodyLimit: number
  /** Shared settings used when no proxy is trusted (no per-request allocation). */
  readonly settings: ContextSettings
  readonly gatewayResponses: CompiledGatewayResponses | undefined
  readonly clientAddress: ClientAddressResolver | undefined
}

const loggerSchema = z.custom<Logger>(
  (v) => typeof v === 'object' && v !== null && ['error', 'warn', 'info'].every((m) => typeof (v as Record<string, unknown>)[m] === 'function'),
  { message: 'a Logger: an object with error(), warn() and info()' }
)

/** zod shape of `AdapterOptions`; adapters extend it with their own fields. */
export const adapterOptionsShape = {
  flavour: z.enum(['REST', 'HTTP']).optional(),
  bodyLimit: z.number().int().min(0).max(Number.MAX_SAFE_INTEGER).optional(),
  logger: loggerSchema.optional(),
  gatewayResponses: z.record(z.string(), z.unknown()).optional(),
  trustProxy: trustProxySchema.optional()
}

const schema = z.object(adapterOptionsShape).strict()

/**
 * Validates adapter options once (zod, `GW_CONFIG_INVALID` naming each path)
 * and precompiles gateway responses and the trust-proxy resolver.
 * @throws GwError GW_CONFIG_INVALID
 */
export function compileAdapterOptions(options: AdapterOptions | undefined, where: string, extra?: z.ZodRawShape): CompiledAdapterOptions {
  const parsed = parseOptions(extra === undefined ? schema : schema.extend(extra), options ?? {}, where) as AdapterOptions
  const flavour = parsed.flavour ?? 'REST'
  const bodyLimit = parsed.bodyLimit ?? DEFAULT_BODY_LIMIT
  return Object.freeze({
    logger: parsed.logger ?? jsonLogger,
    flavour,
    bodyLimit,
    settings: Object.freeze({ flavour, bodyLimit }),
    gatewayResponses: parsed.gatewayResponses === undefined ? undefined : compileGatewayResponses(parsed.gatewayResponses),
    clientAddress: parsed.trustProxy === undefined ? undefined : compileTrustProxy(parsed.trustProxy)
  })
}

/** Per-request settings: the shared object unless a trusted proxy named the client. */
export function settingsFor(compiled: CompiledAdapterOptions, socketAddress: string, forwardedFor: string | string[] | undefined): ContextSettings {
  const resolve = compiled.clientAddress
  if (resolve === undefined) return compiled.settings
  return { flavour: compiled.flavour, bodyLimit: compiled.bodyLimit, sourceIp: resolve(socketAddress, forwardedFor) }
}

/**
 * The gateway's answer to an ambiguous request (duplicate `Host` or
 * `Content-Length`): 400 `{"message":"Bad Request"}` with
 * `x-amzn-ErrorType: BadRequestException` (a DEFAULT_4XX, so a customized
 * DEFAULT_4XX applies; HTTP APIs render §12.3's 400).
 */
export function rejectAmbiguous(ctx: GatewayContext<object>): void {
  reject(ctx, 'DEFAULT_4XX', { status: 400, message: 'Bad Request', headers: { 'x-amzn-errortype': 'BadRequestException' } })
}

/**
 * Options of the host-framework adapters (Express, Koa, Fastify, Hono): core
 * options plus `fallthrough`. A pipeline that calls its last `next()` without
 * answering always hands the request to the host (no option needed).
 */
export interface HostAdapterOptions extends AdapterOptions {
  /** When a pipeline with routes finds none (`ctx.noRoute`: a router, a whole gateway), hand the request to the host's next handler instead of sending its 403/404. @default false */
  fallthrough?: boolean
}

/** Compiled host-adapter options. */
export interface CompiledHostAdapterOptions extends CompiledAdapterOptions {
  readonly fallthrough: boolean
}

const hostExtra = { fallthrough: z.boolean().optional() }

/**
 * `compileAdapterOptions` plus `fallthrough`, for adapters that sit inside a
 * host framework (`extra`: the adapter's own fields). Validated once.
 * @throws GwError GW_CONFIG_INVALID
 */
export function compileHostAdapterOptions(options: HostAdapterOptions | undefined, where: string, extra?: z.ZodRawShape): CompiledHostAdapterOptions {
  return Object.freeze({ ...compileAdapterOptions(options, where, extra === undefined ? hostExtra : { ...hostExtra, ...extra }), fallthrough: options?.fallthrough ?? false })
}
