/**
 * The effective REST `methodSettings` entry of one method (aws-semantics
 * §6.1): the method's own entry overrides `*\/*` field by field. Keys may be
 * written `/pets/GET`, `pets/GET` or with the patch-path escape `~1pets/GET`;
 * the root resource is `//GET`. One resolver for every feature that reads
 * method settings (throttling §8.1, caching §7, metrics §13), called once per
 * method when a pipeline is built, never per request.
 * @returns the merged entry (`{}` when neither entry exists)
 * @example
 * resolveMethodSetting({ '*\/*': { cachingEnabled: true }, '/pets/GET': { cacheTtlInSeconds: 60 } }, '/pets', 'GET')
 * // { cachingEnabled: true, cacheTtlInSeconds: 60 }
 */
export function resolveMethodSetting<T extends object>(methodSettings: Readonly<Record<string, T>> | undefined, resourcePath: string, httpMethod: string): Partial<T> {
  if (methodSettings === undefined) return {}
  const own = methodSettingEntry(methodSettings, resourcePath, httpMethod)
  const all = methodSettings['*/*']
  if (own === undefined) return all === undefined ? {} : { ...all }
  if (all === undefined) return { ...own }
  const out: Partial<T> = { ...all }
  for (const [k, v] of Object.entries(own)) if (v !== undefined) (out as Record<string, unknown>)[k] = v
  return out
}

/**
 * The method's own `methodSettings` entry (no `*\/*` fallback), for settings
 * that only an explicit entry may turn on (§7: caching of methods other
 * than GET).
 */
export function methodSettingEntry<T extends object>(methodSettings: Readonly<Record<string, T>> | undefined, resourcePath: string, httpMethod: string): T | undefined {
  if (methodSettings === undefined) return undefined
  const wanted = `${resourcePath}/${httpMethod.toUpperCase()}`
  let exact: T | undefined
  for (const [key, setting] of Object.entries(methodSettings)) if (key !== '*/*' && normalizeMethodKey(key) === wanted) exact = setting
  return exact
}

function normalizeMethodKey(key: string): string {
  const decoded = key.replace(/~1/g, '/')
  return decoded.startsWith('/') ? decoded : `/${decoded}`
}
