import { contextVariables, type ContextVariableOptions, type GatewayContext } from '@gw/core'
import { NullObject } from './java-values.js'
import type { TemplateVariables } from './compile-template.js'

type Params = TemplateVariables['params']

/**
 * The variables of one render, with `params` and `context` built on first read: a template that names neither
 * `$input.params` nor `$context` (most response templates) never pays for the header map or the §13.3 object.
 * Both are read during the `render()` that follows `templateVariables()`, so they see the context as it is then.
 */
class ContextTemplateVariables implements TemplateVariables {
  body: string
  stageVariables: Record<string, string> | null
  #ctx: GatewayContext<object>
  #options: ContextVariableOptions | undefined
  #params: Params | undefined
  #context: Record<string, unknown> | undefined

  constructor(ctx: GatewayContext<object>, body: string, options: ContextVariableOptions | undefined) {
    this.body = body
    this.stageVariables = ctx.stageVariables
    this.#ctx = ctx
    this.#options = options
    this.#params = undefined
    this.#context = undefined
  }

  get params(): Params {
    return (this.#params ??= paramsOf(this.#ctx))
  }

  set params(value: Params) {
    this.#params = value
  }

  get context(): Record<string, unknown> {
    return (this.#context ??= contextVariables(this.#ctx, this.#options))
  }

  set context(value: Record<string, unknown>) {
    this.#context = value
  }
}

function paramsOf(ctx: GatewayContext<object>): Params {
  const path = new NullObject() as Record<string, string>
  if (ctx.pathParameters) for (const [k, v] of Object.entries(ctx.pathParameters)) path[k] = v
  const querystring = new NullObject() as Record<string, string>
  const query = ctx.query
  for (const key of Object.keys(query)) {
    const values = query[key]
    if (values !== undefined && values.length > 0) querystring[key] = values[values.length - 1] as string
  }
  const header = new NullObject() as Record<string, string>
  const raw = ctx.source.rawHeaders
  for (let i = 0; i + 1 < raw.length; i += 2) header[raw[i] as string] = raw[i + 1] as string
  return { path, querystring, header }
}

/**
 * Builds the variables of a render from a gateway context (§4.1, §4.3):
 * path parameters, the last value of each query parameter and header (header
 * names in the client's casing), `$context` from @gw/core
 * `contextVariables(ctx)` and the stage variables. `params` and `context` are
 * computed when the render first reads them (pass the result straight to `render()`).
 * @param body the payload as text ('' becomes '{}' inside the template, §4.1; binary → base64, §17.4)
 * @example
 * const vars = templateVariables(ctx, (await ctx.readBody()).toString('utf8'))
 */
export function templateVariables(ctx: GatewayContext<object>, body: string, options?: ContextVariableOptions): TemplateVariables {
  return new ContextTemplateVariables(ctx, body, options)
}

/**
 * The text a template sees as `$input.body` for a payload (§17.4): a binary
 * payload (its Content-Type in `binaryMediaTypes`) is available to templates
 * only as its base64 string; text is decoded as UTF-8.
 * @example
 * templateVariables(ctx, templateBody(await ctx.readBody(), isBinaryType(ctx.headers['content-type'])))
 */
export function templateBody(payload: Uint8Array, binary: boolean): string {
  const buf = Buffer.isBuffer(payload) ? payload : Buffer.from(payload.buffer, payload.byteOffset, payload.byteLength)
  return buf.toString(binary ? 'base64' : 'utf8')
}
