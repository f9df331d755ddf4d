import { useEffect, useState } from 'preact/hooks'
import { api, enc, listAll, request, saveBlob, when, type Deployment, type Resource, type RestApi, type Stage } from '../api.js'
import { Card, ConfirmButton, Outcome, Status, useLoad } from '../components.js'

/** Runs an action and reports its outcome line. */
function useAction(after: () => void): { text: string | undefined; error: string | undefined; run: (label: string, fn: () => Promise<unknown>) => Promise<void> } {
  const [text, setText] = useState<string | undefined>(undefined)
  const [error, setError] = useState<string | undefined>(undefined)
  const run = async (label: string, fn: () => Promise<unknown>): Promise<void> => {
    setText(undefined)
    setError(undefined)
    try {
      await fn()
      setText(label)
      after()
    } catch (err) {
      setError(err instanceof Error ? err.message : String(err))
    }
  }
  return { text, error, run }
}

/** Saves a management answer as a file (the OpenAPI export). */
async function download(path: string, accept: string, fallbackName: string): Promise<void> {
  const res = await request('GET', path, { accept })
  const disposition = res.headers.get('content-disposition') ?? ''
  const name = /filename="([^"]+)"/.exec(disposition)?.[1] ?? fallbackName
  saveBlob(await res.blob(), name)
}

function CanaryControls({ apiId, stage, done }: { apiId: string; stage: Stage; done: () => void }): preact.JSX.Element {
  const canary = stage.canarySettings
  const [percent, setPercent] = useState(canary?.percentTraffic ?? 10)
  useEffect(() => setPercent(canary?.percentTraffic ?? 10), [canary?.percentTraffic])
  const action = useAction(done)
  const path = `/restapis/${enc(apiId)}/stages/${enc(stage.stageName)}`
  const patch = (patchOperations: unknown[]): Promise<unknown> => api('PATCH', path, { patchOperations })
  const id = `canary-${stage.stageName}`
  if (canary === undefined) {
    return (
      <div class="canary">
        <p class="muted">No canary on this stage. A canary deployment snapshots the API's OpenAPI file now and sends a share of the stage's traffic to it (§6.4).</p>
        <ConfirmButton
          label="Create canary deployment"
          testId={`create-canary-${stage.stageName}`}
          question={`Deploy the current OpenAPI file as a canary of stage ${stage.stageName} with 10 % of its traffic?`}
          onConfirm={() => action.run('Canary deployment created.', () => api('POST', `/restapis/${enc(apiId)}/deployments`, { stageName: stage.stageName, description: 'canary from the console', canarySettings: { percentTraffic: 10 } }))}
        />
        <Outcome text={action.text} error={action.error} />
      </div>
    )
  }
  return (
    <div class="canary">
      <p>
        Canary deployment <code>{canary.deploymentId}</code> receives <strong>{String(canary.percentTraffic)} %</strong> of {stage.stageName}'s traffic.
      </p>
      <div class="row wrap">
        <label for={id}>Traffic to the canary</label>
        <input id={id} type="range" min={0} max={100} step={1} value={percent} data-testid={`canary-slider-${stage.stageName}`} onInput={(e) => setPercent(Number((e.target as HTMLInputElement).value))} />
        <output for={id}>{String(percent)} %</output>
        <ConfirmButton
          label={`Apply ${String(percent)} %`}
          testId={`canary-apply-${stage.stageName}`}
          disabled={percent === canary.percentTraffic}
          question={`Send ${String(percent)} % of ${stage.stageName}'s traffic to the canary deployment ${canary.deploymentId}?`}
          onConfirm={() => action.run(`Canary traffic set to ${String(percent)} %.`, () => patch([{ op: 'replace', path: '/canarySettings/percentTraffic', value: String(percent) }]))}
        />
        <ConfirmButton
          label="Promote"
          testId={`canary-promote-${stage.stageName}`}
          question={`Promote the canary: stage ${stage.stageName} moves to deployment ${canary.deploymentId} with the canary's variable overrides, and the canary gets 0 %.`}
          onConfirm={() =>
            action.run('Canary promoted.', () =>
              patch([
                { op: 'replace', path: '/canarySettings/percentTraffic', value: '0.0' },
                { op: 'copy', from: '/canarySettings/deploymentId', path: '/deploymentId' },
                { op: 'copy', from: '/canarySettings/stageVariableOverrides', path: '/variables' }
              ])
            )
          }
        />
        <ConfirmButton
          label="Roll back canary"
          danger
          testId={`canary-rollback-${stage.stageName}`}
          question={`Remove the canary of ${stage.stageName}: all traffic goes back to deployment ${stage.deploymentId}.`}
          onConfirm={() => action.run('Canary removed.', () => patch([{ op: 'remove', path: '/canarySettings' }]))}
        />
      </div>
      <Outcome text={action.text} error={action.error} />
    </div>
  )
}

function StageCard({ apiId, stage, deployments, done }: { apiId: string; stage: Stage; deployments: Deployment[]; done: () => void }): preact.JSX.Element {
  const action = useAction(done)
  const base = `/restapis/${enc(apiId)}/stages/${enc(stage.stageName)}`
  const exportPath = `${base}/exports/oas30?extensions=apigateway`
  return (
    <Card title={`Stage ${stage.stageName}`}>
      <dl class="facts">
        <dt>Deployment</dt>
        <dd>
          <code data-testid={`stage-deployment-${stage.stageName}`}>{stage.deploymentId}</code>
        </dd>
        <dt>Updated</dt>
        <dd>{when(stage.lastUpdatedDate)}</dd>
        <dt>Cache</dt>
        <dd>{stage.cacheClusterEnabled === true ? 'on' : 'off'}</dd>
        <dt>Variables</dt>
        <dd>
          {Object.entries(stage.variables ?? {}).length === 0
            ? '—'
            : Object.entries(stage.variables ?? {}).map(([k, v]) => (
                <span class="tag" key={k}>
                  {k}={v}
                </span>
              ))}
        </dd>
      </dl>
      <CanaryControls apiId={apiId} stage={stage} done={done} />
      <div class="row wrap">
        <ConfirmButton label="Flush stage cache" testId={`flush-cache-${stage.stageName}`} question={`Empty the response cache of ${stage.stageName}? The next requests go to the integration.`} onConfirm={() => action.run('Stage cache flushed.', () => request('DELETE', `${base}/cache/data`))} />
        <ConfirmButton label="Flush authorizer cache" testId={`flush-authorizers-${stage.stageName}`} question={`Forget the cached authorizer results of ${stage.stageName}?`} onConfirm={() => action.run('Authorizer cache flushed.', () => request('DELETE', `${base}/cache/authorizers`))} />
        <button type="button" onClick={() => void action.run('Export downloaded.', () => download(exportPath, 'application/json', `${apiId}-${stage.stageName}-oas30.json`))}>
          Download OpenAPI (JSON)
        </button>
        <button type="button" onClick={() => void action.run('Export downloaded.', () => download(exportPath, 'application/yaml', `${apiId}-${stage.stageName}-oas30.yaml`))}>
          Download OpenAPI (YAML)
        </button>
      </div>
      <Outcome text={action.text} error={action.error} />
      <details>
        <summary>Roll back {stage.stageName} to an earlier deployment</summary>
        <ul class="plain">
          {deployments
            .filter((d) => d.id !== stage.deploymentId)
            .map((d) => (
              <li key={d.id}>
                <code>{d.id}</code> {d.description ?? ''} ({when(d.createdDate)}){' '}
                <ConfirmButton label="Roll back to this" danger question={`Point stage ${stage.stageName} at deployment ${d.id}? Requests in flight finish on the current one.`} onConfirm={() => action.run(`Stage now on ${d.id}.`, () => api('PATCH', base, { patchOperations: [{ op: 'replace', path: '/deploymentId', value: d.id }] }))} />
              </li>
            ))}
        </ul>
      </details>
    </Card>
  )
}

function RoutesCard({ apiId }: { apiId: string }): preact.JSX.Element {
  const resources = useLoad(() => listAll<Resource>(`/restapis/${enc(apiId)}/resources`), [apiId])
  const rows = (resources.data ?? []).flatMap((r) => Object.values(r.resourceMethods ?? {}).map((m) => ({ path: r.path, m })))
  useEffect(() => {
    if (resources.data !== undefined) performance.mark('gw:routes-rendered')
  }, [resources.data])
  return (
    <Card title={`Routes (${String(rows.length)})`}>
      <Status value={resources} what="routes" />
      <div class="scroll">
        <table data-testid="routes">
          <thead>
            <tr>
              <th scope="col">Method</th>
              <th scope="col">Path</th>
              <th scope="col">Authorization</th>
              <th scope="col">API key</th>
              <th scope="col">Integration</th>
            </tr>
          </thead>
          <tbody>
            {rows.map(({ path, m }) => (
              <tr key={`${m.httpMethod} ${path}`}>
                <td>
                  <span class="method">{m.httpMethod}</span>
                </td>
                <td>
                  <code>{path}</code>
                </td>
                <td>
                  {m.authorizationType ?? 'NONE'}
                  {m.authorizerId === undefined ? '' : ` (${m.authorizerId})`}
                </td>
                <td>{m.apiKeyRequired === true ? 'required' : '—'}</td>
                <td>
                  {m.methodIntegration?.type ?? '—'} {m.methodIntegration?.uri === undefined ? '' : <code>{m.methodIntegration.uri}</code>}
                </td>
              </tr>
            ))}
          </tbody>
        </table>
      </div>
    </Card>
  )
}

function ApiDetail({ apiId }: { apiId: string }): preact.JSX.Element {
  const data = useLoad(
    async () => {
      const [stages, deployments] = await Promise.all([api<{ item?: Stage[] }>('GET', `/restapis/${enc(apiId)}/stages`), listAll<Deployment>(`/restapis/${enc(apiId)}/deployments`)])
      return { stages: stages.item ?? [], deployments }
    },
    [apiId]
  )
  const action = useAction(data.reload)
  return (
    <>
      <Status value={data} what="stages" />
      {data.data === undefined ? null : (
        <>
          {data.data.stages.map((s) => (
            <StageCard key={s.stageName} apiId={apiId} stage={s} deployments={data.data?.deployments ?? []} done={data.reload} />
          ))}
          <Card
            title={`Deployments (${String(data.data.deployments.length)})`}
            actions={
              <div class="row wrap">
                {data.data.stages.map((s) => (
                  <ConfirmButton key={s.stageName} label={`Deploy to ${s.stageName}`} question={`Snapshot the API's OpenAPI file now and point stage ${s.stageName} at the new deployment?`} onConfirm={() => action.run(`Deployed to ${s.stageName}.`, () => api('POST', `/restapis/${enc(apiId)}/deployments`, { stageName: s.stageName, description: 'deployed from the console' }))} />
                ))}
              </div>
            }
          >
            <Outcome text={action.text} error={action.error} />
            <div class="scroll">
              <table>
                <thead>
                  <tr>
                    <th scope="col">Id</th>
                    <th scope="col">Description</th>
                    <th scope="col">Created</th>
                    <th scope="col">Serves</th>
                  </tr>
                </thead>
                <tbody>
                  {[...data.data.deployments].reverse().map((d) => (
                    <tr key={d.id}>
                      <td>
                        <code>{d.id}</code>
                      </td>
                      <td>{d.description ?? ''}</td>
                      <td>{when(d.createdDate)}</td>
                      <td>
                        {(data.data?.stages ?? [])
                          .flatMap((s) => [s.deploymentId === d.id ? s.stageName : undefined, s.canarySettings?.deploymentId === d.id ? `${s.stageName} (canary)` : undefined])
                          .filter((x) => x !== undefined)
                          .join(', ')}
                      </td>
                    </tr>
                  ))}
                </tbody>
              </table>
            </div>
          </Card>
        </>
      )}
      <RoutesCard apiId={apiId} />
    </>
  )
}

/** APIs and their stages, canary, deployments, cache flush, export and routes. */
export function ApisPage(): preact.JSX.Element {
  const apis = useLoad(() => listAll<RestApi>('/restapis'), [])
  const [selected, setSelected] = useState<string | undefined>(undefined)
  const list = apis.data ?? []
  const current = list.find((a) => a.id === selected) ?? list[0]
  return (
    <>
      <h1>APIs &amp; stages</h1>
      <Status value={apis} what="APIs" />
      {list.length > 1 ? (
        <div class="row">
          <label for="api-select">API</label>
          <select id="api-select" value={current?.id} onChange={(e) => setSelected((e.target as HTMLSelectElement).value)}>
            {list.map((a) => (
              <option key={a.id} value={a.id}>
                {a.name} ({a.id})
              </option>
            ))}
          </select>
        </div>
      ) : null}
      {current === undefined ? null : (
        <>
          <Card title="API">
            <dl class="facts">
              <dt>Title</dt>
              <dd data-testid="api-title">{current.name}</dd>
              <dt>Id</dt>
              <dd>
                <code>{current.id}</code>
              </dd>
              <dt>Type</dt>
              <dd>{current.protocolType ?? 'REST'}</dd>
              <dt>Version</dt>
              <dd>{current.version ?? '—'}</dd>
              {current.description === undefined ? null : (
                <>
                  <dt>Description</dt>
                  <dd>{current.description}</dd>
                </>
              )}
            </dl>
          </Card>
          <ApiDetail key={current.id} apiId={current.id} />
        </>
      )}
    </>
  )
}
