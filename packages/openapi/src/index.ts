// @gw/openapi public surface: every export named here (no `export *`).
// One model: imports produce, and exports take, @gw/gateway's definition (`createGateway()`'s input); the types come
// from @gw/gateway with `import type`, so this package loads none of the gateway at runtime.
export { importOpenApiFile, importOpenApiText, importOpenApiObject } from './import-openapi.js'
export type { ImportOptions, ImportResult, ImportWarning } from './import-openapi.js'
export { exportOpenApi, formatOpenApi } from './export-openapi.js'
export type { ExportOptions } from './export-openapi.js'
export { OpenApiInvalid, OpenApiRef } from './errors.js'
export type { OpenApiErrorCode } from './errors.js'
export { loadSourceFile, parseSourceText, nearestLine } from './source-document.js'
export type { SourceDocument, SourceFormat } from './source-document.js'
