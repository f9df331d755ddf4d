import { NullProto, type ApiFlavour } from '@gw/core'
import { canonicalPath, templateSegments, decodeHttpPath } from './canonical-path.js'
import { DuplicateRoute, InvalidRoute } from './errors.js'
import { resourceIdOf } from './resource-id.js'

/** The seven methods `ANY` stands for (§1.2, §1.3). */
export const ROUTE_METHODS = Object.freeze(['GET', 'POST', 'PUT', 'PATCH', 'DELETE', 'HEAD', 'OPTIONS'] as const)

const ANY_COVERS: Record<string, true> = Object.create(null) as Record<string, true>
for (const m of ROUTE_METHODS) ANY_COVERS[m] = true

/** What `match()` returns. */
export interface RouteMatch<T> {
  /** The value given to `add()`. */
  readonly value: T
  /** Path parameters by name, `null` when the route has none (REST: as received; HTTP: decoded). */
  readonly params: Record<string, string> | null
  /** The route template that matched (`/pets/{id}`), `$default` for the HTTP default route. */
  readonly resourcePath: string
  /** Stable id of the resource (`$context.resourceId`). */
  readonly resourceId: string
  /** The matched route's key: `GET /pets/{id}`, `ANY /{proxy+}` or `$default` (`$context.routeKey`). */
  readonly routeKey: string
}

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
}

/** Options of `createRouter()`. */
export interface CreateRouterOptions {
  /** Routing rules: REST resources (§1.2) or HTTP API route keys (§1.3). @default 'REST' */
  flavour?: ApiFlavour
}

interface Entry<T> {
  readonly value: T
  readonly resourcePath: string
  readonly resourceId: string
  readonly routeKey: string
  readonly paramNames: readonly string[]
}

type MethodTable<T> = Record<string, Entry<T>>

/** Up to this many literal children are scanned in place (no substring, no hashing); more go through the dictionary. */
const SCAN_LIMIT = 16

interface Node<T> {
  statics: Record<string, Node<T>> | null
  /** Literal children as parallel arrays, for the in-place scan. */
  labels: string[]
  /** First char code of each label: most candidates are ruled out by one integer compare. */
  firsts: number[]
  children: Node<T>[]
  param: Node<T> | null
  greedy: MethodTable<T> | null
  methods: MethodTable<T> | null
}

function newNode<T>(): Node<T> {
  return { statics: null, labels: [], firsts: [], children: [], param: null, greedy: null, methods: null }
}

/** Index of the `/` that ends the segment starting at `start`, or `end`. */
function segmentEnd(path: string, start: number, end: number): number {
  let stop = start
  while (stop < end && path.charCodeAt(stop) !== 47) stop++
  return stop
}

/** The segment at `start` (its first char already known to be `.`) is `.` or `..` (§1.1 dot segments). */
function isDotSegment(path: string, start: number, end: number): boolean {
  const next = start + 1 < end ? path.charCodeAt(start + 1) : 47
  if (next === 47) return true
  return next === 46 && (start + 2 >= end || path.charCodeAt(start + 2) === 47)
}

/** `path.startsWith(label, start)` from the label's second char (the first is compared by the caller), without the builtin call. */
function sameChars(path: string, start: number, label: string, len: number): boolean {
  for (let i = 1; i < len; i++) if (path.charCodeAt(start + i) !== label.charCodeAt(i)) return false
  return true
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

/**
 * Creates a route table compiled into a segment tree (prototype-less
 * dictionaries, one node per distinct prefix): lookup cost depends on the
 * path's depth, not on the number of routes. Full literal paths also sit in
 * one dictionary, so a static route is one lookup.
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
  // Reused between calls: match() is synchronous, so one buffer (and its fill level) is enough.
  const values: string[] = []
  let count = 0
  // Set when the walk meets a `.` / `..` segment: the path is then canonicalized and walked again.
  let dot = false

  function add(method: string, path: string, value: T): void {
    if (method !== 'ANY' && ANY_COVERS[method] !== true) throw InvalidRoute(`unsupported method "${method}": use ${ROUTE_METHODS.join(', ')} or ANY (§1.2)`)
    if (path === '$default') {
      if (!http) throw InvalidRoute('$default routes exist on HTTP APIs only (§1.3)')
      if (fallback !== undefined) throw DuplicateRoute('duplicate $default route')
      fallback = { value, resourcePath: '$default', resourceId: resourceIdOf('$default'), routeKey: '$default', paramNames: [] }
      return
    }
    const segments = templateSegments(path, flavour)
    if (typeof segments === 'string') throw InvalidRoute(`${method} ${path}: ${segments}`)
    let node = root
    const paramNames: string[] = []
    let methods: MethodTable<T> | null = null
    for (const seg of segments) {
      if (seg.kind === 'literal') {
        const statics = (node.statics ??= Object.create(null) as Record<string, Node<T>>)
        let child = statics[seg.value]
        if (child === undefined) {
          child = statics[seg.value] = newNode()
          node.labels.push(seg.value)
          node.firsts.push(seg.value.charCodeAt(0))
          node.children.push(child)
        }
        node = child
      } else if (seg.kind === 'param') {
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
    methods[method] = { value, resourcePath: path, resourceId: resourceIdOf(path), routeKey: `${method} ${path}`, paramNames }
    if (paramNames.length === 0) statics.set(path, methods)
  }

  /*
   * Walks `path` (canonical) from index `pos`, without splitting it: REST skips
   * runs of `/` (empty segments) and stops at `end` (trailing slashes trimmed);
   * HTTP treats every `/` as a boundary, so `//` is an empty segment.
   */
  function walk(node: Node<T>, path: string, pos: number, end: number, method: string, greedyOk: boolean): Entry<T> | undefined {
    const saved = count
    // Loops while the current node leaves no alternative to come back to; recurses only at branch points.
    for (;;) {
      let start: number
      if (http) {
        if (pos >= end) return terminal(node, method, saved)
        start = pos + 1
      } else {
        while (pos < end && path.charCodeAt(pos) === 47) pos++
        if (pos >= end) return terminal(node, method, saved)
        start = pos
      }
      // The segment's end is only searched for when a parameter or a large fan-out needs it: literal labels are
      // compared in place and must end at a `/` or at `end` (char loops beat builtin calls on segments this short).
      const first = start < end ? path.charCodeAt(start) : 47
      if (first === 46 && isDotSegment(path, start, end)) {
        dot = true
        return undefined
      }
      let stop = -1
      const greedy = greedyOk ? node.greedy : null
      const param = first !== 47 ? node.param : null
      const labels = node.labels
      const fanOut = labels.length
      if (fanOut !== 0) {
        let child: Node<T> | undefined
        if (fanOut <= SCAN_LIMIT) {
          const firsts = node.firsts
          for (let k = 0; k < fanOut; k++) {
            if (firsts[k] !== first) continue
            const label = labels[k] as string
            const len = label.length
            const after = start + len
            if (after <= end && (after === end || path.charCodeAt(after) === 47) && sameChars(path, start, label, len)) {
              child = node.children[k]
              stop = after
              break
            }
          }
        } else {
          stop = segmentEnd(path, start, end)
          child = (node.statics as Record<string, Node<T>>)[path.slice(start, stop)]
        }
        if (child !== undefined) {
          if (param === null && greedy === null) {
            node = child
            pos = stop
            continue
          }
          const hit = walk(child, path, stop, end, method, greedyOk)
          if (hit !== undefined || dot) return hit
        }
      }
      if (param !== null) {
        if (stop === -1) stop = segmentEnd(path, start, end)
        values[count++] = path.slice(start, stop)
        if (greedy === null) {
          node = param
          pos = stop
          continue
        }
        const hit = walk(param, path, stop, end, method, greedyOk)
        if (hit !== undefined || dot) return hit
        count--
      }
      if (greedy !== null) {
        const hit = pick(greedy, method)
        if (hit !== undefined) {
          // REST drops the trailing slash from a greedy value (§1.2, `end` is trimmed); HTTP keeps what is there
          values[count++] = path.slice(start, end)
          return hit
        }
      }
      count = saved
      return undefined
    }
  }

  /** End of the path: the node's own methods, or a miss that forgets the values this walk collected. */
  function terminal(node: Node<T>, method: string, saved: number): Entry<T> | undefined {
    const hit = node.methods === null ? undefined : pick(node.methods, method)
    if (hit === undefined) count = saved
    return hit
  }

  function result(entry: Entry<T>): RouteMatch<T> {
    const names = entry.paramNames
    let params: Record<string, string> | null = null
    if (names.length !== 0) {
      params = new NullProto()
      for (let k = 0; k < names.length; k++) params[names[k] as string] = values[k] as string
    }
    return { value: entry.value, params, resourcePath: entry.resourcePath, resourceId: entry.resourceId, routeKey: entry.routeKey }
  }

  function lookup(p: string, method: string): Entry<T> | undefined {
    count = 0
    dot = false
    if (p.length === 0 || p.charCodeAt(0) !== 47) p = `/${p}`
    let end = p.length
    if (!http) while (end > 1 && p.charCodeAt(end - 1) === 47) end--
    // the root path `/` is the root node itself
    const from = p.length === 1 ? 1 : 0
    if (!http) return walk(root, p, from, end, method, true)
    let hit = walk(root, p, from, end, method, false)
    if (hit === undefined && !dot && hasGreedy) {
      count = 0
      hit = walk(root, p, from, end, method, true)
    }
    return dot ? undefined : (hit ?? fallback)
  }

  function match(method: string, path: string): RouteMatch<T> | undefined {
    // Fast path: a full literal path. Keys are canonical, so equality means the request is too.
    const decoded = http ? decodeHttpPath(path) : path
    const direct = statics.get(!http && decoded.length > 1 && decoded.charCodeAt(decoded.length - 1) === 47 ? decoded.slice(0, -1) : decoded)
    if (direct !== undefined) {
      const hit = pick(direct, method)
      if (hit !== undefined) return result(hit)
    }
    // HTTP decodes first (§1.3); dot segments are found by the walk itself, so the common path is not scanned twice
    let hit = lookup(decoded, method)
    if (dot) hit = lookup(canonicalPath(path, flavour), method)
    return hit === undefined ? undefined : result(hit)
  }

  return { flavour, add, match }
}
