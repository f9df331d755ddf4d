/** The seven methods `ANY` stands for (§1.2, §1.3). */
export const ROUTE_METHODS = Object.freeze(['GET', 'POST', 'PUT', 'PATCH', 'DELETE', 'HEAD', 'OPTIONS'] as const)

/** `ROUTE_METHODS` as a prototype-less lookup: `ANY_COVERS[method] === true`. */
export const ANY_COVERS: Readonly<Record<string, true>> = Object.freeze(
  Object.assign(Object.create(null) as Record<string, true>, Object.fromEntries(ROUTE_METHODS.map((m) => [m, true])))
)
