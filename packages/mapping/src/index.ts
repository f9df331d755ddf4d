// @gw/mapping public surface: every export named here (no `export *`).
export { compileTemplate, MAX_TEMPLATE_BYTES } from './compile-template.js'
export type { MappingTemplate, TemplateOptions, TemplateVariables, RenderResult, TemplateOverrides } from './compile-template.js'
export { templateVariables } from './template-variables.js'
export { selectRequestTemplate, selectResponseTemplate, mimeType } from './select-template.js'
export type { PassthroughBehavior, RequestTemplateChoice, ResponseTemplateChoice } from './select-template.js'
export { escapeJavaScript, urlEncode, urlDecode, base64Encode, base64Decode } from './util-functions.js'
export { TemplateInvalid, TemplateTooLarge, RenderLimit, OverrideTwice, ModelInvalid } from './errors.js'
export type { MappingErrorCode } from './errors.js'
