import type { FastifyPluginCallback } from 'fastify'
import fp from 'fastify-plugin'
import { ConfigInvalid, compileHostAdapterOptions, handleNodeRequest, type CompiledHostAdapterOptions, type HostAdapterOptions, type Middleware } from '@gw/core'

/** Options of the `gwFastify` plugin: the pipeline plus the host-adapter options. */
export interface GwFastifyOptions extends HostAdapterOptions {
  /** The gw pipeline to run for every request. */
  pipeline: Middleware<object>
}

const plugin: FastifyPluginCallback<GwFastifyOptions> = (fastify, options, done) => {
  const { pipeline, flavour, bodyLimit, logger, gatewayResponses, trustProxy, fallthrough } = options
  if (typeof pipeline !== 'function') return done(ConfigInvalid('gwFastify: invalid options\n  pipeline: a middleware function (ctx, next)'))
  // Only gw's keys: Fastify adds its own (prefix, logLevel) to plugin options.
  const own = Object.fromEntries(Object.entries({ flavour, bodyLimit, logger, gatewayResponses, trustProxy, fallthrough }).filter(([, v]) => v !== undefined))
  let compiled: CompiledHostAdapterOptions
  try {
    compiled = compileHostAdapterOptions(own, 'gwFastify')
  } catch (err) {
    return done(err as Error)
  }
  // onRequest runs before Fastify's content-type parsers: the pipeline gets the raw body stream.
  fastify.addHook('onRequest', (request, reply, next) => {
    handleNodeRequest(pipeline, compiled, request.raw, reply.raw, (outcome) => {
      if (outcome === 'sent') reply.hijack()
      next()
    })
  })
  done()
}

/**
 * A Fastify 5 plugin (wrapped with fastify-plugin, so it applies to the whole
 * instance) answering requests with a gw pipeline from an `onRequest` hook,
 * before Fastify's content-type parsers, so the body stream is the
 * pipeline's. A pipeline that calls its last `next()` without answering
 * continues to Fastify's own routes (with the headers it set); with
 * `fallthrough`, so do requests a router/gateway pipeline has no route for.
 * @throws GwError GW_CONFIG_INVALID on bad options (at registration)
 * @example
 * await app.register(gwFastify, { pipeline: compose([router, app]), fallthrough: true })
 */
export const gwFastify = fp(plugin, { fastify: '5.x', name: '@gw/fastify' })

/**
 * `gwFastify` with the pipeline bound: `app.register(fastifyAdapter(pipeline, options))`.
 * @throws GwError GW_CONFIG_INVALID on bad options (at registration)
 * @example
 * await app.register(fastifyAdapter(throttler({ rateLimit: 100, burstLimit: 200 })))
 */
export function fastifyAdapter(pipeline: Middleware<object>, options?: HostAdapterOptions): FastifyPluginCallback {
  const bound: FastifyPluginCallback = (fastify, _opts, done) => {
    plugin(fastify, { ...options, pipeline }, done)
  }
  return fp(bound, { fastify: '5.x', name: '@gw/fastify' })
}
