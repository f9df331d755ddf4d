import { formatWarning, translateSamTemplate, translateServerless, type GwTranslation } from '@gw/sam'
import { loadConfigObject, type LoadedConfig } from './load-config.js'

/** Which file a `--sam` / `--serverless` command reads, and its flags. */
export interface TemplateSourceOptions {
  kind: 'sam' | 'serverless'
  file: string
  /** `--stage`: SAM: every API's stage name; serverless.yml: `${opt:stage}`. */
  stage?: string
  /** `--parameter-overrides` (SAM). */
  parameterOverrides?: Record<string, string>
  /** `--region`: `AWS::Region` / `${opt:region}`. */
  region?: string
}

/** Translates the template with @gw/sam (one definition model: a gw config and OpenAPI documents). */
export function translateTemplate(options: TemplateSourceOptions, env: NodeJS.ProcessEnv): GwTranslation {
  const common = { ...(options.stage === undefined ? {} : { stage: options.stage }), ...(options.region === undefined ? {} : { region: options.region }) }
  return options.kind === 'sam'
    ? translateSamTemplate(options.file, { ...common, parameterOverrides: options.parameterOverrides ?? {} })
    : translateServerless(options.file, { ...common, env })
}

/**
 * A SAM template or serverless.yml loaded through the same path as `gw.config.yaml` (`loadConfigObject`: the config
 * schema, the OpenAPI importer, every cross-reference check); `report` receives the translation's warnings and the
 * local values of the API keys it declares.
 * @throws GwError GW_SAM_INVALID, GW_CLI_CONFIG_INVALID, GW_OPENAPI_INVALID (the CLI exits 2)
 */
export function loadTemplate(options: TemplateSourceOptions, env: NodeJS.ProcessEnv, report?: (line: string) => void): LoadedConfig {
  const t = translateTemplate(options, env)
  const loaded = loadConfigObject({ config: { ...t.config, server: { port: 3000 } }, file: t.file, documents: t.documents, files: t.files, env: t.env }, env)
  if (report !== undefined) {
    for (const w of t.warnings) report(`gw: warning: ${formatWarning(w)}\n`)
    for (const key of loaded.config.apiKeys) report(`gw: API key ${key.name} (usage plans: ${key.usagePlans.join(', ') || 'none'}): ${loaded.env?.[key.valueFromEnv] ?? ''}\n`)
  }
  return loaded
}
