// @gw/express public surface.
export { expressAdapter } from './express-adapter.js'
export type { ExpressAdapterOptions, ExpressMiddleware } from './express-adapter.js'
