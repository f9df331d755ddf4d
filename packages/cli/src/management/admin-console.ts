import type { Logger } from '@gw/core'
import { consoleAssets, type ConsoleAssets } from '@gw/console'

let built: ConsoleAssets | null | undefined

/**
 * The admin console's files (@gw/console), read and compressed once per process (so a --watch reload does not
 * redo it); `undefined`, with one warning, when the package was installed without its built UI.
 */
export function adminConsole(logger: Logger): ConsoleAssets | undefined {
  if (built === undefined) {
    try {
      built = consoleAssets()
    } catch (err) {
      built = null
      logger.warn({ event: 'gw.console_missing', message: (err as Error).message })
    }
  }
  return built ?? undefined
}
