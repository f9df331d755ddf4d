// @gw/gateway public surface: every export named here (no `export *`).
export {
  apiDefinitionSchema,
  restApiDefinitionSchema,
  httpApiDefinitionSchema,
  integrationDefinitionSchema,
  integrationResponseSchema,
  methodDefinitionSchema,
  methodResponseSchema,
  resourceDefinitionSchema,
  routeDefinitionSchema,
  authorizerDefinitionSchema,
  requestValidatorSchema,
  methodSettingSchema,
  canarySettingsSchema,
  restStageSchema,
  httpStageSchema,
  routeSettingsSchema,
  corsConfigurationSchema,
  stageVariablesDefinitionSchema,
  httpMethodSchema,
  endpointConfigurationSchema
} from './definition.js'
export type {
  ApiDefinition,
  ApiDefinitionInput,
  RestApiDefinition,
  RestApiDefinitionInput,
  HttpApiDefinition,
  HttpApiDefinitionInput,
  IntegrationDefinition,
  IntegrationDefinitionInput,
  MethodDefinition,
  MethodDefinitionInput,
  RouteDefinition,
  RouteDefinitionInput,
  AuthorizerDefinition,
  AuthorizerDefinitionInput,
  EndpointConfiguration,
  MethodSetting,
  CanarySettingsInput,
  CanarySettingsDefinition,
  RestStageDefinition,
  HttpStageDefinition,
  StageVariablesDefinition,
  HttpMethod
} from './definition.js'
export { definitionRoutes } from './definition-routes.js'
export type { DefinitionRoute } from './definition-routes.js'
export { createGateway } from './create-gateway.js'
export type { Gateway, GatewayOptions, GatewayIamOptions, GatewayCognitoOptions, GatewayAuthorizerCacheOptions, GatewayManagement, GatewayStageUpdate } from './create-gateway.js'
export type { IamCredentialsTable } from './iam-credentials.js'
export { ACCESS_KEY_ID_PATTERN, PRINCIPAL_ARN_PATTERN } from './iam-credentials.js'
// What `options.iam.credentials` returns, and the identity-policy check a table entry gets (from @gw/authorizers),
// so callers such as @gw/cli can validate credentials where they read them without depending on it.
export type { IamCredentials, CredentialsProvider } from '@gw/authorizers'
export { compilePolicy } from '@gw/authorizers'
export { SLOT_ORDER } from './slots.js'
export { defaultSlots } from './default-slots.js'
export type { DefaultSlotDeps } from './default-slots.js'
export type { GatewaySlots, GatewayApiSlots, ApiRoutes, SlotFactory, SlotInput } from './slots.js'
export { decorateResponse } from './decorate.js'
export { GatewayUnsupported } from './errors.js'
export type { GatewayWebSocketOptions } from './websocket-gateway.js'
export { isWebSocketDefinition } from './websocket-gateway.js'
export type { GatewayErrorCode } from './errors.js'
