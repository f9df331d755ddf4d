import { api, saveBlob } from '../api.js'
import { Card, Status, useLoad } from '../components.js'

/** The effective config (after defaults; it names environment variables, never their values), to read or save. */
export function ConfigPage(): preact.JSX.Element {
  const config = useLoad(() => api<unknown>('GET', '/config'), [])
  const text = config.data === undefined ? '' : JSON.stringify(config.data, null, 2)
  const save = (): void => saveBlob(new Blob([text], { type: 'application/json' }), 'gw.config.effective.json')
  return (
    <>
      <h1>Config &amp; export</h1>
      <p class="muted">The OpenAPI export of each stage is on the APIs page (Download OpenAPI).</p>
      <Card
        title="Effective config"
        actions={
          <button type="button" onClick={save} disabled={config.data === undefined}>
            Download
          </button>
        }
      >
        <Status value={config} what="the config" />
        <pre class="code" data-testid="config">
          {text}
        </pre>
      </Card>
    </>
  )
}
