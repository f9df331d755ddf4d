import { BlockList, isIP } from 'node:net'
import { z } from 'zod'

/**
 * Which proxies may set `X-Forwarded-For` (Express `trust proxy` semantics):
 * `false` (default: the socket address is the client), `true` (trust every
 * hop: the left-most address is the client), a hop count `n` (the `n`-th
 * address counted from the socket), or a list of addresses / CIDR ranges /
 * the names `loopback`, `linklocal`, `uniquelocal` (walk from the socket
 * while the address is trusted).
 */
export type TrustProxy = boolean | number | readonly string[]

/** Picks the client address from the socket address and `X-Forwarded-For`. */
export type ClientAddressResolver = (socketAddress: string, forwardedFor: string | string[] | undefined) => string

const NAMED_RANGES: Readonly<Record<string, readonly string[]>> = {
  loopback: ['127.0.0.0/8', '::1/128'],
  linklocal: ['169.254.0.0/16', 'fe80::/10'],
  uniquelocal: ['10.0.0.0/8', '172.16.0.0/12', '192.168.0.0/16', 'fc00::/7']
}

function isRange(value: string): boolean {
  if (NAMED_RANGES[value] !== undefined) return true
  const slash = value.indexOf('/')
  const address = slash === -1 ? value : value.slice(0, slash)
  const family = isIP(address)
  if (family === 0) return false
  if (slash === -1) return true
  const bits = value.slice(slash + 1)
  return /^\d{1,3}$/.test(bits) && Number(bits) <= (family === 4 ? 32 : 128)
}

/** zod schema of the `trustProxy` option. */
export const trustProxySchema = z.union([
  z.boolean(),
  z.number().int().min(0).max(64),
  z.array(z.string().refine(isRange, { message: 'an IP address, a CIDR range (10.0.0.0/8) or loopback | linklocal | uniquelocal' })).readonly()
])

/** `::ffff:1.2.3.4` → `1.2.3.4`, so IPv4 rules match IPv4 clients on dual-stack sockets. */
function unmap(address: string): string {
  return address.startsWith('::ffff:') && isIP(address.slice(7)) === 4 ? address.slice(7) : address
}

function forwardedList(value: string | string[] | undefined): string[] {
  if (value === undefined) return []
  const joined = Array.isArray(value) ? value.join(',') : value
  return joined.split(',').map((s) => s.trim())
}

/**
 * Compiles `trustProxy` once into a resolver, or `undefined` for `false` / `0`
 * (then the socket address is used and no per-request work happens). An
 * `X-Forwarded-For` entry that is not an IP address ends the walk: the last
 * valid address examined is the client.
 * @example
 * const resolve = compileTrustProxy(['loopback'])!
 * resolve('127.0.0.1', '203.0.113.7') // '203.0.113.7'
 */
export function compileTrustProxy(option: TrustProxy): ClientAddressResolver | undefined {
  if (option === false || option === 0) return undefined
  if (option === true) {
    return (socketAddress, forwardedFor) => {
      const list = forwardedList(forwardedFor)
      for (const entry of list) if (isIP(entry) !== 0) return unmap(entry)
      return socketAddress
    }
  }
  if (typeof option === 'number') {
    const hops = option
    return (socketAddress, forwardedFor) => {
      const list = forwardedList(forwardedFor)
      let client = socketAddress
      for (let n = 1; n <= hops && n <= list.length; n++) {
        const entry = list[list.length - n] as string
        if (isIP(entry) === 0) break
        client = unmap(entry)
      }
      return client
    }
  }
  const blocks = new BlockList()
  for (const item of option) {
    for (const range of NAMED_RANGES[item] ?? [item]) {
      const slash = range.indexOf('/')
      const address = slash === -1 ? range : range.slice(0, slash)
      const type = isIP(address) === 6 ? 'ipv6' : 'ipv4'
      if (slash === -1) blocks.addAddress(address, type)
      else blocks.addSubnet(address, Number(range.slice(slash + 1)), type)
    }
  }
  const trusted = (address: string): boolean => {
    const family = isIP(address)
    return family !== 0 && blocks.check(address, family === 6 ? 'ipv6' : 'ipv4')
  }
  return (socketAddress, forwardedFor) => {
    if (!trusted(unmap(socketAddress))) return socketAddress
    let client = socketAddress
    const list = forwardedList(forwardedFor)
    for (let i = list.length - 1; i >= 0; i--) {
      const entry = list[i] as string
      if (isIP(entry) === 0) break
      client = unmap(entry)
      if (!trusted(client)) break
    }
    return client
  }
}
