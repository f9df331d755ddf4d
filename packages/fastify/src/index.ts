// @gw/fastify public surface.
export { gwFastify, fastifyAdapter } from './fastify-adapter.js'
export type { GwFastifyOptions } from './fastify-adapter.js'
