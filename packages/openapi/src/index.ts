// @gw/openapi public surface: every export named here (no `export *`).
export { importOpenApiFile, importOpenApiText, importOpenApiObject } from './import-openapi.js'
export type { ImportOptions, ImportResult } from './import-openapi.js'
export { exportOpenApi, formatOpenApi } from './export-openapi.js'
export type { ExportOptions } from './export-openapi.js'
export type {
  ApiDefinition,
  AuthorizationType,
  AuthorizerDefinition,
  CorsConfiguration,
  EndpointConfiguration,
  ImportWarning,
  IntegrationDefinition,
  IntegrationResponse,
  MethodResponse,
  RequestValidator,
  RouteDefinition
} from './api-definition.js'
export { toGatewayDefinition } from './gateway-definition.js'
export type { GatewayDefinitionInput, GatewayStagesInput } from './gateway-definition.js'
export { OpenApiInvalid, OpenApiRef } from './errors.js'
export type { OpenApiErrorCode } from './errors.js'
export { loadSourceFile, parseSourceText } from './source-document.js'
export type { SourceDocument } from './source-document.js'
