#!/usr/bin/env node
import { runCli } from './cli.js'

// The process exits by itself once `gw serve` has drained; other commands exit right away.
runCli(process.argv.slice(2)).then(
  (code) => {
    process.exitCode = code
  },
  (err: unknown) => {
    process.stderr.write(`gw: ${(err as Error).message}\n`)
    process.exitCode = 1
  }
)
