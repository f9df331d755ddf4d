import { nearestLine, type SourceDocument } from '@gw/openapi'
import { SamInvalid } from './errors.js'

/** Something of the template gw does not emulate: named by file, line, logical id and property; never dropped silently. */
export interface TranslationWarning {
  file: string
  line?: number
  /** Logical id (SAM / CloudFormation) or `functions.name` / `provider.x` (serverless.yml). */
  logicalId: string
  /** Property path under the logical id, e.g. `Properties.Tracing`. */
  property: string
  message: string
}

/**
 * What a SAM template or serverless.yml amounts to, in the shapes gw already loads: a `gw.config.yaml` object
 * (`apis`, `usagePlans`, `apiKeys`, `lambdas`), validated by `@gw/cli`'s schema like any config, plus the OpenAPI
 * documents with `x-amazon-apigateway-*` extensions its `apis[].openapi` entries name.
 */
export interface GwTranslation {
  /** The template file (absolute). */
  file: string
  /** A `gw.config.yaml` object; `apis[].openapi` names a key of {@link documents}. */
  config: GwConfigObject
  /** OpenAPI documents by the name `apis[].openapi` gives them (`template.yaml#LogicalId`). */
  documents: Record<string, Record<string, unknown>>
  /** Files the translation read (template, DefinitionUri files, `${file()}` files) for `--watch`. */
  files: string[]
  /** Environment values the config refers to (`valueFromEnv` of API keys the template declares or SAM generates). */
  env: Record<string, string>
  warnings: TranslationWarning[]
}

/** The subset of `gw.config.yaml` a translation writes (see `@gw/cli`'s `gwConfigSchema`). */
export interface GwConfigObject {
  apis: GwApiConfig[]
  usagePlans: {
    id: string
    name: string
    description?: string
    apiStages: { api: string; stage: string; throttle?: Record<string, GwThrottle> }[]
    throttle?: GwThrottle
    quota?: { limit: number; period: 'DAY' | 'WEEK' | 'MONTH'; offset?: number }
  }[]
  apiKeys: { id: string; name: string; description?: string; valueFromEnv: string; enabled: boolean; usagePlans: string[] }[]
  /** Function name → `module#export`, or with the function's own environment variables. */
  lambdas: Record<string, string | { handler: string; environment: Record<string, string> }>
  server?: { port?: number }
}

/** Requests per second and bucket size (§8.1). */
export interface GwThrottle {
  rateLimit: number
  burstLimit: number
}

/** One `apis[]` entry. */
export interface GwApiConfig {
  name: string
  openapi: string
  cors?: true | Record<string, unknown>
  stages: Record<string, GwStageConfig>
}

/** One stage of an API entry. */
export interface GwStageConfig {
  description?: string
  variables: Record<string, string>
  methodSettings?: Record<string, Record<string, unknown>>
  cacheClusterEnabled?: boolean
  cacheClusterSize?: string
  defaultRouteSettings?: Record<string, unknown>
  routeSettings?: Record<string, Record<string, unknown>>
}

/** Where errors and warnings of one translation go. */
export class Diagnostics {
  readonly warnings: TranslationWarning[] = []
  readonly source: SourceDocument
  /** The top-level section logical ids live under (`Resources`, `functions`). */
  readonly section: string

  constructor(source: SourceDocument, section: string) {
    this.source = source
    this.section = section
  }

  private at(path: readonly (string | number)[]): string {
    const line = nearestLine(this.source, path)
    return `${this.source.file}${line === undefined ? '' : `:${String(line)}`}`
  }

  /**
   * Refuses the template: `file:line: LogicalId: Property.Path: why`.
   * @throws GwError GW_SAM_INVALID
   */
  fail(logicalId: string, property: readonly (string | number)[], message: string, root: readonly (string | number)[] = [this.section, logicalId]): never {
    throw SamInvalid(`${this.at([...root, ...property])}: ${logicalId}: ${formatProperty(property)}: ${message}`)
  }

  /** Records something gw does not emulate. */
  warn(logicalId: string, property: readonly (string | number)[], message: string, root: readonly (string | number)[] = [this.section, logicalId]): void {
    const warning: TranslationWarning = { file: this.source.file, logicalId, property: formatProperty(property), message }
    const line = nearestLine(this.source, [...root, ...property])
    if (line !== undefined) warning.line = line
    this.warnings.push(warning)
  }
}

/** `Properties.Events.Get.Properties.Path`, `[0]` for indexes. */
export function formatProperty(path: readonly (string | number)[]): string {
  if (path.length === 0) return '(resource)'
  return path.map((p, i) => (typeof p === 'number' ? `[${String(p)}]` : i === 0 ? p : `.${p}`)).join('')
}

/** One warning as the CLI prints it. */
export function formatWarning(w: TranslationWarning): string {
  return `${w.file}${w.line === undefined ? '' : `:${String(w.line)}`}: ${w.logicalId}: ${w.property}: ${w.message}`
}

/** A plain object, or undefined. */
export function asRecord(value: unknown): Record<string, unknown> | undefined {
  return typeof value === 'object' && value !== null && !Array.isArray(value) ? (value as Record<string, unknown>) : undefined
}
