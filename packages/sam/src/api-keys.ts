import { createHash } from 'node:crypto'

/** The environment variable a translated API key's value is read from (`valueFromEnv`; users may set it). */
export function apiKeyEnvName(id: string): string {
  return `GW_API_KEY_${id.replace(/[^A-Za-z0-9_]/g, '_').toUpperCase()}`
}

/**
 * The local value of a key whose template gives none (AWS would generate one): stable for a template file and
 * logical id, so curl commands keep working across restarts and `--watch` reloads; 20–128 characters (§9.1).
 */
export function generatedApiKeyValue(file: string, id: string): string {
  return `local-${createHash('sha256').update(`${file}\0${id}`).digest('hex').slice(0, 32)}`
}
