import { performance } from 'node:perf_hooks'
import { z } from 'zod'
import { parseOptions } from '@gw/core'
import { INPUT, UTIL, UTIL_EXTENDED } from './host-objects.js'
import { compileIr, constantText, flatStageVariableParts, parseVtl, referencedRoots, type CompiledIr } from './ir.js'
import { INVALID_JSON, getProperty, type InputSource } from './methods.js'
import { fail, renderNodes, type RenderLimits, type RenderState } from './render.js'
import { RenderLimit, TemplateInvalid, TemplateTooLarge } from './errors.js'
import { NullObject, javaString } from './java-values.js'

/** AWS's mapping-template size limit: 300 KB (§4, §15). */
export const MAX_TEMPLATE_BYTES = 300 * 1024

const templateOptionsSchema = z.strictObject({
  maxIterations: z.number().int().min(1).max(1_000_000).default(1000),
  timeoutMs: z.number().int().min(1).max(60_000).default(500),
  maxOutputLength: z.number().int().min(1).default(10 * 1024 * 1024),
  maxMacroDepth: z.number().int().min(1).max(500).default(64),
  extensions: z.boolean().default(false)
})

/** Options of `compileTemplate`. */
export type TemplateOptions = z.input<typeof templateOptionsSchema>

/** What a template reads (§4.1-4.3). Build it from a context with `templateVariables(ctx, body)`. */
export interface TemplateVariables {
  /** Raw payload as text (`$input.body`); '' renders as '{}' (§4.1). Binary payloads arrive base64 (§17.4). */
  body: string
  /** `$input.params()` (§4.1): single values by name. */
  params: { path: Record<string, string>; querystring: Record<string, string>; header: Record<string, string> }
  /** `$context` (§4.3), e.g. from @gw/core `contextVariables(ctx)`. */
  context: Record<string, unknown>
  /** `$stageVariables` (§4.3); null when the stage has none. */
  stageVariables: Record<string, string> | null
}

/** Values a template set through `$context.requestOverride` / `$context.responseOverride` (§4.7). */
export interface TemplateOverrides {
  /** `responseOverride.status` when it is an integer 100-599 (otherwise ignored, §4.7). */
  status?: number
  /** `requestOverride.header.*` and `responseOverride.header.*`; list values joined with ',' (§4.7). */
  headers: Record<string, string>
  /** `requestOverride.querystring.*`. */
  querystring: Record<string, string>
  /** `requestOverride.path.*`. */
  path: Record<string, string>
}

/** Output of one render. */
export interface RenderResult {
  /** The rendered text. */
  output: string
  /** Overrides the template set (§4.7); applied by the caller after parameter mappings. */
  overrides: TemplateOverrides
}

/** A compiled mapping template. */
export interface MappingTemplate {
  /** The template text (trimmed). */
  readonly source: string
  /** True for an empty template (a response template that forces passthrough, §4.5). */
  readonly isEmpty: boolean
  /**
   * The output of a template made of text only (no `$` reference, no directive): every render returns it, whatever
   * the variables, so callers may use it without building them. `undefined` for any other template.
   */
  readonly constantOutput: string | undefined
  /**
   * Renders synchronously.
   * @throws GatewayError API_CONFIGURATION_ERROR (500 `{"message":"Internal server error"}`) when a limit
   *   is hit (iterations, time, size, recursion) or an override is set twice; `cause` is a GwError
   *   GW_MAPPING_RENDER_LIMIT or GW_MAPPING_OVERRIDE_TWICE.
   */
  render(vars: TemplateVariables): RenderResult
}

function stringMap(source: unknown, into?: Record<string, string>): Record<string, string> {
  const out = into ?? (new NullObject() as Record<string, string>)
  if (source === null || typeof source !== 'object') return out
  const record = source as Record<string, unknown>
  for (const key in record) {
    if (!Object.prototype.hasOwnProperty.call(record, key)) continue
    const value = record[key]
    if (value === null || value === undefined) continue
    out[key] = Array.isArray(value) ? value.map((v) => javaString(v, true)).join(',') : javaString(value)
  }
  return out
}

function statusOverride(value: unknown): number | undefined {
  const n = typeof value === 'number' ? value : typeof value === 'string' && /^\d{3}$/.test(value) ? Number(value) : NaN
  return Number.isInteger(n) && n >= 100 && n <= 599 ? n : undefined
}

/** Overrides of a render that cannot set any (the template never names `$context`). */
const NO_OVERRIDES: TemplateOverrides = Object.freeze({
  headers: Object.freeze(new NullObject()) as Record<string, string>,
  querystring: Object.freeze(new NullObject()) as Record<string, string>,
  path: Object.freeze(new NullObject()) as Record<string, string>
})

/** `getProperty`'s input for values that are never `$input` (stage variables are plain records). */
const NO_INPUT: InputSource = { body: '{}', params: { path: {}, querystring: {}, header: {} }, json: () => undefined }

class InputState implements InputSource {
  readonly body: string
  readonly #vars: TemplateVariables
  private parsed: unknown = undefined
  private done = false

  constructor(vars: TemplateVariables) {
    this.body = vars.body === '' ? '{}' : vars.body
    this.#vars = vars
  }

  /** Read on first use: `templateVariables()` builds the parameter maps lazily. */
  get params(): TemplateVariables['params'] {
    return this.#vars.params
  }

  json(): unknown {
    if (!this.done) {
      this.done = true
      try {
        this.parsed = JSON.parse(this.body) as unknown
      } catch {
        this.parsed = INVALID_JSON
      }
    }
    return this.parsed
  }
}

/**
 * Compiles an API Gateway mapping template (VTL, aws-semantics §4) once;
 * `render()` then only interprets. The template reaches `$input`, `$util`,
 * `$context`, `$stageVariables` and the data they return, through a fixed
 * list of Java-like methods: never host objects, prototypes or functions.
 * @param source VTL text (at most 300 KB; trimmed, §4)
 * @param options `maxIterations` per `#foreach` (@default 1000, §15), `timeoutMs` per render
 *   (@default 500), `maxOutputLength` characters (@default 10 MiB, §15 payload), `maxMacroDepth`
 *   (@default 64), `extensions` enables `$util.toJson` (@default false: not an AWS function)
 * @throws GwError GW_MAPPING_TEMPLATE_INVALID (does not parse), GW_MAPPING_TEMPLATE_TOO_LARGE, GW_CONFIG_INVALID
 * @example
 * const t = compileTemplate('{"id": "$input.params(\'id\')", "n": $input.json(\'$.n\')}')
 * t.render(templateVariables(ctx, await ctx.readBody().then(String))).output
 */
export function compileTemplate(source: string, options: TemplateOptions = {}): MappingTemplate {
  const opts = parseOptions(templateOptionsSchema, options, 'compileTemplate')
  if (Buffer.byteLength(source, 'utf8') > MAX_TEMPLATE_BYTES) throw TemplateTooLarge()
  const text = source.trim()
  let ir: CompiledIr
  try {
    ir = compileIr(parseVtl(text))
  } catch (err) {
    throw TemplateInvalid(`mapping template is not valid VTL: ${err instanceof Error ? err.message.split('\n').slice(0, 3).join(' ') : String(err)}`, { cause: err })
  }
  const limits: RenderLimits = {
    maxIterations: opts.maxIterations,
    timeoutMs: opts.timeoutMs,
    maxOutputLength: opts.maxOutputLength,
    maxMacroDepth: opts.maxMacroDepth
  }
  const util = opts.extensions ? UTIL_EXTENDED : UTIL
  const { nodes, macros } = ir
  const renderState = (varMap: Map<string, unknown>, vars: TemplateVariables, overrideTargets: readonly object[]): RenderState => ({
    vars: varMap,
    input: new InputState(vars),
    macros,
    limits,
    overrideTargets,
    overridesSet: undefined,
    deadline: performance.now() + limits.timeoutMs,
    steps: 0,
    depth: 0,
    breaking: false
  })

  const roots = referencedRoots(ir)
  // Without a `$context` reference nothing reads the context variables and no override can be set (§4.7).
  const usesContext = roots.has('context')
  const constant = constantText(ir)
  const constantOutput = constant !== undefined && constant.length <= limits.maxOutputLength ? constant : undefined
  const constantResult: RenderResult | undefined = constantOutput === undefined ? undefined : Object.freeze({ output: constantOutput, overrides: NO_OVERRIDES })
  // Text and `$stageVariables.x` only: the same values the interpreter would print (getProperty + javaString), joined.
  const flat = constantOutput === undefined ? flatStageVariableParts(ir) : undefined
  // The last flat render and the stage variables it read. A stage's variables are one frozen object, replaced as a
  // whole (@gw/stages), so every request of the stage renders the same text: it is kept, and returned while the same
  // frozen object (or no variables) comes back, instead of joining and later flattening a new string per request (#21).
  let flatVars: Record<string, string> | null | undefined
  let flatResult: RenderResult | undefined

  return {
    source: text,
    isEmpty: text === '',
    constantOutput,
    render(vars: TemplateVariables): RenderResult {
      if (constantResult !== undefined) return constantResult
      if (flat !== undefined) {
        const given = vars.stageVariables
        if (flatResult !== undefined && given === flatVars) return flatResult
        const stageVariables = given ?? undefined
        let output = ''
        let primitive = true
        for (const part of flat) {
          if (typeof part === 'string') output += part
          else {
            const value = stageVariables === undefined ? undefined : getProperty(stageVariables, part.stageVariable, NO_INPUT)
            if ((typeof value === 'object' && value !== null) || (stageVariables !== undefined && Object.getOwnPropertyDescriptor(stageVariables, part.stageVariable)?.get !== undefined)) primitive = false
            output += javaString(value)
          }
        }
        if (output.length > limits.maxOutputLength) fail(RenderLimit(`mapping template output exceeded ${limits.maxOutputLength} characters`))
        const result: RenderResult = { output, overrides: NO_OVERRIDES }
        // Kept only when nothing can change it: no variables, or a frozen object whose values read are plain data, no objects.
        if (primitive && (given === null || given === undefined || Object.isFrozen(given))) {
          flatVars = given
          flatResult = Object.freeze(result)
        }
        return result
      }
      if (!usesContext) {
        const varMap = new Map<string, unknown>()
        varMap.set('input', INPUT)
        varMap.set('util', util)
        varMap.set('stageVariables', vars.stageVariables ?? undefined)
        const st = renderState(varMap, vars, [])
        return { output: renderNodes(nodes, st), overrides: NO_OVERRIDES }
      }
      const header = new NullObject()
      const querystring = new NullObject()
      const path = new NullObject()
      const responseHeader = new NullObject()
      const requestOverride = new NullObject()
      requestOverride.header = header
      requestOverride.querystring = querystring
      requestOverride.path = path
      const responseOverride = new NullObject()
      responseOverride.header = responseHeader
      const context = new NullObject()
      const source = vars.context
      for (const key in source) if (Object.prototype.hasOwnProperty.call(source, key)) context[key] = source[key]
      context.requestOverride = requestOverride
      context.responseOverride = responseOverride

      const varMap = new Map<string, unknown>()
      varMap.set('input', INPUT)
      varMap.set('util', util)
      varMap.set('context', context)
      varMap.set('stageVariables', vars.stageVariables ?? undefined)

      const st = renderState(varMap, vars, [header, querystring, path, responseHeader, responseOverride, requestOverride])
      const output = renderNodes(nodes, st)
      const overrides: TemplateOverrides = {
        headers: stringMap(responseOverride.header, stringMap(requestOverride.header)),
        querystring: stringMap(requestOverride.querystring),
        path: stringMap(requestOverride.path)
      }
      const status = statusOverride(responseOverride.status)
      if (status !== undefined) overrides.status = status
      return { output, overrides }
    }
  }
}
