import { execFileSync } from 'node:child_process'
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'

/**
 * Test certificates made with the `openssl` binary (node:crypto reads X.509 but cannot issue it; see the README's
 * "Certificates in tests"). P-256 keys: each certificate takes milliseconds.
 */
export interface TestPki {
  /** A CA: its certificate (PEM) and key file. */
  ca(name: string): { cert: string; keyFile: string; certFile: string }
  /** A self-signed server certificate for a host name. */
  server(host: string): { cert: string; key: string }
  /** A client certificate signed by `ca`. */
  client(subject: string, ca: { keyFile: string; certFile: string }): { cert: string; key: string }
  cleanup(): void
}

function openssl(args: string[], cwd: string): void {
  try {
    execFileSync('openssl', args, { cwd, stdio: ['ignore', 'ignore', 'pipe'] })
  } catch (err) {
    throw new Error(`the tests need the openssl binary to issue certificates: openssl ${args.join(' ')}: ${(err as Error).message}`, { cause: err })
  }
}

export function testPki(): TestPki {
  const dir = mkdtempSync(join(tmpdir(), 'gw-domains-'))
  let n = 0
  const key = ['-newkey', 'ec', '-pkeyopt', 'ec_paramgen_curve:P-256', '-nodes']
  return {
    ca(name) {
      const base = `ca${String(++n)}`
      openssl(['req', '-x509', ...key, '-keyout', `${base}.key`, '-out', `${base}.pem`, '-days', '2', '-subj', `/CN=${name}`], dir)
      return { cert: readFileSync(join(dir, `${base}.pem`), 'utf8'), keyFile: join(dir, `${base}.key`), certFile: join(dir, `${base}.pem`) }
    },
    server(host) {
      const base = `srv${String(++n)}`
      openssl(['req', '-x509', ...key, '-keyout', `${base}.key`, '-out', `${base}.pem`, '-days', '2', '-subj', `/CN=${host}`, '-addext', `subjectAltName=DNS:${host}`], dir)
      return { cert: readFileSync(join(dir, `${base}.pem`), 'utf8'), key: readFileSync(join(dir, `${base}.key`), 'utf8') }
    },
    client(subject, ca) {
      const base = `cl${String(++n)}`
      openssl(['req', ...key, '-keyout', `${base}.key`, '-out', `${base}.csr`, '-subj', subject], dir)
      writeFileSync(join(dir, `${base}.ext`), 'basicConstraints=CA:FALSE\nextendedKeyUsage=clientAuth\n')
      openssl(['x509', '-req', '-in', `${base}.csr`, '-CA', ca.certFile, '-CAkey', ca.keyFile, '-set_serial', '0x0a1b2c3d', '-out', `${base}.pem`, '-days', '2', '-extfile', `${base}.ext`], dir)
      return { cert: readFileSync(join(dir, `${base}.pem`), 'utf8'), key: readFileSync(join(dir, `${base}.key`), 'utf8') }
    },
    cleanup: () => rmSync(dir, { recursive: true, force: true })
  }
}
