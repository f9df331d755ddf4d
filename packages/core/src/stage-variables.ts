/** Stage variable names: letters, digits, underscore (aws-semantics §6.3). */
export const STAGE_VARIABLE_NAME = /^[A-Za-z0-9_]+$/
/** Stage variable values (§6.3). */
export const STAGE_VARIABLE_VALUE = /^[A-Za-z0-9\-._~:/?#&=,]+$/
/** Limits of §6.3 / §15: 100 per stage, key 64, value 512 chars. */
export const STAGE_VARIABLE_LIMITS = Object.freeze({ count: 100, keyLength: 64, valueLength: 512 })

const REFERENCE = /\$\{stageVariables\.([A-Za-z0-9_]+)\}/g

/** True when a string mentions `${stageVariables.x}`; lets callers skip substitution per request. */
export function hasStageVariables(template: string): boolean {
  return template.includes('${stageVariables.')
}

/**
 * Plain-text substitution of `${stageVariables.name}` in integration URIs,
 * Lambda function names and credentials ARNs (§6.3). An undefined variable
 * becomes the empty string.
 * @example
 * substituteStageVariables('http://${stageVariables.host}/pets', { host: 'example.com' }) // 'http://example.com/pets'
 */
export function substituteStageVariables(template: string, variables: Readonly<Record<string, string>> | null): string {
  if (!hasStageVariables(template)) return template
  return template.replace(REFERENCE, (_m, name: string) => variables?.[name] ?? '')
}
