import { defineError } from '@gw/core'

/** Error codes of @gw/router. */
export type RouterErrorCode = 'GW_ROUTER_INVALID_ROUTE' | 'GW_ROUTER_DUPLICATE_ROUTE'

/** A route path or method that API Gateway would refuse to create (§1.2, §1.3). */
export const InvalidRoute = defineError('GW_ROUTER_INVALID_ROUTE', 'invalid route')
/** The same method was added twice on the same path. */
export const DuplicateRoute = defineError('GW_ROUTER_DUPLICATE_ROUTE', 'duplicate route')
