// @gw/koa public surface.
export { koaAdapter } from './koa-adapter.js'
export type { KoaAdapterOptions, KoaLikeContext, KoaMiddleware } from './koa-adapter.js'
