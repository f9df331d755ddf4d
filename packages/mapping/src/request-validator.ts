import { z } from 'zod'
import Ajv04Module from 'ajv-draft-04'
import addFormatsModule from 'ajv-formats'
import type { ValidateFunction } from 'ajv'
import { headerValues, parseOptions, reject, setOwn, type GatewayContext, type Middleware } from '@gw/core'
import { ModelInvalid } from './errors.js'
import { linearRegExpEngine } from './linear-regexp-engine.js'
import { mimeType } from './select-template.js'
import { validationErrorString } from './validation-messages.js'

// Both are CommonJS with `exports.default`; under NodeNext the default import is the module object.
const Ajv04 = (Ajv04Module as unknown as { default: typeof Ajv04Module.default }).default
const addFormats = addFormatsModule.default

const PARAMETER_KEY = /^method\.request\.(path|querystring|multivaluequerystring|header|multivalueheader)\.(.+)$/
const MODEL_URL = /^https:\/\/apigateway\.amazonaws\.com\/restapis\/[^/]+\/models\/([^/#]+)(#.*)?$/
const CANONICAL = 'https://apigateway.amazonaws.com/restapis/_/models/'

/** Built-in models of every REST API (§5.2). */
export const BUILT_IN_MODELS: Readonly<Record<string, Readonly<Record<string, unknown>>>> = {
  Empty: { $schema: 'http://json-schema.org/draft-04/schema#', title: 'Empty Schema', type: 'object' },
  Error: { $schema: 'http://json-schema.org/draft-04/schema#', title: 'Error Schema', type: 'object', properties: { message: { type: 'string' } } }
}

const validatorSchema = z.strictObject({
  validateRequestParameters: z.boolean().default(false),
  validateRequestBody: z.boolean().default(false),
  requestParameters: z
    .record(z.string().regex(PARAMETER_KEY, 'must be method.request.{path|querystring|header}.{name}'), z.boolean())
    .default({}),
  requestModels: z.record(z.string().min(1), z.string().min(1)).default({}),
  models: z.record(z.string().min(1), z.union([z.string(), z.record(z.string(), z.unknown())])).default({}),
  headerMatching: z.enum(['exact', 'case-insensitive']).default('exact')
})

/** Options of `createRequestValidator` (a method's `RequestValidator` plus what it checks, §5). */
export type RequestValidatorOptions = z.input<typeof validatorSchema>

type Location = 'path' | 'querystring' | 'header'
interface Required {
  readonly location: Location
  readonly name: string
  readonly lower: string
}

/**
 * What a property named `__proto__` is called inside ajv: ajv (8.x) loses such a
 * property from `properties` and `required` (its generated code then neither
 * requires nor type-checks it, and `additionalProperties: false` refuses it),
 * so models and bodies that use the name have it renamed on both sides
 * (issue #15 item 4). Only done when a model names it.
 */
const PROTO_ALIAS = '__proto__\u0000gw'

/** Rewrites model URLs in `$ref`s to their canonical ids and renames a `__proto__` property to `PROTO_ALIAS`. */
function rewriteRefs(node: unknown, parent = '', aliased?: { used: boolean }): unknown {
  if (Array.isArray(node)) {
    if (parent === 'required') return (node as unknown[]).map((v) => (v === '__proto__' && aliased !== undefined ? ((aliased.used = true), PROTO_ALIAS) : v))
    return (node as unknown[]).map((v) => rewriteRefs(v, '', aliased))
  }
  if (node === null || typeof node !== 'object') return node
  const out: Record<string, unknown> = {}
  const names = parent === 'properties' || parent === 'dependencies'
  for (const [key, value] of Object.entries(node)) {
    if (key === '$ref' && typeof value === 'string') {
      const m = MODEL_URL.exec(value)
      out[key] = m ? `${CANONICAL}${m[1] ?? ''}${m[2] ?? ''}` : value
    } else if (names && key === '__proto__' && aliased !== undefined) {
      aliased.used = true
      out[PROTO_ALIAS] = rewriteRefs(value, '', aliased)
    } else setOwn(out, key, rewriteRefs(value, names ? '' : key, aliased)) // `__proto__` elsewhere stays data
  }
  return out
}

/** A parsed body with every own `__proto__` key renamed to `PROTO_ALIAS` (see there), in place. */
function aliasProto(node: unknown): unknown {
  if (Array.isArray(node)) {
    for (const v of node) aliasProto(v)
  } else if (node !== null && typeof node === 'object') {
    const obj = node as Record<string, unknown>
    if (Object.prototype.hasOwnProperty.call(obj, '__proto__')) {
      const v = obj['__proto__']
      delete obj['__proto__']
      obj[PROTO_ALIAS] = v
    }
    for (const k of Object.keys(obj)) aliasProto(obj[k])
  }
  return node
}

function isBlank(value: string | readonly string[] | undefined): boolean {
  if (value === undefined) return true
  const last = typeof value === 'string' ? value : value[value.length - 1]
  return last === undefined || last.trim() === ''
}

/**
 * Builds the request validation step of a REST method (aws-semantics §5):
 * required parameters first, then the JSON Schema draft-4 body model chosen
 * by `Content-Type` (`$default` for any). Models are compiled once here.
 * Failure ends the request with 400 `BAD_REQUEST_PARAMETERS`
 * (`Missing required request parameters: [a, b]`, names in the lexical order of
 * their full keys) or `BAD_REQUEST_BODY` (`Invalid request body`, details in
 * `$context.error.validationErrorString`); otherwise `next()` runs.
 * Options: `validateRequestParameters` (@default false), `validateRequestBody` (@default false),
 * `requestParameters` (`method.request.*` → required), `requestModels` (MIME → model name),
 * `models` (name → schema, JSON text or object; `Empty` and `Error` are built in),
 * `headerMatching` (@default 'exact', §5.1).
 * @throws GwError GW_CONFIG_INVALID (bad options, unknown model), GW_MAPPING_MODEL_INVALID (schema does not compile)
 * @example
 * const validate = createRequestValidator({ validateRequestBody: true, requestModels: { 'application/json': 'Pet' },
 *   models: { Pet: { type: 'object', required: ['name'] } } })
 */
export function createRequestValidator(options: RequestValidatorOptions): Middleware<object> {
  const opts = parseOptions(validatorSchema, options, 'createRequestValidator')
  const required: Required[] = []
  if (opts.validateRequestParameters) {
    for (const key of Object.keys(opts.requestParameters).sort()) {
      if (opts.requestParameters[key] !== true) continue
      const m = PARAMETER_KEY.exec(key)
      const kind = m?.[1] ?? 'header'
      const name = m?.[2] ?? ''
      const location: Location = kind === 'path' ? 'path' : kind.endsWith('querystring') ? 'querystring' : 'header'
      required.push({ location, name, lower: name.toLowerCase() })
    }
  }
  const caseInsensitive = opts.headerMatching === 'case-insensitive'

  const bodyModels = new Map<string, ValidateFunction>()
  let defaultModel: ValidateFunction | undefined
  const aliased = { used: false }
  if (opts.validateRequestBody && Object.keys(opts.requestModels).length > 0) {
    const ajv = new Ajv04({ strict: false, allErrors: true, verbose: true, validateFormats: true, code: { regExp: linearRegExpEngine } })
    addFormats(ajv)
    const all: Record<string, unknown> = { ...BUILT_IN_MODELS, ...opts.models }
    for (const [name, schema] of Object.entries(all)) {
      let parsed: unknown
      try {
        parsed = typeof schema === 'string' ? JSON.parse(schema) : schema
      } catch (err) {
        throw ModelInvalid(`model "${name}" is not JSON: ${(err as Error).message}`, { cause: err })
      }
      const copy = rewriteRefs(parsed, '', aliased) as Record<string, unknown>
      delete copy.id
      delete copy.$id
      try {
        ajv.addSchema(copy, `${CANONICAL}${name}`)
      } catch (err) {
        throw ModelInvalid(`model "${name}" is not a valid JSON Schema draft 4: ${(err as Error).message}`, { cause: err })
      }
    }
    for (const [type, name] of Object.entries(opts.requestModels)) {
      if (!Object.prototype.hasOwnProperty.call(all, name)) {
        throw ModelInvalid(`requestModels["${type}"] names model "${name}", which is not defined in models`)
      }
      let validate: ValidateFunction | undefined
      try {
        validate = ajv.getSchema(`${CANONICAL}${name}`)
      } catch (err) {
        throw ModelInvalid(`model "${name}" is not a valid JSON Schema draft 4: ${(err as Error).message}`, { cause: err })
      }
      if (validate === undefined) throw ModelInvalid(`model "${name}" could not be compiled`)
      if (type === '$default') defaultModel = validate
      else bodyModels.set(type.toLowerCase(), validate)
    }
  }
  const checkBody = bodyModels.size > 0 || defaultModel !== undefined

  function missingParameters(ctx: GatewayContext<object>): string[] | undefined {
    let missing: string[] | undefined
    for (const p of required) {
      let value: string | readonly string[] | undefined
      if (p.location === 'path') value = ctx.pathParameters?.[p.name]
      else if (p.location === 'querystring') value = ctx.query[p.name]
      else if (caseInsensitive) value = ctx.headers[p.lower]
      else {
        const values = headerValues(ctx, p.name)
        value = values.length === 0 ? undefined : values
      }
      if (isBlank(value)) (missing ??= []).push(p.name)
    }
    return missing
  }

  async function bodyFailure(ctx: GatewayContext<object>): Promise<string | undefined> {
    const type = mimeType(typeof ctx.headers['content-type'] === 'string' ? ctx.headers['content-type'] : undefined) ?? 'application/json'
    const validate = bodyModels.get(type) ?? defaultModel
    if (validate === undefined) return undefined
    const text = (await ctx.readBody()).toString('utf8')
    let data: unknown
    try {
      // §5.2: an empty body is validated as {}.
      data = JSON.parse(text.trim() === '' ? '{}' : text)
    } catch {
      return '[Invalid JSON in request body]'
    }
    if (aliased.used) data = aliasProto(data)
    return validate(data) ? undefined : validationErrorString(validate.errors ?? []).split(PROTO_ALIAS).join('__proto__')
  }

  return async function requestValidator(ctx, next) {
    // §5.2 order: parameters first, then body.
    if (required.length > 0) {
      const missing = missingParameters(ctx)
      if (missing !== undefined) {
        reject(ctx, 'BAD_REQUEST_PARAMETERS', { message: `Missing required request parameters: [${missing.join(', ')}]` })
        return
      }
    }
    if (checkBody) {
      const failure = await bodyFailure(ctx)
      if (failure !== undefined) {
        reject(ctx, 'BAD_REQUEST_BODY', { validationErrorString: failure })
        return
      }
    }
    await next()
  }
}
