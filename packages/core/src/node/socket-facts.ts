import type { Socket } from 'node:net'

/** What a request learns from its connection, the same for every request on it. */
export interface SocketFacts {
  /** The client's address (`''` when the socket has none), one string object per address (see `socketFacts`). */
  readonly remoteAddress: string
  /** `https` on a TLS socket. */
  readonly protocol: 'http' | 'https'
}

const kFacts = Symbol('gw.socketFacts')

/** Addresses seen lately, so that keep-alive sockets of one client hand out one string object. */
const addresses = new Map<string, string>()
/** Distinct addresses kept before the map starts over (only sharing is lost, never correctness). */
const MAX_ADDRESSES = 4096

function sharedAddress(address: string): string {
  const known = addresses.get(address)
  if (known !== undefined) return known
  if (addresses.size >= MAX_ADDRESSES) addresses.clear()
  addresses.set(address, address)
  return address
}

/**
 * A socket's facts, read on its first request and kept on it: node's `remoteAddress` getter walks
 * `_getpeername()` on every call, and an access log that compares the address of each line with the last one's
 * (`$context.identity.sourceIp`, issue #18) compares two sockets' strings by content unless one client's
 * sockets share one string. A socket's peer never changes while it is open.
 */
export function socketFacts(socket: Socket): SocketFacts {
  const holder = socket as Socket & { [kFacts]?: SocketFacts }
  let facts = holder[kFacts]
  if (facts === undefined) {
    const address = socket.remoteAddress
    const protocol = 'encrypted' in socket ? 'https' : 'http'
    // not kept while the socket has no peer address yet (or any more): the next request reads it again
    if (address === undefined) return { remoteAddress: '', protocol }
    facts = { remoteAddress: sharedAddress(address), protocol }
    holder[kFacts] = facts
  }
  return facts
}
