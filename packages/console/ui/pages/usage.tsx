import { useMemo, useState } from 'preact/hooks'
import { api, enc, listAll, type ApiKey, type Usage, type UsagePlan, type UsagePlanKey } from '../api.js'
import { Card, Chart, Status, useLoad } from '../components.js'

const DAY = 86_400_000
const isoDay = (ms: number): string => new Date(ms).toISOString().slice(0, 10)

/** Every day from `start` to `end` (YYYY-MM-DD, UTC), as GetUsage reports them (§9.3). */
function daysOf(start: string, end: string): string[] {
  const out: string[] = []
  for (let t = Date.parse(`${start}T00:00:00Z`); t <= Date.parse(`${end}T00:00:00Z`) && out.length < 366; t += DAY) out.push(isoDay(t))
  return out
}

/** Every page of GetUsage (paged by key). */
async function allUsage(planId: string, start: string, end: string, keyId: string): Promise<Record<string, [number, number | null][]>> {
  const values: Record<string, [number, number | null][]> = {}
  let position: string | undefined
  do {
    const q = new URLSearchParams({ startDate: start, endDate: end, limit: '500' })
    if (keyId !== '') q.set('keyId', keyId)
    if (position !== undefined) q.set('position', position)
    const page = await api<Usage>('GET', `/usageplans/${enc(planId)}/usage?${q.toString()}`)
    Object.assign(values, page.values ?? {})
    position = page.position
  } while (position !== undefined)
  return values
}

/** Usage plans, and usage per key per day (GetUsage) as a chart and a table. */
export function UsagePage(): preact.JSX.Element {
  const plans = useLoad(() => listAll<UsagePlan>('/usageplans'), [])
  const keys = useLoad(() => listAll<ApiKey>('/apikeys'), [])
  const [planId, setPlanId] = useState('')
  const [start, setStart] = useState(isoDay(Date.now() - 6 * DAY))
  const [end, setEnd] = useState(isoDay(Date.now()))
  const [keyId, setKeyId] = useState('')
  const plan = planId === '' ? plans.data?.[0] : plans.data?.find((p) => p.id === planId)
  const planKeys = useLoad(() => (plan === undefined ? Promise.resolve<UsagePlanKey[]>([]) : listAll<UsagePlanKey>(`/usageplans/${enc(plan.id)}/keys`)), [plan?.id])
  const usage = useLoad(() => (plan === undefined ? Promise.resolve<Record<string, [number, number | null][]>>({}) : allUsage(plan.id, start, end, keyId)), [plan?.id, start, end, keyId])
  const names = useMemo(() => new Map((keys.data ?? []).map((k) => [k.id, k.name])), [keys.data])
  const days = useMemo(() => daysOf(start, end), [start, end])
  const entries = Object.entries(usage.data ?? {})
  const x = useMemo(() => days.map((d) => Date.parse(`${d}T00:00:00Z`) / 1000), [days])
  // the chart shows the 8 busiest keys of the period; the table shows all
  const series = useMemo(
    () =>
      entries
        .map(([id, per]) => ({ label: names.get(id) ?? id, values: per.map((p) => p[0]), total: per.reduce((n, p) => n + p[0], 0) }))
        .sort((a, b) => b.total - a.total)
        .slice(0, 8)
        .map(({ label, values }) => ({ label, values })),
    [usage.data, names]
  )
  return (
    <>
      <h1>Usage plans &amp; usage</h1>
      <Status value={plans} what="usage plans" />
      <Card title={`Usage plans (${String(plans.data?.length ?? 0)})`}>
        <div class="scroll">
          <table>
            <thead>
              <tr>
                <th scope="col">Name</th>
                <th scope="col">Id</th>
                <th scope="col">Stages</th>
                <th scope="col">Throttle</th>
                <th scope="col">Quota</th>
              </tr>
            </thead>
            <tbody>
              {(plans.data ?? []).map((p) => (
                <tr key={p.id}>
                  <td>{p.name}</td>
                  <td>
                    <code>{p.id}</code>
                  </td>
                  <td>{(p.apiStages ?? []).map((s) => `${s.apiId}/${s.stage}`).join(', ')}</td>
                  <td>{p.throttle === undefined ? '—' : `${String(p.throttle.rateLimit ?? '—')} req/s, burst ${String(p.throttle.burstLimit ?? '—')}`}</td>
                  <td>{p.quota === undefined ? '—' : `${String(p.quota.limit)} per ${p.quota.period}`}</td>
                </tr>
              ))}
            </tbody>
          </table>
        </div>
      </Card>
      {plan === undefined ? null : (
        <Card title={`Usage of ${plan.name}`}>
          <form class="row wrap" onSubmit={(e) => e.preventDefault()}>
            <label for="usage-plan">Plan</label>
            <select id="usage-plan" value={plan.id} onChange={(e) => setPlanId((e.target as HTMLSelectElement).value)}>
              {(plans.data ?? []).map((p) => (
                <option key={p.id} value={p.id}>
                  {p.name}
                </option>
              ))}
            </select>
            <label for="usage-start">From</label>
            <input id="usage-start" type="date" value={start} max={end} onChange={(e) => setStart((e.target as HTMLInputElement).value || start)} />
            <label for="usage-end">To</label>
            <input id="usage-end" type="date" value={end} min={start} onChange={(e) => setEnd((e.target as HTMLInputElement).value || end)} />
            <label for="usage-key">Key</label>
            <select id="usage-key" value={keyId} onChange={(e) => setKeyId((e.target as HTMLSelectElement).value)}>
              <option value="">(all keys of the plan)</option>
              {(planKeys.data ?? []).map((k) => (
                <option key={k.id} value={k.id}>
                  {k.name}
                </option>
              ))}
            </select>
            <button type="button" onClick={usage.reload}>
              Refresh
            </button>
          </form>
          <Status value={usage} what="usage" />
          {entries.length === 0 ? <p class="muted">No key of this plan in the period.</p> : <Chart title="Requests per key per day (UTC)" unit="requests" x={x} series={series} bars={days.length <= 14} />}
          <div class="scroll">
            <table data-testid="usage">
              <thead>
                <tr>
                  <th scope="col">Key</th>
                  {days.map((d) => (
                    <th scope="col" key={d}>
                      {d}
                    </th>
                  ))}
                  <th scope="col">Total</th>
                  <th scope="col">Remaining (last day)</th>
                </tr>
              </thead>
              <tbody>
                {entries.map(([id, per]) => (
                  <tr key={id} data-key-id={id}>
                    <th scope="row">{names.get(id) ?? id}</th>
                    {per.map((p, i) => (
                      <td key={days[i] ?? i} class="num">
                        {String(p[0])}
                      </td>
                    ))}
                    <td class="num" data-testid={`usage-total-${id}`}>
                      {String(per.reduce((n, p) => n + p[0], 0))}
                    </td>
                    <td class="num">{per.at(-1)?.[1] === null || per.at(-1) === undefined ? '—' : String(per.at(-1)?.[1])}</td>
                  </tr>
                ))}
              </tbody>
            </table>
          </div>
        </Card>
      )}
    </>
  )
}
