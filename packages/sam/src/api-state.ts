import { apiKeyEnvName, generatedApiKeyValue } from './api-keys.js'
import { OpenApiDocument } from './openapi-builder.js'
import type { GwApiConfig, GwConfigObject, GwStageConfig, GwThrottle, GwTranslation } from './translation.js'

/** One API being translated: its OpenAPI document and its stage, before they become a config entry. */
export interface ApiState {
  /** Logical id (the config's API name, so usage plans name it). */
  id: string
  protocol: 'REST' | 'HTTP'
  doc: OpenApiDocument
  /** Stages by name (SAM: one; plain CloudFormation: one per AWS::ApiGateway::Stage). */
  stages: Record<string, GwStageConfig>
  cors?: true | Record<string, unknown>
  /** Authorizer names declared in Auth.Authorizers, the default one, and API-wide ApiKeyRequired. */
  auth: { authorizers: Map<string, 'lambda' | 'cognito' | 'jwt'>; defaultAuthorizer?: string; apiKeyRequired?: boolean }
}

/** Creates the state of an API. */
export function newApi(id: string, protocol: 'REST' | 'HTTP', title: string, body?: Record<string, unknown>): ApiState {
  return { id, protocol, doc: new OpenApiDocument(protocol, title, body), stages: {}, auth: { authorizers: new Map() } }
}

/** Usage plans, API keys and their links, collected from SAM `Auth.UsagePlan`, plain resources or serverless.yml. */
export class KeyRegistry {
  readonly plans = new Map<string, GwConfigObject['usagePlans'][number]>()
  readonly keys = new Map<string, GwConfigObject['apiKeys'][number] & { value: string }>()
  private readonly file: string

  constructor(file: string) {
    this.file = file
  }

  plan(id: string, init: { name?: string; description?: string; throttle?: GwThrottle; quota?: GwConfigObject['usagePlans'][number]['quota'] }): GwConfigObject['usagePlans'][number] {
    let plan = this.plans.get(id)
    if (plan === undefined) {
      plan = { id, name: init.name ?? id, apiStages: [] }
      this.plans.set(id, plan)
    }
    if (init.description !== undefined) plan.description = init.description
    if (init.throttle !== undefined) plan.throttle = init.throttle
    if (init.quota !== undefined) plan.quota = init.quota
    return plan
  }

  /** Declares a key; without a value the local value is generated (stable per file and id). */
  key(id: string, init: { name?: string; value?: string; enabled?: boolean; description?: string }): void {
    const existing = this.keys.get(id)
    const value = init.value ?? existing?.value ?? generatedApiKeyValue(this.file, id)
    const key = { id, name: init.name ?? existing?.name ?? id, valueFromEnv: apiKeyEnvName(id), enabled: init.enabled ?? existing?.enabled ?? true, usagePlans: existing?.usagePlans ?? [], value }
    if (init.description !== undefined) Object.assign(key, { description: init.description })
    this.keys.set(id, key)
  }

  link(keyId: string, planId: string): void {
    const key = this.keys.get(keyId)
    if (key !== undefined && !key.usagePlans.includes(planId)) key.usagePlans.push(planId)
  }
}

/**
 * The translation's config and documents: one `apis[]` entry per API (`openapi` names its in-memory document),
 * the usage plans and keys (values through `env`), and the Lambdas.
 */
export function emit(file: string, apis: readonly ApiState[], registry: KeyRegistry, lambdas: GwConfigObject['lambdas']): Pick<GwTranslation, 'config' | 'documents' | 'env'> {
  const documents: GwTranslation['documents'] = {}
  const entries: GwApiConfig[] = []
  for (const api of apis) {
    const name = `${file}#${api.id}`
    documents[name] = api.doc.doc
    const entry: GwApiConfig = { name: api.id, openapi: name, stages: api.stages }
    if (api.cors !== undefined) entry.cors = api.cors
    entries.push(entry)
  }
  const env: Record<string, string> = {}
  const apiKeys: GwConfigObject['apiKeys'] = []
  for (const { value, ...key } of registry.keys.values()) {
    env[key.valueFromEnv] = value
    apiKeys.push(key)
  }
  const usagePlans = [...registry.plans.values()].filter((p) => p.apiStages.length > 0)
  return { config: { apis: entries, usagePlans, apiKeys: apiKeys.map((k) => ({ ...k, usagePlans: k.usagePlans.filter((p) => usagePlans.some((u) => u.id === p)) })), lambdas }, documents, env }
}
