// Starts a small upstream and the gateway (through @gw/cli's programmatic serve), then prints working curl commands.
import { createServer } from 'node:http'
import { fileURLToPath } from 'node:url'
import { serve } from '@gw/cli'

const upstream = createServer((req, res) => {
  res.setHeader('content-type', 'application/json')
  res.end(JSON.stringify({ from: 'upstream', method: req.method, url: req.url }))
})
await new Promise((resolve) => upstream.listen(Number(process.env.UPSTREAM_PORT ?? 0), '127.0.0.1', resolve))

// A demo key value (20-128 characters, §9.1); set QUICKSTART_API_KEY to use your own.
process.env.QUICKSTART_API_KEY ??= 'quickstart-demo-key-0123456789'
const gw = await serve({
  config: fileURLToPath(new URL('./gw.config.yaml', import.meta.url)),
  ...(process.env.PORT === undefined ? {} : { port: Number(process.env.PORT) }),
  stageVariables: { dev: { upstream: `127.0.0.1:${upstream.address().port}` } }
})
const url = gw.urls[0]
// the same API at its own host name, as on AWS (curl resolves *.localhost to 127.0.0.1 without a hosts file)
const hostUrl = gw.hostEndpoints[0]?.url
console.log(`gw quickstart listening: ${url} (and ${hostUrl})

  curl ${url}/hello
  curl ${url}/upstream/pets?type=cat
  curl -X POST ${url}/orders -H 'content-type: application/json' -d '{"item":"book"}'
  curl ${url}/premium -H 'x-api-key: ${process.env.QUICKSTART_API_KEY}'
  curl -i ${url}/premium            # 403 {"message":"Forbidden"}: no API key
  curl ${hostUrl}/hello
  curl --resolve ${new URL(hostUrl).host}:127.0.0.1 ${hostUrl}/hello
`)

const stop = () => gw.close().then(() => upstream.close())
process.once('SIGTERM', stop)
process.once('SIGINT', stop)
