// stack suite row: serve-mock.mjs (gw serve, MOCK route + small VTL template) beside the stacks, against bare node:http.
export { start } from './serve-mock.mjs'
export const meta = { suite: 'stack', name: 'gw-serve-mock', description: 'gw serve: MOCK route, small VTL response template' }
