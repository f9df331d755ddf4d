import type { MappingTemplate } from './compile-template.js'

/** `passthroughBehavior` of a non-proxy integration (§4.6). */
export type PassthroughBehavior = 'WHEN_NO_MATCH' | 'WHEN_NO_TEMPLATES' | 'NEVER'

/** Outcome of request-template selection: render, pass the body through, or reject with 415 UNSUPPORTED_MEDIA_TYPE. */
export type RequestTemplateChoice = { kind: 'template'; template: MappingTemplate } | { kind: 'passthrough' } | { kind: 'unsupported' }

/** Outcome of response-template selection. */
export type ResponseTemplateChoice = { kind: 'template'; template: MappingTemplate } | { kind: 'passthrough' }

const JSON_TYPE = 'application/json'

/**
 * The MIME type of a `Content-Type`/media-range: parameters stripped,
 * trimmed, lower-cased (`application/json; charset=UTF-8` → `application/json`, §4.5).
 */
export function mimeType(value: string | undefined): string | undefined {
  if (value === undefined) return undefined
  const semi = value.indexOf(';')
  const type = (semi === -1 ? value : value.slice(0, semi)).trim().toLowerCase()
  return type === '' ? undefined : type
}

function own(templates: Record<string, MappingTemplate>, key: string): MappingTemplate | undefined {
  return Object.prototype.hasOwnProperty.call(templates, key) ? templates[key] : undefined
}

function hasAny(templates: Record<string, MappingTemplate> | undefined): templates is Record<string, MappingTemplate> {
  if (templates === undefined) return false
  for (const key in templates) if (Object.prototype.hasOwnProperty.call(templates, key)) return true
  return false
}

/**
 * Chooses the request template (§4.5) and applies `passthroughBehavior` (§4.6).
 * Key = MIME type of `Content-Type` (missing ⇒ `application/json`), matched exactly;
 * template keys are expected in lower case.
 *
 * | templates | match | WHEN_NO_MATCH | WHEN_NO_TEMPLATES | NEVER |
 * | none | - | passthrough | passthrough | unsupported |
 * | some | yes | template | template | template |
 * | some | no | passthrough | unsupported | unsupported |
 *
 * `unsupported` means: `reject(ctx, 'UNSUPPORTED_MEDIA_TYPE')` (415).
 * @example
 * const choice = selectRequestTemplate(templates, ctx.headers['content-type'], 'WHEN_NO_TEMPLATES')
 * if (choice.kind === 'unsupported') return reject(ctx, 'UNSUPPORTED_MEDIA_TYPE')
 */
export function selectRequestTemplate(
  templates: Record<string, MappingTemplate> | undefined,
  contentType: string | undefined,
  passthroughBehavior: PassthroughBehavior
): RequestTemplateChoice {
  if (!hasAny(templates)) return passthroughBehavior === 'NEVER' ? { kind: 'unsupported' } : { kind: 'passthrough' }
  const template = own(templates, mimeType(contentType) ?? JSON_TYPE)
  if (template !== undefined) return { kind: 'template', template }
  return passthroughBehavior === 'WHEN_NO_MATCH' ? { kind: 'passthrough' } : { kind: 'unsupported' }
}

/**
 * Chooses the response template (§4.5): key = MIME type of the **first**
 * media type of `Accept` (missing ⇒ `application/json`); no template for
 * it ⇒ the `application/json` one, else the first defined (insertion
 * order). No templates, or an empty chosen template ⇒ passthrough.
 * @example
 * const choice = selectResponseTemplate(integrationResponse.responseTemplates, ctx.headers.accept)
 */
export function selectResponseTemplate(templates: Record<string, MappingTemplate> | undefined, accept: string | undefined): ResponseTemplateChoice {
  if (!hasAny(templates)) return { kind: 'passthrough' }
  const comma = accept === undefined ? -1 : accept.indexOf(',')
  const first = mimeType(accept === undefined || comma === -1 ? accept : accept.slice(0, comma)) ?? JSON_TYPE
  let template = own(templates, first) ?? own(templates, JSON_TYPE)
  if (template === undefined) {
    for (const key in templates) {
      if (Object.prototype.hasOwnProperty.call(templates, key)) {
        template = templates[key]
        break
      }
    }
  }
  return template === undefined || template.isEmpty ? { kind: 'passthrough' } : { kind: 'template', template }
}
