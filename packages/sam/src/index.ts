// @gw/sam public surface: every export named here (no `export *`).
export { translateSamTemplate, parseParameterOverrides } from './sam-template.js'
export type { SamTranslateOptions } from './sam-template.js'
export { translateServerless } from './serverless.js'
export type { ServerlessTranslateOptions } from './serverless.js'
export { formatWarning } from './translation.js'
export type { GwTranslation, GwConfigObject, GwApiConfig, GwStageConfig, GwThrottle, TranslationWarning } from './translation.js'
export { SamInvalid } from './errors.js'
export type { SamErrorCode } from './errors.js'
