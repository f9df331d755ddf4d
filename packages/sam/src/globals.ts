import { asRecord } from './translation.js'

/** Which `Globals` section applies to which resource type (SAM's Globals). */
export const GLOBAL_SECTIONS: Readonly<Record<string, string>> = {
  Function: 'AWS::Serverless::Function',
  Api: 'AWS::Serverless::Api',
  HttpApi: 'AWS::Serverless::HttpApi',
  SimpleTable: 'AWS::Serverless::SimpleTable',
  StateMachine: 'AWS::Serverless::StateMachine',
  LayerVersion: 'AWS::Serverless::LayerVersion',
  CapacityProvider: 'AWS::Serverless::CapacityProvider'
}

/**
 * SAM's Globals merge: the resource's own value wins for scalars, maps merge key by key (recursively), lists are
 * concatenated (globals first). Intrinsic objects (`{ Ref }`, `{ 'Fn::…' }`) are values, not maps to merge.
 */
export function mergeGlobals(global: unknown, local: unknown): unknown {
  if (local === undefined) return structuredClone(global)
  if (Array.isArray(global) && Array.isArray(local)) return [...(structuredClone(global) as unknown[]), ...(local as unknown[])]
  const g = asRecord(global)
  const l = asRecord(local)
  if (g === undefined || l === undefined || isIntrinsic(g) || isIntrinsic(l)) return local
  const out: Record<string, unknown> = { ...l }
  for (const [k, v] of Object.entries(g)) out[k] = mergeGlobals(v, l[k])
  return out
}

function isIntrinsic(record: Record<string, unknown>): boolean {
  const keys = Object.keys(record)
  return keys.length === 1 && (keys[0] === 'Ref' || (keys[0] as string).startsWith('Fn::'))
}
