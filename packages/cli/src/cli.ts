import { writeFileSync } from 'node:fs'
import { parseArgs } from 'node:util'
import { GwError, parseOptions } from '@gw/core'
import { apiDefinitionSchema, definitionRoutes, type ApiDefinitionInput } from '@gw/gateway'
import { exportOpenApi, formatOpenApi, importOpenApiFile, loadSourceFile, type ImportWarning } from '@gw/openapi'
import { gwConfigJsonSchema } from './config-schema.js'
import { CliUsage } from './errors.js'
import { loadConfig } from './load-config.js'
import { loadTemplate, type TemplateSourceOptions } from './template-source.js'
import { parseParameterOverrides } from '@gw/sam'
import { checkServable, serve, type ServeOptions } from './serve.js'
import { serveWorkers } from './workers.js'

/** Where the CLI writes; injectable for tests. */
export interface CliIo {
  out(text: string): void
  err(text: string): void
  env: NodeJS.ProcessEnv
  /** Registers the SIGTERM/SIGINT handler of `gw serve`. */
  onSignal(handler: (signal: NodeJS.Signals) => void): void
  /** Registers the SIGHUP handler of `gw serve` (reload the config, keep state). @default none */
  onHangup?(handler: () => void): void
}

const USAGE = `Usage: gw <command> [options]

  serve [config]                     serve gw.config.yaml (prints each API stage URL)
  serve --sam template.yaml [--stage s] [--parameter-overrides K=V ...] [--region r] [--port 0] [--watch]
  serve --serverless serverless.yml [--stage s] [--region r] [--port 0] [--watch]
                                     an AWS SAM template / serverless.yml as it is (Node.js handlers in-process)
  serve --openapi api.yaml [--lambda name=./m.mjs#handler] [--stage dev] [--stage-variable k=v] [--port 0]
        [--watch]                    reload config and OpenAPI files on change, keeping quota/throttle state
                                     (SIGHUP reloads too)
        [--workers N]                N processes on one port (node:cluster); N > 1 needs store: redis://…
  validate [config]                  check a config and its OpenAPI files (exit 2 when invalid)
  import <openapi> [--out file]      print the createGateway() definition (JSON) an OpenAPI file imports to, and warnings
  export <openapi | definition.json> [--format yaml|json] [--type oas30|swagger] [--out file]
                                     OpenAPI 3 / Swagger 2 with x-amazon-apigateway extensions, from an OpenAPI
                                     file or a createGateway() definition (what gw import prints)
  export --sam template.yaml | --serverless serverless.yml [--api id] [--format yaml|json]   what the template amounts to
  keys create --name n [--plan id] [--value v]   | keys list | keys disable <id>     (management API)
  usage <plan> [--key id] [--start YYYY-MM-DD] [--end YYYY-MM-DD]                   (management API)
  cache flush <api> <stage> [--authorizers]   FlushStageCache (or FlushStageAuthorizersCache)  (management API)
  schema                             print the JSON Schema of gw.config.yaml

  Management commands call a running gw: --url (default $GW_URL or http://127.0.0.1:8080/_gw),
  --token (default $GW_ADMIN_TOKEN).
Exit codes: 0 ok, 1 runtime failure, 2 invalid config, OpenAPI file or command line.`

/**
 * Runs the `gw` command line. Resolves with the exit code (2 for invalid config / OpenAPI / usage);
 * `gw serve` resolves only after SIGTERM has drained the server.
 * @example
 * process.exitCode = await runCli(process.argv.slice(2))
 */
export async function runCli(argv: readonly string[], io: CliIo = processIo()): Promise<number> {
  const [command, ...rest] = argv
  try {
    switch (command) {
      case 'serve':
        return await serveCommand(rest, io)
      case 'validate':
        return await validateCommand(rest, io)
      case 'import':
        return importCommand(rest, io)
      case 'export':
        return exportCommand(rest, io)
      case 'keys':
        return await keysCommand(rest, io)
      case 'usage':
        return await usageCommand(rest, io)
      case 'cache':
        return await cacheCommand(rest, io)
      case 'schema':
        io.out(`${JSON.stringify(gwConfigJsonSchema(), null, 2)}\n`)
        return 0
      case undefined:
      case 'help':
      case '--help':
      case '-h':
        io.out(`${USAGE}\n`)
        return command === undefined ? 2 : 0
      default:
        throw CliUsage(`unknown command '${command}'\n\n${USAGE}`)
    }
  } catch (err) {
    if (err instanceof GwError && (err.status === 400 || err.code === 'GW_CONFIG_INVALID')) {
      io.err(`gw: ${err.message}\n`)
      return 2
    }
    if (err instanceof TypeError && (err as NodeJS.ErrnoException).code === 'ERR_PARSE_ARGS_UNKNOWN_OPTION') {
      io.err(`gw: ${err.message}\n`)
      return 2
    }
    io.err(`gw: ${(err as Error).message}\n`)
    return 1
  }
}

function processIo(): CliIo {
  return {
    out: (text) => process.stdout.write(text),
    err: (text) => process.stderr.write(text),
    env: process.env,
    onSignal: (handler) => {
      process.once('SIGTERM', handler)
      process.once('SIGINT', handler)
    },
    onHangup: (handler) => {
      process.on('SIGHUP', handler)
    }
  }
}

/** Flags of the commands that read a SAM template or serverless.yml. */
const TEMPLATE_FLAGS = {
  sam: { type: 'string' },
  serverless: { type: 'string' },
  'parameter-overrides': { type: 'string', multiple: true },
  region: { type: 'string' },
  stage: { type: 'string' }
} as const

/** `--sam` / `--serverless` with their flags, or undefined. */
function templateOptions(values: { sam?: string | undefined; serverless?: string | undefined; 'parameter-overrides'?: string[] | undefined; region?: string | undefined; stage?: string | undefined }): TemplateSourceOptions | undefined {
  if (values.sam !== undefined && values.serverless !== undefined) throw CliUsage('give --sam or --serverless, not both')
  const file = values.sam ?? values.serverless
  if (file === undefined) {
    if (values['parameter-overrides'] !== undefined) throw CliUsage('--parameter-overrides goes with --sam')
    return undefined
  }
  if (values.serverless !== undefined && values['parameter-overrides'] !== undefined) throw CliUsage('--parameter-overrides goes with --sam (serverless.yml reads ${opt:…} and ${env:…})')
  return {
    kind: values.sam === undefined ? 'serverless' : 'sam',
    file,
    // `--parameter-overrides A=1 B=2` (one flag, several pairs, as sam deploy takes them) or repeated
    parameterOverrides: parseParameterOverrides((values['parameter-overrides'] ?? []).flatMap((v) => v.split(/\s+/).filter((p) => p !== ''))),
    ...(values.stage === undefined ? {} : { stage: values.stage }),
    ...(values.region === undefined ? {} : { region: values.region })
  }
}

function pairs(values: string[] | undefined, flag: string): Record<string, string> {
  const out: Record<string, string> = {}
  for (const value of values ?? []) {
    const eq = value.indexOf('=')
    if (eq <= 0) throw CliUsage(`${flag} expects name=value, got '${value}'`)
    out[value.slice(0, eq)] = value.slice(eq + 1)
  }
  return out
}

async function serveCommand(args: string[], io: CliIo): Promise<number> {
  const { values, positionals } = parseArgs({
    args,
    allowPositionals: true,
    options: {
      openapi: { type: 'string' },
      lambda: { type: 'string', multiple: true },
      'stage-variable': { type: 'string', multiple: true },
      port: { type: 'string' },
      host: { type: 'string' },
      watch: { type: 'boolean' },
      workers: { type: 'string' },
      ...TEMPLATE_FLAGS
    }
  })
  const port = values.port === undefined ? undefined : Number(values.port)
  if (port !== undefined && !(Number.isInteger(port) && port >= 0 && port <= 65535)) throw CliUsage(`--port must be 0-65535, got '${String(values.port)}'`)
  if ([values.openapi, values.sam, values.serverless, positionals[0]].filter((v) => v !== undefined).length > 1) throw CliUsage('give one of a config file, --openapi, --sam or --serverless')
  const template = templateOptions(values)
  if (template !== undefined && values.workers !== undefined) throw CliUsage('--workers serves a gw.config.yaml; not with --sam / --serverless')
  // Warnings and key values are printed once at start; reloads re-translate quietly.
  let started = false
  const options: ServeOptions = {
    ...(template !== undefined
      ? { load: (env: NodeJS.ProcessEnv) => loadTemplate(template, env, started ? undefined : (line) => io.err(line)) }
      : values.openapi === undefined
      ? { config: positionals[0] ?? 'gw.config.yaml' }
      : {
          quick: {
            openapi: values.openapi,
            lambdas: pairs(values.lambda, '--lambda'),
            stage: values.stage ?? 'dev',
            stageVariables: pairs(values['stage-variable'], '--stage-variable')
          }
        }),
    ...(port === undefined ? {} : { port }),
    ...(values.host === undefined ? {} : { host: values.host }),
    watch: values.watch === true,
    env: io.env,
    onReload: (error) => io.err(error === undefined ? 'gw: reloaded\n' : `gw: reload refused: ${error.message}\n`)
  }
  let gateway: { endpoints: { api: string; stage: string; url: string }[]; hostEndpoints?: { api: string; stage: string; url: string }[]; port: number; close(): Promise<void> }
  if (values.workers === undefined) {
    const single = await serve(options)
    started = true
    for (const api of single.runtime.loaded.apis) for (const w of api.warnings) io.err(formatWarning(api.file, w))
    // SIGHUP re-reads the config and OpenAPI files like --watch does; throttle, quota and key state are kept.
    io.onHangup?.(() => {
      single.reload().then(
        () => io.err('gw: SIGHUP: reloaded\n'),
        (err: unknown) => io.err(`gw: SIGHUP: reload refused, still serving the previous config: ${(err as Error).message}\n`)
      )
    })
    gateway = single
  } else {
    const workers = Number(values.workers)
    if (values.watch === true) throw CliUsage('--watch reloads one process: not with --workers')
    const served = await serveWorkers({ ...options, workers })
    gateway = served
    // Each worker runs this command again (node:cluster); only the primary reports.
    if (!served.primary) return await untilSignal(io, gateway)
    io.out(`gw: ${String(workers)} worker${workers === 1 ? '' : 's'} (node:cluster)\n`)
  }
  io.out(`gw listening on port ${String(gateway.port)}\n`)
  for (const endpoint of gateway.endpoints) io.out(`  ${endpoint.api} ${endpoint.stage}: ${endpoint.url}\n`)
  for (const endpoint of gateway.hostEndpoints ?? []) io.out(`  ${endpoint.api} ${endpoint.stage}: ${endpoint.url}\n`)
  return await untilSignal(io, gateway)
}

/** Waits for SIGTERM / SIGINT, then drains (`close()`). */
async function untilSignal(io: CliIo, gateway: { close(): Promise<void> }): Promise<number> {
  await new Promise<void>((resolve) => {
    io.onSignal((signal) => {
      io.err(`gw: ${signal}: draining in-flight requests\n`)
      gateway.close().then(resolve, resolve)
    })
  })
  io.err('gw: stopped\n')
  return 0
}

function formatWarning(file: string, w: ImportWarning): string {
  return `gw: warning: ${file}${w.line === undefined ? '' : `:${String(w.line)}`}: ${w.pointer}: ${w.message}\n`
}

async function validateCommand(args: string[], io: CliIo): Promise<number> {
  const { values, positionals } = parseArgs({ args, allowPositionals: true, options: TEMPLATE_FLAGS })
  const template = templateOptions(values)
  const loaded = template === undefined ? loadConfig(positionals[0] ?? 'gw.config.yaml', io.env) : loadTemplate(template, io.env, (line) => (line.startsWith('gw: warning') ? io.err(line) : undefined))
  await checkServable(loaded, io.env)
  for (const api of loaded.apis) for (const w of api.warnings) io.err(formatWarning(api.file, w))
  io.out(`${loaded.file}: valid (${String(loaded.apis.length)} API(s), ${String(loaded.apis.reduce((n, a) => n + definitionRoutes(a.definition).length, 0))} route(s))\n`)
  return 0
}

function importCommand(args: string[], io: CliIo): number {
  const { values, positionals } = parseArgs({ args, allowPositionals: true, options: { out: { type: 'string' }, 'fail-on-warnings': { type: 'boolean' } } })
  const file = positionals[0] ?? (() => { throw CliUsage('gw import <openapi file>') })()
  const result = importOpenApiFile(file, { failOnWarnings: values['fail-on-warnings'] === true })
  for (const w of result.warnings) io.err(formatWarning(file, w))
  const text = `${JSON.stringify(result.definition, null, 2)}\n`
  if (values.out === undefined) io.out(text)
  else writeFileSync(values.out, text)
  return 0
}

function exportCommand(args: string[], io: CliIo): number {
  const { values, positionals } = parseArgs({ args, allowPositionals: true, options: { out: { type: 'string' }, format: { type: 'string' }, type: { type: 'string' }, api: { type: 'string' }, ...TEMPLATE_FLAGS } })
  const format = values.format ?? 'yaml'
  if (format !== 'yaml' && format !== 'json') throw CliUsage(`--format must be yaml or json, got '${format}'`)
  const type = values.type ?? 'oas30'
  if (type !== 'oas30' && type !== 'swagger') throw CliUsage(`--type must be oas30 or swagger, got '${type}'`)
  const exportOptions = { format: type === 'swagger' ? 'swagger2' : 'oas30' } as const
  const template = templateOptions(values)
  if (template !== undefined) {
    // The template's APIs as the gateway loads them (translation → config loader → importer), exported (§16.3).
    const loaded = loadTemplate(template, io.env, (line) => (line.startsWith('gw: warning') ? io.err(line) : undefined))
    const apis = values.api === undefined ? loaded.apis : loaded.apis.filter((a) => a.name === values.api)
    if (apis.length === 0) throw CliUsage(`--api: the template has no API '${String(values.api)}' (APIs: ${loaded.apis.map((a) => a.name).join(', ')})`)
    const text = format === 'json' && apis.length > 1
      ? `${JSON.stringify(Object.fromEntries(apis.map((a) => [a.name, exportOpenApi(a.definition, exportOptions)])), null, 2)}\n`
      : apis.map((a) => formatOpenApi(exportOpenApi(a.definition, exportOptions), format)).join(format === 'yaml' ? '---\n' : '')
    if (values.out === undefined) io.out(text)
    else writeFileSync(values.out, text)
    return 0
  }
  const file = positionals[0] ?? (() => { throw CliUsage('gw export <openapi file | definition.json>') })()
  const definition = loadDefinition(file, io)
  const text = formatOpenApi(exportOpenApi(definition, exportOptions), format)
  if (values.out === undefined) io.out(text)
  else writeFileSync(values.out, text)
  return 0
}

/** An OpenAPI file imported (warnings to stderr), or a createGateway() definition file (JSON / YAML) validated as such. */
function loadDefinition(file: string, io: CliIo): ApiDefinitionInput {
  const value = loadSourceFile(file).value as Record<string, unknown> | null
  if (value !== null && typeof value === 'object' && value.openapi === undefined && value.swagger === undefined && value.protocol !== undefined) {
    parseOptions(apiDefinitionSchema, value, file)
    return value as ApiDefinitionInput
  }
  const result = importOpenApiFile(file)
  for (const w of result.warnings) io.err(formatWarning(file, w))
  return result.definition
}

const adminOptions = { url: { type: 'string' }, token: { type: 'string' } } as const

async function admin(io: CliIo, values: { url?: string | undefined; token?: string | undefined }, method: string, path: string, body?: unknown): Promise<{ status: number; json: unknown }> {
  const base = (values.url ?? io.env.GW_URL ?? 'http://127.0.0.1:8080/_gw').replace(/\/$/, '')
  const token = values.token ?? io.env.GW_ADMIN_TOKEN
  if (token === undefined) throw CliUsage('management commands need --token or GW_ADMIN_TOKEN')
  const res = await fetch(`${base}${path}`, {
    method,
    headers: { authorization: `Bearer ${token}`, 'content-type': 'application/json' },
    ...(body === undefined ? {} : { body: JSON.stringify(body) })
  })
  const json: unknown = await res.json()
  if (res.status >= 400) throw new Error(`${method} ${path}: ${String(res.status)} ${JSON.stringify(json)}`)
  return { status: res.status, json }
}

async function keysCommand(args: string[], io: CliIo): Promise<number> {
  const [sub, ...rest] = args
  if (sub === 'create') {
    const { values } = parseArgs({ args: rest, options: { ...adminOptions, name: { type: 'string' }, plan: { type: 'string', multiple: true }, value: { type: 'string' }, description: { type: 'string' } } })
    if (values.name === undefined) throw CliUsage('gw keys create --name <name> [--plan <usagePlanId>]')
    const { json } = await admin(io, values, 'POST', '/apikeys', {
      name: values.name,
      usagePlanIds: values.plan ?? [],
      ...(values.value === undefined ? {} : { value: values.value }),
      ...(values.description === undefined ? {} : { description: values.description })
    })
    io.out(`${JSON.stringify(json, null, 2)}\n`)
    return 0
  }
  if (sub === 'list') {
    const { values } = parseArgs({ args: rest, options: adminOptions })
    const { json } = await admin(io, values, 'GET', '/apikeys?limit=500')
    // The wire's list member `item` is printed as `items`, as `aws apigateway get-api-keys` prints it.
    const { item, ...paging } = json as { item?: unknown[] }
    io.out(`${JSON.stringify({ items: item ?? [], ...paging }, null, 2)}\n`)
    return 0
  }
  if (sub === 'disable') {
    const { values, positionals } = parseArgs({ args: rest, allowPositionals: true, options: adminOptions })
    const id = positionals[0] ?? (() => { throw CliUsage('gw keys disable <keyId>') })()
    const { json } = await admin(io, values, 'PATCH', `/apikeys/${encodeURIComponent(id)}`, { patchOperations: [{ op: 'replace', path: '/enabled', value: 'false' }] })
    io.out(`${JSON.stringify(json, null, 2)}\n`)
    return 0
  }
  throw CliUsage('gw keys create|list|disable')
}

async function usageCommand(args: string[], io: CliIo): Promise<number> {
  const { values, positionals } = parseArgs({ args, allowPositionals: true, options: { ...adminOptions, key: { type: 'string' }, start: { type: 'string' }, end: { type: 'string' } } })
  const plan = positionals[0] ?? (() => { throw CliUsage('gw usage <usagePlanId> [--key id]') })()
  const today = new Date().toISOString().slice(0, 10)
  const query = new URLSearchParams({ startDate: values.start ?? today, endDate: values.end ?? today })
  if (values.key !== undefined) query.set('keyId', values.key)
  const { json } = await admin(io, values, 'GET', `/usageplans/${encodeURIComponent(plan)}/usage?${query.toString()}`)
  io.out(`${JSON.stringify(json, null, 2)}\n`)
  return 0
}

/** `gw cache flush <api> <stage> [--authorizers]`: FlushStageCache / FlushStageAuthorizersCache (§7) on a running gw. */
async function cacheCommand(args: string[], io: CliIo): Promise<number> {
  const [sub, ...rest] = args
  const { values, positionals } = parseArgs({ args: rest, allowPositionals: true, options: { ...adminOptions, authorizers: { type: 'boolean' } } })
  const [api, stage] = positionals
  if (sub !== 'flush' || api === undefined || stage === undefined) throw CliUsage('gw cache flush <api> <stage> [--authorizers]')
  const what = values.authorizers === true ? 'authorizers' : 'data'
  await admin(io, values, 'DELETE', `/restapis/${encodeURIComponent(api)}/stages/${encodeURIComponent(stage)}/cache/${what}`)
  io.out(`flushed ${what === 'data' ? 'the response cache' : 'the authorizer cache'} of ${api} ${stage}\n`)
  return 0
}
