import { randomBytes } from 'node:crypto'
import type { ApiFlavour } from '@gw/core'
import { frozenCopy } from './deep-freeze.js'
import { StagesBadRequest, StagesNotFound } from './errors.js'
import { checkStageVariables, mergeStageVariables, type StageVariables } from './stage-variables.js'

/** An immutable snapshot of an API definition plus what was compiled from it once (§6.1). */
export interface Deployment<D, C> {
  readonly id: string
  readonly description: string | undefined
  readonly createdDate: Date
  /** Deep-frozen copy of the definition at creation time. */
  readonly definition: D
  /** The result of the registry's `compile(definition)`, computed once. */
  readonly compiled: C
}

/** The canary of a stage as served (§6.4); immutable, replaced as a whole. */
export interface CanaryState<D, C> {
  readonly percentTraffic: number
  readonly deployment: Deployment<D, C>
  readonly stageVariableOverrides: StageVariables
  readonly useStageCache: boolean
  /** Stage `variables` merged with the overrides (overrides win), computed once. */
  readonly variables: StageVariables
}

/**
 * A stage as served: immutable. Every change builds a new object and swaps the
 * stage's pointer in one assignment, so a request that captured a state at its
 * start finishes on it whatever happens meanwhile (rollback, promotion).
 */
export interface StageState<D, C> {
  readonly stageName: string
  readonly description: string | undefined
  readonly deployment: Deployment<D, C>
  readonly variables: StageVariables
  readonly canary: CanaryState<D, C> | null
  readonly createdDate: Date
  readonly lastUpdatedDate: Date
}

/** `canarySettings` as the management API takes them (§6.4). */
export interface CanarySettingsInput {
  /** 0.0–100.0. @default 0 */
  percentTraffic?: number | undefined
  /** Canary deployment. @default the stage's deployment */
  deploymentId?: string | undefined
  stageVariableOverrides?: Record<string, string> | undefined
  /** @default false */
  useStageCache?: boolean | undefined
}

/** `canarySettings` in AWS's `Stage` shape. */
export interface CanarySettings {
  percentTraffic: number
  deploymentId: string
  stageVariableOverrides: Record<string, string>
  useStageCache: boolean
}

/** A stage in AWS's `GetStage` shape (plain data, safe to serialize). */
export interface StageDescription {
  stageName: string
  deploymentId: string
  description?: string
  variables: Record<string, string>
  canarySettings?: CanarySettings
  createdDate: string
  lastUpdatedDate: string
}

/** `CreateDeployment` input (§6.1, §6.4). */
export interface CreateDeploymentInput {
  /** Stage to point at the new deployment (created when absent, unless this is a canary deployment). */
  stageName?: string
  description?: string
  stageDescription?: string
  /** Variables of a stage this call creates; merged into an existing stage's (§6.1). */
  variables?: Record<string, string>
  /** Makes the new deployment the canary of an existing stage instead (§6.4). */
  canarySettings?: Omit<CanarySettingsInput, 'deploymentId'>
}

/** `UpdateStage` input; `canarySettings: null` removes the canary (§6.4 `remove /canarySettings`). */
export interface UpdateStageInput {
  deploymentId?: string
  description?: string
  /** Replaces the stage variables. */
  variables?: Record<string, string>
  canarySettings?: CanarySettingsInput | null
}

/** Options of `createStageRegistry()`. */
export interface StageRegistryOptions<D, C> {
  /** REST (stage segment, 403) or HTTP (`$default`, 404) rules (§1.1). @default 'REST' */
  flavour?: ApiFlavour
  /** Compiles a frozen definition once per deployment (routes, chains). */
  compile: (definition: D, deploymentId: string) => C
  /** Deployment id generator. @default 6 random lower-case alphanumerics, as AWS */
  newId?: () => string
}

/** Deployments and stages of one API (§6.1, §6.2) with atomic pointer swaps. */
export interface StageRegistry<D, C> {
  readonly flavour: ApiFlavour
  /** Snapshot `definition` as a new deployment (§6.1 CreateDeployment). */
  createDeployment(definition: D, input?: CreateDeploymentInput): Deployment<D, C>
  getDeployment(id: string): Deployment<D, C> | undefined
  listDeployments(): Deployment<D, C>[]
  /** @throws GwError GW_STAGES_BAD_REQUEST while a stage or canary points at it (§6.1) */
  deleteDeployment(id: string): void
  /** Creates a stage on an existing deployment. */
  createStage(input: { stageName: string; deploymentId: string; description?: string; variables?: Record<string, string>; canarySettings?: CanarySettingsInput }): StageState<D, C>
  /** Applies changes atomically (one pointer swap). */
  updateStage(stageName: string, input: UpdateStageInput): StageState<D, C>
  /** Points the stage at an earlier deployment (one pointer swap; in-flight requests finish on the old one). */
  rollback(stageName: string, deploymentId: string): StageState<D, C>
  deleteStage(stageName: string): void
  /** The live state of a stage (what a request captures at its start). */
  stage(stageName: string): StageState<D, C> | undefined
  /** A stage in AWS's GetStage shape. */
  getStage(stageName: string): StageDescription | undefined
  stageNames(): string[]
}

const STAGE_NAME = /^[A-Za-z0-9_-]{1,128}$/

function awsId(): string {
  // 6 lower-case alphanumerics like AWS deployment ids
  const bytes = randomBytes(6)
  let id = ''
  for (const b of bytes) id += 'abcdefghijklmnopqrstuvwxyz0123456789'.charAt(b % 36)
  return id
}

function copyVars(v: StageVariables): Record<string, string> {
  return { ...v }
}

/**
 * Creates the deployments-and-stages registry of one API. Deployments are
 * frozen snapshots compiled once; stages are immutable states swapped
 * atomically, so rollback and promotion never disturb requests in flight.
 * @throws GwError GW_STAGES_BAD_REQUEST / GW_STAGES_NOT_FOUND from the management calls, with AWS's messages
 * @example
 * const reg = createStageRegistry({ compile: (def) => buildRoutes(def) })
 * const d1 = reg.createDeployment(def, { stageName: 'prod' })
 * reg.rollback('prod', d1.id)
 */
export function createStageRegistry<D, C>(options: StageRegistryOptions<D, C>): StageRegistry<D, C> {
  const flavour = options.flavour ?? 'REST'
  const newId = options.newId ?? awsId
  const deployments = new Map<string, Deployment<D, C>>()
  const stages = new Map<string, StageState<D, C>>()

  function deployment(id: string): Deployment<D, C> {
    const d = deployments.get(id)
    if (d === undefined) throw StagesNotFound(`Invalid deployment identifier specified: ${id}`)
    return d
  }

  function live(stageName: string): StageState<D, C> {
    const s = stages.get(stageName)
    if (s === undefined) throw StagesNotFound(`Invalid stage identifier specified: ${stageName}`)
    return s
  }

  function canaryOf(input: CanarySettingsInput, base: Deployment<D, C>, variables: StageVariables): CanaryState<D, C> {
    const percent = input.percentTraffic ?? 0
    if (!(percent >= 0 && percent <= 100)) throw StagesBadRequest(`percentTraffic must be between 0.0 and 100.0, got ${String(percent)} (§6.4)`)
    if (flavour === 'HTTP') throw StagesBadRequest('HTTP APIs have no canary releases (§6.2)')
    const overrides = checkStageVariables(input.stageVariableOverrides)
    return Object.freeze({
      percentTraffic: percent,
      deployment: input.deploymentId === undefined ? base : deployment(input.deploymentId),
      stageVariableOverrides: overrides,
      useStageCache: input.useStageCache ?? false,
      variables: mergeStageVariables(variables, overrides)
    })
  }

  function swap(next: StageState<D, C>): StageState<D, C> {
    const frozen = Object.freeze(next)
    stages.set(frozen.stageName, frozen)
    return frozen
  }

  function createStage(input: Parameters<StageRegistry<D, C>['createStage']>[0]): StageState<D, C> {
    if (!(STAGE_NAME.test(input.stageName) || (flavour === 'HTTP' && input.stageName === '$default')))
      throw StagesBadRequest(`Stage name only allows a-zA-Z0-9_- and at most 128 characters: ${input.stageName} (§1.1)`)
    if (stages.has(input.stageName)) throw StagesBadRequest(`Stage already exists: ${input.stageName}`)
    const d = deployment(input.deploymentId)
    const variables = checkStageVariables(input.variables)
    const now = new Date()
    return swap({
      stageName: input.stageName,
      description: input.description,
      deployment: d,
      variables,
      canary: input.canarySettings === undefined ? null : canaryOf(input.canarySettings, d, variables),
      createdDate: now,
      lastUpdatedDate: now
    })
  }

  function updateStage(stageName: string, input: UpdateStageInput): StageState<D, C> {
    const s = live(stageName)
    const d = input.deploymentId === undefined ? s.deployment : deployment(input.deploymentId)
    // §6.4: while a canary exists the stage moves to another deployment only by promotion
    if (d !== s.deployment && s.canary !== null && input.canarySettings !== null && d !== s.canary.deployment)
      throw StagesBadRequest('Cannot update deploymentId of a stage with a canary; promote or remove the canary first (§6.4)')
    const variables = input.variables === undefined ? s.variables : checkStageVariables(input.variables)
    let canary = s.canary
    if (input.canarySettings === null) canary = null
    else if (input.canarySettings !== undefined) {
      const prev = s.canary
      canary = canaryOf(
        {
          percentTraffic: input.canarySettings.percentTraffic ?? prev?.percentTraffic ?? 0,
          deploymentId: input.canarySettings.deploymentId ?? prev?.deployment.id ?? d.id,
          stageVariableOverrides: input.canarySettings.stageVariableOverrides ?? (prev === null ? {} : copyVars(prev.stageVariableOverrides)),
          useStageCache: input.canarySettings.useStageCache ?? prev?.useStageCache ?? false
        },
        d,
        variables
      )
    } else if (canary !== null && variables !== s.variables) canary = Object.freeze({ ...canary, variables: mergeStageVariables(variables, canary.stageVariableOverrides) })
    return swap({ ...s, deployment: d, variables, canary, description: input.description ?? s.description, lastUpdatedDate: new Date() })
  }

  return {
    flavour,
    createDeployment(definition, input = {}) {
      let id = newId()
      while (deployments.has(id)) id = newId()
      const snapshot = frozenCopy(definition)
      const d: Deployment<D, C> = Object.freeze({ id, description: input.description, createdDate: new Date(), definition: snapshot, compiled: options.compile(snapshot, id) })
      const name = input.stageName
      if (input.canarySettings !== undefined) {
        // §6.4: the canary deployment needs an existing stage; messages are AWS's
        if (name === undefined || name === '') throw StagesBadRequest('Invalid deployment content specified.Non null and non empty stageName must be provided for canary deployment. Provided value is null')
        if (!stages.has(name)) throw StagesBadRequest(`Invalid deployment content specified.Stage ${name} must already be created before making a canary release deployment`)
        deployments.set(id, d)
        updateStage(name, { canarySettings: { ...input.canarySettings, deploymentId: id } })
        return d
      }
      deployments.set(id, d)
      if (name !== undefined) {
        const s = stages.get(name)
        if (s === undefined) {
          const create: Parameters<StageRegistry<D, C>['createStage']>[0] = { stageName: name, deploymentId: id }
          if (input.stageDescription !== undefined) create.description = input.stageDescription
          if (input.variables !== undefined) create.variables = input.variables
          createStage(create)
        } else {
          const update: UpdateStageInput = { deploymentId: id }
          if (input.variables !== undefined) update.variables = { ...s.variables, ...input.variables }
          updateStage(name, update)
        }
      }
      return d
    },
    getDeployment: (id) => deployments.get(id),
    listDeployments: () => [...deployments.values()],
    deleteDeployment(id) {
      deployment(id)
      for (const s of stages.values())
        if (s.deployment.id === id || s.canary?.deployment.id === id)
          throw StagesBadRequest(`Active stages pointing to this deployment must be moved or deleted (stage ${s.stageName})`)
      deployments.delete(id)
    },
    createStage,
    updateStage,
    rollback: (stageName, deploymentId) => updateStage(stageName, { deploymentId }),
    deleteStage(stageName) {
      live(stageName)
      stages.delete(stageName)
    },
    stage: (stageName) => stages.get(stageName),
    getStage(stageName) {
      const s = stages.get(stageName)
      if (s === undefined) return undefined
      const out: StageDescription = {
        stageName: s.stageName,
        deploymentId: s.deployment.id,
        variables: copyVars(s.variables),
        createdDate: s.createdDate.toISOString(),
        lastUpdatedDate: s.lastUpdatedDate.toISOString()
      }
      if (s.description !== undefined) out.description = s.description
      if (s.canary !== null)
        out.canarySettings = {
          percentTraffic: s.canary.percentTraffic,
          deploymentId: s.canary.deployment.id,
          stageVariableOverrides: copyVars(s.canary.stageVariableOverrides),
          useStageCache: s.canary.useStageCache
        }
      return out
    },
    stageNames: () => [...stages.keys()]
  }
}
