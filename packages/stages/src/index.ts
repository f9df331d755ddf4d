// @gw/stages public surface: every export named here (no `export *`).
export { createStageRegistry } from './stage-registry.js'
export type {
  Deployment,
  StageState,
  CanaryState,
  CanarySettings,
  CanarySettingsInput,
  StageDescription,
  CreateDeploymentInput,
  UpdateStageInput,
  StageRegistry,
  StageRegistryOptions
} from './stage-registry.js'
export { createStageResolver } from './stage-resolver.js'
export type { BasePathMapping, StageResolverOptions, StageResolution } from './stage-resolver.js'
export { rejectForbidden } from './forbidden.js'
export { hostName, underBasePath } from './host-name.js'
export { checkStageVariables, mergeStageVariables } from './stage-variables.js'
export type { StageVariables } from './stage-variables.js'
export { StagesBadRequest, StagesNotFound } from './errors.js'
export type { StagesErrorCode } from './errors.js'
