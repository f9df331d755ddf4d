// Shared imports of the serve-*.mjs candidates (files starting with `_` are not candidates).
export { serve, serveWorkers } from '../../packages/cli/dist/index.js'
export { silentLogger } from '../../packages/core/dist/index.js'
