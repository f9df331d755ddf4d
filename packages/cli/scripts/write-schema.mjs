// Regenerates schema/gw.config.schema.json from the zod schema (run after `pnpm build`).
import { writeFileSync } from 'node:fs'
import { gwConfigJsonSchema } from '../dist/index.js'

writeFileSync(new URL('../schema/gw.config.schema.json', import.meta.url), `${JSON.stringify(gwConfigJsonSchema(), null, 2)}\n`)
