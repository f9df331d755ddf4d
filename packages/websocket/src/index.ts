// @gw/websocket public surface: every export named here (no `export *`).
export { createWebSocketApi, postToConnection, getConnection, deleteConnection } from './websocket-api.js'
export type { WebSocketApi, ConnectionDescription } from './websocket-api.js'
export type { WebSocketApiOptions, WebSocketLimits } from './options.js'
export {
  webSocketApiSchema,
  webSocketRouteSchema,
  webSocketIntegrationSchema,
  webSocketIntegrationResponseSchema,
  webSocketAuthorizerSchema,
  webSocketStageSchema,
  RESERVED_ROUTE_KEYS
} from './definition.js'
export type { WebSocketApiDefinition, WebSocketApiDefinitionInput, WebSocketRoute, WebSocketIntegration, WebSocketIntegrationInput, WebSocketAuthorizer, WebSocketStage } from './definition.js'
export { compileSelectionExpression, stringifySelected } from './selection-expression.js'
export type { SelectionExpression, SelectionInput } from './selection-expression.js'
export { frameGuard } from './frame-guard.js'
export { attachWebSocketApis } from './attach.js'
export type { MountedWebSocketApi } from './attach.js'
export { WebSocketUnsupported, WebSocketGone, WebSocketPayloadTooLarge } from './errors.js'
export type { WebSocketErrorCode } from './errors.js'
