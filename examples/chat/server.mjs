// Starts the chat gateway (`pnpm start`); PORT=0 picks a free port.
import { fileURLToPath } from 'node:url'
import { serve } from '@gw/cli'

const gw = await serve({ config: fileURLToPath(new URL('./gw.config.yaml', import.meta.url)), port: process.env.PORT === undefined ? undefined : Number(process.env.PORT) })
const url = gw.urls[0]
console.log(`chat on ${url}`)
console.log(`  npx wscat -c ${url}    then send {"action":"sendMessage","text":"hello"}`)
for (const signal of ['SIGINT', 'SIGTERM']) process.once(signal, () => void gw.close().then(() => process.exit(0)))
