// @gw/domains public surface: every export named here (no `export *`).
export { createEndpointRouter, basePathMappingsOf } from './endpoint-router.js'
export type { EndpointRouter, EndpointRouterOptions, EndpointApi, EndpointType, CustomDomain, DomainMapping, VpcEndpoint } from './endpoint-router.js'
export { deriveApiId, API_ID_PATTERN } from './api-id.js'
export { clientCertificateOf } from './client-cert.js'
export { addEdgeHeaders, compileEdgeHeaders, DEFAULT_EDGE_HEADERS, EDGE_URL_LENGTH_LIMIT } from './edge.js'
export type { EdgeHeaders } from './edge.js'
export { createDomainServer } from './domain-server.js'
export type { DomainServerOptions, DomainCertificate } from './domain-server.js'
