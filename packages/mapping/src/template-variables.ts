import { contextVariables, type ContextVariableOptions, type GatewayContext } from '@gw/core'
import { NullObject } from './java-values.js'
import type { TemplateVariables } from './compile-template.js'

/**
 * Builds the variables of a render from a gateway context (§4.1, §4.3):
 * path parameters, the last value of each query parameter and header (header
 * names in the client's casing), `$context` from @gw/core
 * `contextVariables(ctx)` and the stage variables.
 * @param body the payload as text ('' becomes '{}' inside the template, §4.1; binary → base64, §17.4)
 * @example
 * const vars = templateVariables(ctx, (await ctx.readBody()).toString('utf8'))
 */
export function templateVariables(ctx: GatewayContext<object>, body: string, options?: ContextVariableOptions): TemplateVariables {
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
  return {
    body,
    params: { path, querystring, header },
    context: contextVariables(ctx, options),
    stageVariables: ctx.stageVariables
  }
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
