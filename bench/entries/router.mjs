// Router micro benchmarks (docs/benchmarks.md "## routing").
// Group `router`: the harness's shared 100-route table beside find-my-way / hono (their rows live in the harness).
// Groups `router-{static,param,greedy}-{10,1000,10000}`: our own find-my-way ref rows on the same tables.
import FindMyWay from 'find-my-way'
import { routeTable } from '../harness/micro/fixtures.mjs'
import { createRouter } from '../../packages/router/dist/index.js'

const toTemplate = (p) => p.replace(/:([A-Za-z0-9_]+)/g, '{$1}')

function tables (kind, n) {
  const routes = []
  const reqs = []
  for (let i = 0; i < n; i++) {
    if (kind === 'static') routes.push(['GET', `/api/v1/r${i}/items`, `/api/v1/r${i}/items`])
    else if (kind === 'param') routes.push(['GET', `/api/v1/r${i}/:id/items/:itemId`, `/api/v1/r${i}/{id}/items/{itemId}`])
    else routes.push(['GET', `/api/r${i}/*`, `/api/r${i}/{proxy+}`])
  }
  // 1,000 concrete requests spread over the table so lookups hop across the tree
  for (let k = 0; k < 1000; k++) {
    const r = (k * 7919) % n
    if (kind === 'static') reqs.push(['GET', `/api/v1/r${r}/items`])
    else if (kind === 'param') reqs.push(['GET', `/api/v1/r${r}/${10000 + k}/items/${k}`])
    else reqs.push(['GET', `/api/r${r}/a/b/${k}`])
  }
  return { routes, reqs }
}

function pair (out, group, label, routes, reqs) {
  const fmw = FindMyWay()
  const ours = createRouter({ flavour: 'REST' })
  for (const [m, fp, tp] of routes) {
    fmw.on(m, fp, () => {})
    ours.add(m, tp, tp)
  }
  // sanity: both find every request
  for (const [m, p] of reqs) {
    if (fmw.find(m, p) === null) throw new Error(`find-my-way missed ${m} ${p}`)
    if (ours.match(m, p) === undefined) throw new Error(`gw router missed ${m} ${p}`)
  }
  const n = reqs.length
  let i = 0
  let j = 0
  out.push({ group, name: `find-my-way find() ${label}`, fn: () => { const [m, p] = reqs[i++ % n]; return fmw.find(m, p) }, ref: true })
  out.push({ group, name: `gw createRouter() REST match() ${label}`, fn: () => { const [m, p] = reqs[j++ % n]; return ours.match(m, p) } })
}

export async function tasks () {
  const out = []
  {
    const { routes, reqs } = routeTable()
    const ours = createRouter({ flavour: 'REST' })
    for (const [m, p] of routes) ours.add(m, toTemplate(p), p)
    const n = reqs.length
    let i = 0
    out.push({ group: 'router', name: 'gw createRouter() REST match() 100 routes', fn: () => { const [m, p] = reqs[i++ % n]; return ours.match(m, p) } })
  }
  for (const kind of ['static', 'param', 'greedy']) {
    for (const size of [10, 1000, 10000]) {
      const { routes, reqs } = tables(kind, size)
      pair(out, `router-${kind}-${size}`, `${size} ${kind} routes`, routes, reqs)
    }
  }
  return out
}
