import { parseOptions } from '@gw/core'
import { integrationOptionsSchema, integrationSchema, type IntegrationDefinition, type IntegrationOptions } from './options.js'
import { mockIntegration } from './mock.js'
import { httpProxyIntegration, type IntegrationMiddleware } from './http-proxy.js'
import { httpIntegration } from './http-custom.js'
import { lambdaProxyIntegration } from './aws-proxy.js'
import { awsIntegration } from './aws-service.js'

const noClose = (): Promise<void> => Promise.resolve()

/**
 * Builds the terminal middleware of one method's integration (§2, §3):
 * MOCK, HTTP_PROXY, HTTP, AWS_PROXY (Lambda 1.0 / 2.0) or AWS. Everything
 * (URIs, regexes, templates, pools) is prepared here, once.
 * @param definition the AWS `Integration` object (§3)
 * @param options flavour (@default 'REST'), binaryMediaTypes (@default []), lambda resolver,
 *   aws endpoint/region/credentials, accountId, logger, methodResponses
 * @throws GwError GW_CONFIG_INVALID for an invalid definition or options
 * @throws GwError GW_MAPPING_* for a template @gw/mapping cannot compile
 * @throws GwError GW_INTEGRATIONS_UNSUPPORTED for combinations this package does not do
 * @example
 * const proxy = createIntegration({ type: 'HTTP_PROXY', httpMethod: 'ANY', uri: 'http://127.0.0.1:3000/{proxy}' })
 * const app = compose([router, proxy]) // later: await proxy.close()
 */
export function createIntegration(definition: IntegrationDefinition, options: IntegrationOptions = {}): IntegrationMiddleware {
  const def = parseOptions(integrationSchema, definition, 'createIntegration(definition)')
  const opts = parseOptions(integrationOptionsSchema, options, 'createIntegration(options)')
  const allowed = opts.methodResponses === undefined ? null : new Set(opts.methodResponses.map(Number))
  switch (def.type) {
    case 'MOCK':
      return Object.assign(mockIntegration(def, allowed, opts.accountId), { close: noClose })
    case 'HTTP_PROXY':
      return httpProxyIntegration(def, opts)
    case 'HTTP':
      return httpIntegration(def, opts, allowed)
    case 'AWS_PROXY':
      return lambdaProxyIntegration(def, opts)
    case 'AWS':
      return awsIntegration(def, opts, allowed)
  }
}
