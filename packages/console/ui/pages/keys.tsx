import { useEffect, useMemo, useState } from 'preact/hooks'
import { api, enc, listAll, when, type ApiKey, type UsagePlan } from '../api.js'
import { Card, ConfirmButton, Outcome, Status, useLoad } from '../components.js'

/** API keys: create (the value shown once), enable / disable, attach to usage plans. */
export function KeysPage(): preact.JSX.Element {
  // the first page (500 keys) is shown while the next ones load
  const [partial, setPartial] = useState<ApiKey[] | undefined>(undefined)
  const loaded = useLoad(() => listAll<ApiKey>('/apikeys', setPartial), [])
  const keys = { ...loaded, data: loaded.data ?? partial }
  const plans = useLoad(() => listAll<UsagePlan>('/usageplans'), [])
  const [name, setName] = useState('')
  const [plan, setPlan] = useState('')
  const [created, setCreated] = useState<ApiKey | undefined>(undefined)
  const [filter, setFilter] = useState('')
  // a long list renders its first rows; the filter or 'Show all' reach the rest
  const [limit, setLimit] = useState(100)
  const [attaching, setAttaching] = useState<ApiKey | undefined>(undefined)
  const [outcome, setOutcome] = useState<{ text?: string; error?: string }>({})
  useEffect(() => {
    if (keys.data !== undefined) performance.mark('gw:keys-rendered')
  }, [keys.data])
  const act = async (text: string, fn: () => Promise<unknown>): Promise<void> => {
    setOutcome({})
    try {
      await fn()
      setOutcome({ text })
      keys.reload()
    } catch (err) {
      setOutcome({ error: err instanceof Error ? err.message : String(err) })
    }
  }
  const create = async (e: Event): Promise<void> => {
    e.preventDefault()
    setCreated(undefined)
    await act(`Key ${name} created.`, async () => {
      const key = await api<ApiKey>('POST', '/apikeys', { name, enabled: true })
      if (plan !== '') await api('POST', `/usageplans/${enc(plan)}/keys`, { keyId: key.id, keyType: 'API_KEY' })
      setCreated(key)
      setName('')
    })
  }
  const shown = useMemo(() => {
    const f = filter.trim().toLowerCase()
    const all = keys.data ?? []
    return f === '' ? all : all.filter((k) => k.name.toLowerCase().includes(f) || k.id.toLowerCase().includes(f))
  }, [keys.data, filter])
  const planList = plans.data ?? []
  return (
    <>
      <h1>API keys</h1>
      <Card title="Create a key">
        <form class="row wrap" onSubmit={(e) => void create(e)}>
          <label for="key-name">Name</label>
          <input id="key-name" required maxLength={1024} value={name} onInput={(e) => setName((e.target as HTMLInputElement).value)} />
          <label for="key-plan">Usage plan</label>
          <select id="key-plan" value={plan} onChange={(e) => setPlan((e.target as HTMLSelectElement).value)}>
            <option value="">(none)</option>
            {planList.map((p) => (
              <option key={p.id} value={p.id}>
                {p.name}
              </option>
            ))}
          </select>
          <button type="submit" class="primary">
            Create key
          </button>
        </form>
        {created?.value === undefined ? null : (
          <div class="once" role="status">
            <p>
              The value of <strong>{created.name}</strong> (id <code>{created.id}</code>), shown this once only (gw keeps a hash):
            </p>
            <code class="secret" data-testid="created-key-value">
              {created.value}
            </code>
            <button type="button" onClick={() => void navigator.clipboard?.writeText(created.value ?? '')}>
              Copy
            </button>
          </div>
        )}
        <Outcome text={outcome.text} error={outcome.error} />
      </Card>
      <Card
        title={`Keys (${String(keys.data?.length ?? 0)})`}
        actions={<input type="search" aria-label="Filter keys" placeholder="Filter by name or id" value={filter} onInput={(e) => setFilter((e.target as HTMLInputElement).value)} />}
      >
        <Status value={keys} what="API keys" />
        {attaching === undefined ? null : (
          <AttachToPlan
            name={attaching.name}
            plans={planList}
            onCancel={() => setAttaching(undefined)}
            onAttach={(p) => act(`Key ${attaching.name} attached to ${p}.`, () => api('POST', `/usageplans/${enc(p)}/keys`, { keyId: attaching.id, keyType: 'API_KEY' })).then(() => setAttaching(undefined))}
          />
        )}
        <div class="scroll tall">
          <table data-testid="keys">
            <thead>
              <tr>
                <th scope="col">Name</th>
                <th scope="col">Id</th>
                <th scope="col">State</th>
                <th scope="col">Stages</th>
                <th scope="col">Created</th>
                <th scope="col">Actions</th>
              </tr>
            </thead>
            <tbody>
              {shown.slice(0, limit).map((k) => (
                <tr key={k.id} data-key-id={k.id}>
                  <td>{k.name}</td>
                  <td>
                    <code>{k.id}</code>
                  </td>
                  <td>{k.enabled ? 'enabled' : 'disabled'}</td>
                  <td>{(k.stageKeys ?? []).join(', ')}</td>
                  <td>{when(k.createdDate)}</td>
                  <td class="row">
                    {k.enabled ? (
                      <ConfirmButton label="Disable" danger testId={`disable-${k.id}`} question={`Disable key ${k.name}? Requests with it are refused 403 at once.`} onConfirm={() => act(`Key ${k.name} disabled.`, () => api('PATCH', `/apikeys/${enc(k.id)}`, { patchOperations: [{ op: 'replace', path: '/enabled', value: 'false' }] }))} />
                    ) : (
                      <ConfirmButton label="Enable" question={`Enable key ${k.name} again?`} onConfirm={() => act(`Key ${k.name} enabled.`, () => api('PATCH', `/apikeys/${enc(k.id)}`, { patchOperations: [{ op: 'replace', path: '/enabled', value: 'true' }] }))} />
                    )}
                    {planList.length === 0 ? null : (
                      <button type="button" onClick={() => setAttaching(k)}>
                        Attach to plan…
                      </button>
                    )}
                  </td>
                </tr>
              ))}
            </tbody>
          </table>
        </div>
        {shown.length > limit ? (
          <p class="row">
            Showing {String(limit)} of {String(shown.length)} keys.{' '}
            <button type="button" onClick={() => setLimit(shown.length)}>
              Show all
            </button>
          </p>
        ) : null}
      </Card>
    </>
  )
}

function AttachToPlan({ name, plans, onAttach, onCancel }: { name: string; plans: UsagePlan[]; onAttach: (plan: string) => Promise<void>; onCancel: () => void }): preact.JSX.Element {
  const [plan, setPlan] = useState(plans[0]?.id ?? '')
  return (
    <div class="row wrap attach" role="group" aria-label={`Attach ${name} to a usage plan`}>
      <span>
        Attach <strong>{name}</strong> to
      </span>
      <select aria-label="Usage plan" value={plan} onChange={(e) => setPlan((e.target as HTMLSelectElement).value)}>
        {plans.map((p) => (
          <option key={p.id} value={p.id}>
            {p.name}
          </option>
        ))}
      </select>
      <button type="button" class="primary" onClick={() => void onAttach(plan)}>
        Attach
      </button>
      <button type="button" onClick={onCancel}>
        Cancel
      </button>
    </div>
  )
}
