import { type ApiFlavour } from '@gw/core'
import { canonicalPath, templateSegments, decodeHttpPath } from './canonical-path.js'
import { compileTree, DOT_SEGMENT, newNode, type Entry, type Matcher, type MethodTable, type RouteMatch } from './compile-tree.js'
import { DuplicateRoute, InvalidRoute } from './errors.js'
import { ANY_COVERS, ROUTE_METHODS } from './methods.js'
import { resourceIdOf } from './resource-id.js'

export type { RouteMatch } from './compile-tree.js'
export { ROUTE_METHODS } from './methods.js'

/** A compiled route table. */
export interface Router<T> {
  /** `REST` (§1.2 rules) or `HTTP` (§1.3 rules). */
  readonly flavour: ApiFlavour
  /**
   * Adds a route. `method` is one of GET POST PUT PATCH DELETE HEAD OPTIONS ANY;
   * `path` a template (`/pets/{id}`, `/{proxy+}`) or, on HTTP APIs, `$default`.
   * @throws GwError GW_ROUTER_INVALID_ROUTE for a template API Gateway refuses
   * @throws GwError GW_ROUTER_DUPLICATE_ROUTE when method and path are already taken
   */
  add(method: string, path: string, value: T): void
  /** Finds the route for a request method and path (stage removed, not decoded), or `undefined`. */
  match(method: string, path: string): RouteMatch<T> | undefined
  /** Compiles the table now (after the last `add()`) instead of at the first `match()`: 10,000 routes take tens of ms. */
  compile(): void
}

/** Options of `createRouter()`. */
export interface CreateRouterOptions {
  /** Routing rules: REST resources (§1.2) or HTTP API route keys (§1.3). @default 'REST' */
  flavour?: ApiFlavour
}

function table<T>(): MethodTable<T> {
  return Object.create(null) as MethodTable<T>
}

/** Explicit method first, then `ANY` for the seven methods it covers; HEAD is never served by GET (§1.2). */
function pick<T>(methods: MethodTable<T>, method: string): Entry<T> | undefined {
  const explicit = methods[method]
  if (explicit !== undefined) return explicit
  return ANY_COVERS[method] === true ? methods.ANY : undefined
}

function matchOf<T>(entry: Entry<T>): RouteMatch<T> {
  return entry.match ?? { value: entry.value, params: null, resourcePath: entry.resourcePath, resourceId: entry.resourceId, routeKey: entry.routeKey }
}

/** A route without parameters: its one match (see `Entry.match`) is made with it. */
function paramlessEntry<T>(value: T, resourcePath: string, routeKey: string): Entry<T> {
  const resourceId = resourceIdOf(resourcePath)
  const match: RouteMatch<T> = Object.freeze({ value, params: null, resourcePath, resourceId, routeKey })
  return { value, resourcePath, resourceId, routeKey, paramNames: [], match }
}

/**
 * Creates a route table compiled into a segment tree and, on the first
 * `match()` after a change, into generated code (see compile-tree.ts): lookup
 * cost depends on the path's depth, not on the number of routes. Full literal
 * paths also sit in one `Map`, so a static route is one lookup.
 *
 * REST (§1.2): at each level a literal child beats `{param}`, which beats
 * `{greedy+}`, backtracking when a subtree has no method for the request;
 * trailing slash and empty segments ignored; parameters not decoded.
 * HTTP (§1.3): full matches (literal beats param) before greedy matches before
 * `$default`; trailing slash significant; path and parameters decoded.
 * Both: explicit method beats `ANY`; `ANY` covers the seven methods only.
 * @example
 * const r = createRouter<string>({ flavour: 'REST' })
 * r.add('GET', '/pets/{id}', 'pet')
 * r.match('GET', '/pets/7/') // { value: 'pet', params: { id: '7' }, resourcePath: '/pets/{id}', … }
 */
export function createRouter<T>(options: CreateRouterOptions = {}): Router<T> {
  const flavour: ApiFlavour = options.flavour ?? 'REST'
  const http = flavour === 'HTTP'
  const root = newNode<T>()
  const statics = new Map<string, MethodTable<T>>()
  let hasGreedy = false
  let fallback: Entry<T> | undefined
  // Compiled lazily: adding 10,000 routes compiles once, at the first match.
  let matcher: Matcher<T> | undefined

  function add(method: string, path: string, value: T): void {
    if (method !== 'ANY' && ANY_COVERS[method] !== true) throw InvalidRoute(`unsupported method "${method}": use ${ROUTE_METHODS.join(', ')} or ANY (§1.2)`)
    if (path === '$default') {
      if (!http) throw InvalidRoute('$default routes exist on HTTP APIs only (§1.3)')
      if (fallback !== undefined) throw DuplicateRoute('duplicate $default route')
      fallback = paramlessEntry(value, '$default', '$default')
      return
    }
    const segments = templateSegments(path, flavour)
    if (typeof segments === 'string') throw InvalidRoute(`${method} ${path}: ${segments}`)
    let node = root
    const paramNames: string[] = []
    let methods: MethodTable<T> | null = null
    for (const seg of segments) {
      if (seg.kind === 'literal') node = node.statics[seg.value] ??= newNode()
      else if (seg.kind === 'param') {
        paramNames.push(seg.name)
        node = node.param ??= newNode()
      } else {
        paramNames.push(seg.name)
        hasGreedy = true
        methods = node.greedy ??= table()
      }
    }
    methods ??= node.methods ??= table()
    if (methods[method] !== undefined) throw DuplicateRoute(`duplicate route ${method} ${path}`)
    methods[method] =
      paramNames.length === 0
        ? paramlessEntry(value, path, `${method} ${path}`)
        : { value, resourcePath: path, resourceId: resourceIdOf(path), routeKey: `${method} ${path}`, paramNames, match: undefined }
    if (paramNames.length === 0) statics.set(path, methods)
    matcher = undefined
  }

  /*
   * Runs the compiled tree over `p` (leading `/` added): REST trims trailing
   * slashes and skips runs of `/`; HTTP treats every `/` as a boundary and
   * tries greedy routes only when no full match exists (§1.3).
   */
  function lookup(m: Matcher<T>, p: string, method: string): RouteMatch<T> | typeof DOT_SEGMENT | undefined {
    let end = p.length
    if (!http) {
      while (end > 1 && p.charCodeAt(end - 1) === 47) end--
      return m(p, 0, end, method, true)
    }
    // the root path `/` is the root node itself
    const from = end === 1 ? 1 : 0
    const hit = m(p, from, end, method, false)
    return hit === undefined && hasGreedy ? m(p, from, end, method, true) : hit
  }

  function match(method: string, path: string): RouteMatch<T> | undefined {
    // HTTP decodes first (§1.3), so `%2e%2e` is a dot segment there and a plain value on REST
    let p = http ? decodeHttpPath(path) : path
    if (p.length === 0 || p.charCodeAt(0) !== 47) p = `/${p}`
    // Fast path: a full literal path. Keys are canonical, so equality means the request is too.
    const direct = statics.get(!http && p.length > 1 && p.charCodeAt(p.length - 1) === 47 ? p.slice(0, -1) : p)
    if (direct !== undefined) {
      const hit = pick(direct, method)
      if (hit !== undefined) return matchOf(hit)
    }
    const m = compile()
    let hit = lookup(m, p, method)
    // §1.1: a dot segment met on the way, or one the walk never reached (a miss), is resolved and the canonical path
    // matched instead; the common path is not scanned twice. A canonical path has no dot segment left.
    if (hit === DOT_SEGMENT || (hit === undefined && p.includes('/.'))) hit = lookup(m, canonicalPath(path, flavour), method)
    if (hit === DOT_SEGMENT) return undefined
    return hit === undefined && fallback !== undefined ? matchOf(fallback) : hit
  }

  function compile(): Matcher<T> {
    return (matcher ??= compileTree(root, http))
  }

  return { flavour, add, match, compile }
}
