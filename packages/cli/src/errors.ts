import { defineError } from '@gw/core'

/** Stable error codes of @gw/cli. */
export type CliErrorCode = 'GW_CLI_CONFIG_INVALID' | 'GW_CLI_USAGE'

/** The config (or a file it names) is invalid: the message names the file, the field and the line. The CLI exits 2. */
export const CliConfigInvalid = defineError('GW_CLI_CONFIG_INVALID', 'invalid gw configuration', 400)

/** The command line is wrong (unknown command or flag, missing argument). The CLI exits 2. */
export const CliUsage = defineError('GW_CLI_USAGE', 'invalid command line', 400)
