/** One structured log event (a JSON line by default). */
export interface LogEvent {
  /** Stable event name, e.g. `gw.unhandled_error`, `gw.store_error`. */
  readonly event: string
  readonly [field: string]: unknown
}

/** Where @gw writes its structured logs. Plug pino/winston by passing an object with these methods. */
export interface Logger {
  error(event: LogEvent): void
  warn(event: LogEvent): void
  info(event: LogEvent): void
}

const write = (level: string) => (event: LogEvent): void => {
  process.stderr.write(JSON.stringify({ level, time: new Date().toISOString(), ...event }) + '\n')
}

/** Default logger: one JSON line per event on stderr. */
export const jsonLogger: Logger = { error: write('error'), warn: write('warn'), info: write('info') }

/** A logger that drops everything. */
export const silentLogger: Logger = { error: () => {}, warn: () => {}, info: () => {} }
