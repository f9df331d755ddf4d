import { asRecord } from './translation.js'

type Path = (string | number)[]

/** Where resource `from` refers to resource `to` (first occurrence), by property path. */
export interface Dependency {
  to: string
  path: Path
}

/**
 * The resources each resource refers to through Ref, Fn::GetAtt, Fn::Sub and DependsOn, so a cycle can be refused
 * the way CloudFormation refuses it ("Circular dependency between resources"). `skip` names property paths that
 * SAM's transform moves elsewhere (a function's `Events`), which therefore create no dependency.
 */
export function dependenciesOf(resource: Record<string, unknown>, known: ReadonlySet<string>, skip: readonly string[] = []): Dependency[] {
  const out: Dependency[] = []
  const add = (to: string, path: Path): void => {
    const name = to.split('.')[0] ?? to
    if (known.has(name) && !out.some((d) => d.to === name)) out.push({ to: name, path })
  }
  const walk = (value: unknown, path: Path): void => {
    if (skip.includes(path.join('.'))) return
    if (Array.isArray(value)) return value.forEach((v, i) => walk(v, [...path, i]))
    const record = asRecord(value)
    if (record === undefined) return
    for (const [k, v] of Object.entries(record)) {
      if (k === 'Ref' && typeof v === 'string') add(v, path)
      else if (k === 'Fn::GetAtt') add(typeof v === 'string' ? v : String((v as unknown[])[0]), path)
      else if (k === 'Fn::Sub') {
        const text: unknown = Array.isArray(v) ? (v as unknown[])[0] : v
        if (typeof text === 'string') for (const m of text.matchAll(/\$\{([^!}][^}]*)\}/g)) add((m[1] as string).trim(), [...path, k])
        if (Array.isArray(v)) walk(v[1], [...path, k, 1])
      } else walk(v, [...path, k])
    }
  }
  walk(resource.Properties, ['Properties'])
  const dependsOn: unknown[] = typeof resource.DependsOn === 'string' ? [resource.DependsOn] : Array.isArray(resource.DependsOn) ? (resource.DependsOn as unknown[]) : []
  dependsOn.forEach((d, i) => add(String(d), ['DependsOn', i]))
  return out
}

/** The first cycle among the resources as `[A, B, A]` with where its last edge is written, or undefined. */
export function findCycle(graph: ReadonlyMap<string, Dependency[]>): { cycle: string[]; path: Path } | undefined {
  const state = new Map<string, 'visiting' | 'done'>()
  const stack: string[] = []
  const visit = (id: string): { cycle: string[]; path: Path } | undefined => {
    state.set(id, 'visiting')
    stack.push(id)
    for (const dep of graph.get(id) ?? []) {
      if (state.get(dep.to) === 'visiting') return { cycle: [...stack.slice(stack.indexOf(dep.to)), dep.to], path: dep.path }
      if (state.get(dep.to) === undefined) {
        const found = visit(dep.to)
        if (found !== undefined) return found
      }
    }
    stack.pop()
    state.set(id, 'done')
    return undefined
  }
  for (const id of graph.keys()) {
    if (state.get(id) === undefined) {
      const found = visit(id)
      if (found !== undefined) return found
    }
  }
  return undefined
}
