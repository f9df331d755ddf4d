import type { ApiKey, UsagePlan, UsagePlans, Usage } from '@gw/usage-plans'
import { compact, page, withEpochDates } from './aws-wire.js'
import { bad, call, patchOperations, type Reply } from './reply.js'

/**
 * API keys, usage plans and usage (§8.2, §9) in the API Gateway REST API's shapes: CreateApiKey, GetApiKey(s),
 * UpdateApiKey, DeleteApiKey, GetUsagePlan(s), GetUsagePlanKeys, CreateUsagePlanKey, DeleteUsagePlanKey, GetUsage,
 * UpdateUsage.
 */

/** An API key on the wire; `value` only when asked for (`includeValue(s)=true`), and then masked: keys are stored hashed. */
function keyWire(key: ApiKey, includeValue: boolean): Record<string, unknown> {
  const { value, ...rest } = key
  return withEpochDates(includeValue ? { ...rest, value } : rest)
}

/** A usage plan on the wire: empty per-method throttle maps left out, as AWS leaves them out. */
function planWire(plan: UsagePlan): Record<string, unknown> {
  return compact({
    id: plan.id,
    name: plan.name,
    description: plan.description,
    apiStages: plan.apiStages.map((s) => compact({ apiId: s.apiId, stage: s.stage, throttle: Object.keys(s.throttle).length === 0 ? undefined : s.throttle })),
    throttle: plan.throttle,
    quota: plan.quota
  })
}

/** GetUsage / UpdateUsage: `values` per key id, `position` only when there is a next page (§9.3). */
const usageWire = (usage: Usage): Record<string, unknown> => compact({ ...usage })

/** CreateApiKey (§9.1): 201 with the value in clear, the only time it is shown; a duplicate value is 409. */
export function createApiKey(plans: UsagePlans, input: Record<string, unknown>): Promise<Reply> {
  const fields: Parameters<UsagePlans['createApiKey']>[0] = { name: typeof input.name === 'string' ? input.name : '' }
  if (typeof input.value === 'string') fields.value = input.value
  if (typeof input.description === 'string') fields.description = input.description
  if (typeof input.customerId === 'string') fields.customerId = input.customerId
  if (typeof input.enabled === 'boolean') fields.enabled = input.enabled
  // gw's shortcut for CreateApiKey + CreateUsagePlanKey (`gw keys create --plan`); AWS clients never send it.
  if (Array.isArray(input.usagePlanIds)) fields.usagePlanIds = input.usagePlanIds.map(String)
  return call(() => plans.createApiKey(fields), (key) => withEpochDates({ ...key }), 201)
}

/** GetApiKeys: paged `{item, position}`; `name` (prefix) and `customerId` filters. */
export function getApiKeys(plans: UsagePlans, query: URLSearchParams): Promise<Reply> {
  const name = query.get('name')
  const customerId = query.get('customerId')
  const includeValues = query.get('includeValues') === 'true'
  return call(
    () => plans.listApiKeys({ ...(name === null ? {} : { nameQuery: name }), ...(customerId === null ? {} : { customerId }) }).items,
    (keys) => page(keys.map((k) => keyWire(k, includeValues)), { limit: query.get('limit'), position: query.get('position') })
  ).then(pageReply)
}

/** A page whose paging parameters were refused is a 400. */
function pageReply(reply: Reply): Reply {
  return typeof reply.body === 'string' ? bad(reply.body) : reply
}

/** GetApiKey. */
export function getApiKey(plans: UsagePlans, id: string, query: URLSearchParams): Promise<Reply> {
  return call(() => plans.getApiKey(id), (key) => keyWire(key, query.get('includeValue') === 'true'))
}

/** UpdateApiKey: `replace` of `/enabled`, `/name`, `/description`, `/customerId`. */
export function updateApiKey(plans: UsagePlans, id: string, input: Record<string, unknown>): Promise<Reply> | Reply {
  const patch: { name?: string; description?: string; customerId?: string; enabled?: boolean } = {}
  for (const op of patchOperations(input)) {
    const value = typeof op.value === 'string' || typeof op.value === 'boolean' ? String(op.value) : undefined
    if (op.op !== 'replace' || value === undefined) return bad(`Invalid patch operation specified. Must be 'replace' with a value for path ${String(op.path)}`)
    if (op.path === '/enabled') patch.enabled = value === 'true'
    else if (op.path === '/name') patch.name = value
    else if (op.path === '/description') patch.description = value
    else if (op.path === '/customerId') patch.customerId = value
    else return bad(`Invalid patch path ${String(op.path)}`)
  }
  return call(() => plans.updateApiKey(id, patch), (key) => keyWire(key, false))
}

/** DeleteApiKey: 202. */
export function deleteApiKey(plans: UsagePlans, id: string): Promise<Reply> {
  return call(() => plans.deleteApiKey(id), () => ({}), 202)
}

/** GetUsagePlans: paged `{item, position}`; `keyId` lists the plans of one key. */
export function getUsagePlans(plans: UsagePlans, query: URLSearchParams): Promise<Reply> {
  const keyId = query.get('keyId')
  return call(
    () => plans.listUsagePlans().items.filter((p) => keyId === null || plans.listUsagePlanKeys(p.id).items.some((k) => k.id === keyId)),
    (list) => page(list.map(planWire), { limit: query.get('limit'), position: query.get('position') })
  ).then(pageReply)
}

/** GetUsagePlan. */
export function getUsagePlan(plans: UsagePlans, id: string): Promise<Reply> {
  return call(() => plans.getUsagePlan(id), planWire)
}

/** GetUsagePlanKeys: paged `{item, position}` of `{id, type, value (masked), name}`. */
export function getUsagePlanKeys(plans: UsagePlans, planId: string, query: URLSearchParams): Promise<Reply> {
  return call(() => plans.listUsagePlanKeys(planId).items, (keys) => page(keys, { limit: query.get('limit'), position: query.get('position') })).then(pageReply)
}

/** CreateUsagePlanKey (§9.1): `{keyId, keyType: "API_KEY"}` → 201 `{id, type, value, name}`. */
export function createUsagePlanKey(plans: UsagePlans, planId: string, input: Record<string, unknown>): Promise<Reply> | Reply {
  if (input.keyType !== undefined && input.keyType !== 'API_KEY') return bad('Invalid key type specified. Must be API_KEY')
  return call(() => plans.createUsagePlanKey(planId, String(input.keyId)), (key) => ({ ...key }), 201)
}

/** DeleteUsagePlanKey: 202. */
export function deleteUsagePlanKey(plans: UsagePlans, planId: string, keyId: string): Promise<Reply> {
  return call(() => plans.deleteUsagePlanKey(planId, keyId), () => ({}), 202)
}

/** GetUsage (§9.3): one `[used, remaining]` pair per day per key id. */
export function getUsage(plans: UsagePlans, planId: string, query: URLSearchParams): Promise<Reply> {
  const keyId = query.get('keyId')
  const limit = query.get('limit')
  const position = query.get('position')
  return call(
    () =>
      plans.getUsage({
        usagePlanId: planId,
        startDate: query.get('startDate') ?? '',
        endDate: query.get('endDate') ?? '',
        ...(keyId === null ? {} : { keyId }),
        ...(limit === null ? {} : { limit: Number(limit) }),
        ...(position === null ? {} : { position })
      }),
    usageWire
  )
}

/** UpdateUsage (§8.2): `replace /remaining` on one key of a plan; answers the key's usage today. */
export function updateUsage(plans: UsagePlans, planId: string, keyId: string, input: Record<string, unknown>): Promise<Reply> {
  const ops = patchOperations(input).map((op) => ({ op: op.op, path: op.path, value: String(op.value) }) as Parameters<UsagePlans['updateUsage']>[2][number])
  return call(() => plans.updateUsage(planId, keyId, ops), usageWire)
}
