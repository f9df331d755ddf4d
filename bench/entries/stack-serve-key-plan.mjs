// stack suite row: serve-key-plan.mjs (gw serve, the MOCK route behind an API key + usage plan) beside the stacks.
export { start } from './serve-key-plan.mjs'
export const meta = { suite: 'stack', name: 'gw-serve-key-plan', description: 'gw serve: MOCK route + API key + usage plan (throttle, quota), memory store' }
