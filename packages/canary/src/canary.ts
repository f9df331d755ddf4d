import { z } from 'zod'
import { parseOptions, type GatewayContext } from '@gw/core'
import { mergeStageVariables, type Deployment, type StageRegistry, type StageState, type StageVariables } from '@gw/stages'
import { CanaryHealth } from './canary-health.js'
import { CanaryNotAvailable } from './errors.js'
import { cookieValue, stickyPoint } from './sticky-hash.js'

/** Options of `createCanary()`. Everything but `random` is beyond AWS (documented in the README). */
export interface CanaryOptions {
  /** Source of uniform numbers in [0, 1) (tests inject a seeded one). @default Math.random */
  random?: () => number
  /**
   * Beyond AWS: keep a client on one variant by hashing a request header, a
   * cookie or the client IP; requests without the key fall back to random.
   * @default undefined (AWS: no stickiness, §6.4)
   */
  sticky?: { header?: string; cookie?: string; sourceIp?: boolean }
  /**
   * Beyond AWS: when the canary's 5XX share over `windowMs` exceeds `threshold`
   * (0–1) with at least `minRequests` canary requests, set its percentTraffic
   * to 0 (the canary stays for inspection) and call `onRollback`.
   * @default undefined (off)
   */
  autoRollback?: { threshold: number; windowMs?: number; minRequests?: number; onRollback?: (event: CanaryRollbackEvent) => void }
}

/** What `onRollback` receives. */
export interface CanaryRollbackEvent {
  stageName: string
  deploymentId: string
  requests: number
  errors: number
}

/** The variant a request was sent to. */
export interface CanaryDecision<D, C> {
  readonly canary: boolean
  readonly deployment: Deployment<D, C>
  readonly variables: StageVariables
  /** Cache namespace (§6.4): the stage's, or its own `{stage}/Canary` when `useStageCache` is false. */
  readonly cacheScope: string
}

/** A canary controller for one stage registry. */
export interface Canary<D, C> {
  /**
   * Chooses stage or canary for a request that captured `state` (§0.1 step 2,
   * §6.4) and sets `ctx.isCanaryRequest`, `ctx.deploymentId`, `ctx.stageVariables`.
   */
  decide(state: StageState<D, C>, ctx: GatewayContext<object>): CanaryDecision<D, C>
  /** Feeds a finished canary request into auto-rollback (no-op unless configured or not canary). */
  record(ctx: GatewayContext<object>): void
  /** §6.4 promotion: canary deployment → stage, overrides merged into variables, percentTraffic 0; settings kept. */
  promote(stageName: string): StageState<D, C>
  /** §6.4 `remove /canarySettings`. */
  remove(stageName: string): StageState<D, C>
}

const optionsSchema = z
  .object({
    random: z.custom<() => number>((v) => typeof v === 'function', 'a function returning [0, 1)').optional(),
    sticky: z
      .object({ header: z.string().min(1).optional(), cookie: z.string().min(1).optional(), sourceIp: z.boolean().optional() })
      .strict()
      .refine((s) => s.header !== undefined || s.cookie !== undefined || s.sourceIp === true, 'name a header, a cookie or sourceIp: true')
      .optional(),
    autoRollback: z
      .object({
        threshold: z.number().min(0).max(1),
        windowMs: z.number().int().positive().default(60_000),
        minRequests: z.number().int().positive().default(20),
        onRollback: z.custom<(e: CanaryRollbackEvent) => void>((v) => typeof v === 'function').optional()
      })
      .strict()
      .optional()
  })
  .strict()

function isEmpty(vars: StageVariables): boolean {
  for (const _ in vars) return false
  return true
}

/**
 * Creates the canary controller of a stage registry (§6.4): per request
 * `u = random() * 100` goes to the canary when `u < percentTraffic`; the
 * canary runs its own deployment with the stage variables merged with
 * `stageVariableOverrides` (overrides win).
 * @throws GwError GW_CONFIG_INVALID for bad options
 * @example
 * const canary = createCanary(registry, { autoRollback: { threshold: 0.05 } })
 * const d = canary.decide(registry.stage('prod')!, ctx)
 */
export function createCanary<D, C>(registry: StageRegistry<D, C>, options: CanaryOptions = {}): Canary<D, C> {
  const opts = parseOptions(optionsSchema, options, 'canary')
  const random = opts.random ?? Math.random
  const sticky = opts.sticky
  const stickyHeader = sticky?.header?.toLowerCase()
  const auto = opts.autoRollback
  const health = new Map<string, CanaryHealth>()
  const canaryRequests = new WeakSet<GatewayContext<object>>()

  function point(ctx: GatewayContext<object>): number {
    if (sticky !== undefined) {
      let key: string | undefined
      if (stickyHeader !== undefined) {
        const v = ctx.headers[stickyHeader]
        key = Array.isArray(v) ? v[0] : v
      }
      if (key === undefined && sticky.cookie !== undefined) key = cookieValue(ctx.headers.cookie, sticky.cookie)
      if (key === undefined && sticky.sourceIp === true) key = ctx.sourceIp
      if (key !== undefined && key !== '') return stickyPoint(key)
    }
    return random() * 100
  }

  // The stage-side decision of the last state seen: it is made of the (immutable, §6.1) state alone, so the next
  // request of that state that does not go to the canary gets the same object, not a new one per request (#21).
  let lastState: StageState<D, C> | undefined
  let lastStageDecision: CanaryDecision<D, C> | undefined

  return {
    decide(state, ctx) {
      const c = state.canary
      const toCanary = c !== null && c.percentTraffic > 0 && point(ctx) < c.percentTraffic
      if (c === null || !toCanary) {
        ctx.isCanaryRequest = false
        if (state === lastState) return lastStageDecision as CanaryDecision<D, C>
        lastState = state
        lastStageDecision = Object.freeze({ canary: false, deployment: state.deployment, variables: state.variables, cacheScope: state.stageName })
        return lastStageDecision
      }
      ctx.isCanaryRequest = true
      ctx.deploymentId = c.deployment.id
      ctx.stageVariables = isEmpty(c.variables) ? null : c.variables
      if (auto !== undefined) canaryRequests.add(ctx)
      return { canary: true, deployment: c.deployment, variables: c.variables, cacheScope: c.useStageCache ? state.stageName : `${state.stageName}/Canary` }
    },
    record(ctx) {
      if (auto === undefined || !canaryRequests.has(ctx) || ctx.stage === undefined) return
      const stageName = ctx.stage
      let h = health.get(stageName)
      if (h === undefined) health.set(stageName, (h = new CanaryHealth(auto.windowMs)))
      const now = Date.now()
      h.record(ctx.status, now)
      if (ctx.status < 500) return
      const { requests, errors } = h.totals(now)
      if (requests < auto.minRequests || errors / requests <= auto.threshold) return
      const state = registry.stage(stageName)
      if (state?.canary == null || state.canary.percentTraffic === 0 || state.canary.deployment.id !== ctx.deploymentId) return
      registry.updateStage(stageName, { canarySettings: { percentTraffic: 0 } })
      health.delete(stageName)
      auto.onRollback?.({ stageName, deploymentId: state.canary.deployment.id, requests, errors })
    },
    promote(stageName) {
      const state = registry.stage(stageName)
      if (state === undefined) return registry.updateStage(stageName, {}) // throws AWS's 404
      const c = state.canary
      if (c === null) throw CanaryNotAvailable()
      // §6.4: copy /canarySettings/deploymentId → /deploymentId; copy overrides → /variables (merge); percentTraffic 0
      return registry.updateStage(stageName, {
        deploymentId: c.deployment.id,
        variables: { ...mergeStageVariables(state.variables, c.stageVariableOverrides) },
        canarySettings: { percentTraffic: 0 }
      })
    },
    remove(stageName) {
      const state = registry.stage(stageName)
      if (state !== undefined && state.canary === null) throw CanaryNotAvailable('Canary does not exist.')
      return registry.updateStage(stageName, { canarySettings: null })
    }
  }
}
