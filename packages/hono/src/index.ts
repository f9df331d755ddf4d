export { gw } from './hono-middleware.js'
export type { HonoAdapterOptions } from './hono-middleware.js'
