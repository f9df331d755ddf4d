import { describe, expect, it } from 'vitest'
import { compileTemplate, mimeType, selectRequestTemplate, selectResponseTemplate, type MappingTemplate, type PassthroughBehavior } from '@gw/mapping'

const json = compileTemplate('json')
const xml = compileTemplate('xml')
const text = compileTemplate('text')
const empty = compileTemplate('')

type ReqRow = [string, Record<string, MappingTemplate> | undefined, string | undefined, PassthroughBehavior, 'template' | 'passthrough' | 'unsupported', MappingTemplate?]

const requestRows: ReqRow[] = [
  ['§4.6 no templates, WHEN_NO_MATCH → pass through', undefined, 'application/json', 'WHEN_NO_MATCH', 'passthrough'],
  ['§4.6 no templates, WHEN_NO_TEMPLATES → pass through', {}, 'application/json', 'WHEN_NO_TEMPLATES', 'passthrough'],
  ['§4.6 no templates, NEVER → 415', undefined, 'application/json', 'NEVER', 'unsupported'],
  ['§4.6 match, WHEN_NO_MATCH → template', { 'application/json': json }, 'application/json', 'WHEN_NO_MATCH', 'template', json],
  ['§4.6 match, WHEN_NO_TEMPLATES → template', { 'application/json': json }, 'application/json', 'WHEN_NO_TEMPLATES', 'template', json],
  ['§4.6 match, NEVER → template', { 'application/json': json }, 'application/json', 'NEVER', 'template', json],
  ['§4.6 no match, WHEN_NO_MATCH → pass through', { 'application/json': json }, 'text/plain', 'WHEN_NO_MATCH', 'passthrough'],
  ['§4.6 no match, WHEN_NO_TEMPLATES → 415', { 'application/json': json }, 'text/plain', 'WHEN_NO_TEMPLATES', 'unsupported'],
  ['§4.6 no match, NEVER → 415', { 'application/json': json }, 'text/plain', 'NEVER', 'unsupported'],
  ['§4.5 parameters are stripped from Content-Type', { 'application/json': json }, 'application/json; charset=UTF-8', 'NEVER', 'template', json],
  ['§4.5 missing Content-Type ⇒ application/json', { 'application/json': json, 'text/xml': xml }, undefined, 'NEVER', 'template', json],
  ['§4.5 exact MIME match chooses among several', { 'application/json': json, 'text/xml': xml }, 'text/xml', 'NEVER', 'template', xml],
  ['§4.5 no wildcard keys on the request side', { 'text/*': text }, 'text/plain', 'WHEN_NO_TEMPLATES', 'unsupported'],
  ['§4.5 media type matching ignores case', { 'application/json': json }, 'Application/JSON', 'NEVER', 'template', json],
  ['§4.5 inherited keys are not templates', { 'application/json': json }, 'constructor', 'WHEN_NO_TEMPLATES', 'unsupported']
]

describe('§4.5/§4.6 request template selection and passthrough behaviour', () => {
  it.each(requestRows)('%s', (_name, templates, contentType, behaviour, kind, template) => {
    const choice = selectRequestTemplate(templates, contentType, behaviour)
    expect(choice.kind).toBe(kind)
    if (template !== undefined) expect(choice).toEqual({ kind: 'template', template })
  })
})

type ResRow = [string, Record<string, MappingTemplate> | undefined, string | undefined, MappingTemplate | 'passthrough']

const responseRows: ResRow[] = [
  ['§4.5 first Accept type chooses', { 'application/json': json, 'application/xml': xml }, 'application/xml, application/json', xml],
  ['§4.5 only the FIRST Accept type counts', { 'application/json': json, 'text/plain': text }, 'application/xml, text/plain', json],
  ['§4.5 missing Accept ⇒ application/json', { 'text/plain': text, 'application/json': json }, undefined, json],
  ['§4.5 no template for the type ⇒ application/json', { 'text/plain': text, 'application/json': json }, 'image/png', json],
  ['§4.5 no application/json ⇒ first defined (insertion order)', { 'text/plain': text, 'application/xml': xml }, 'image/png', text],
  ['§4.5 Accept parameters are stripped', { 'application/json': json, 'application/xml': xml }, 'application/xml;q=0.9', xml],
  ['§4.5 */* falls back to application/json', { 'application/xml': xml, 'application/json': json }, '*/*', json],
  ['§4.5 no templates ⇒ pass through', undefined, 'application/json', 'passthrough'],
  ['§4.5 an empty template forces an unmapped response', { 'application/json': json, 'text/plain': empty }, 'text/plain', 'passthrough']
]

describe('§4.5 response template selection', () => {
  it.each(responseRows)('%s', (_name, templates, accept, expected) => {
    const choice = selectResponseTemplate(templates, accept)
    expect(choice).toEqual(expected === 'passthrough' ? { kind: 'passthrough' } : { kind: 'template', template: expected })
  })
})

describe('mimeType', () => {
  it.each([
    ['application/json; charset=UTF-8', 'application/json'],
    ['  Text/XML ', 'text/xml'],
    ['', undefined],
    [undefined, undefined]
  ])('§4.5 %s → %s', (input, expected) => {
    expect(mimeType(input)).toBe(expected)
  })
})
