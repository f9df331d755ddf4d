// @gw/fastify public surface.
export { gwFastify } from './fastify-adapter.js'
export type { GwFastifyOptions } from './fastify-adapter.js'
