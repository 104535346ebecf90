import dns, { type LookupAddress, type LookupAllOptions } from 'node:dns'
import { promisify } from 'node:util'
import ipaddr from 'ipaddr.js'

// A webhook makes this server send requests where a key holder says: without a guard, to the cloud's metadata
// service (169.254.169.254), the database, or an admin page on localhost (SSRF). A target is checked when the
// webhook is created or its URL changed, and again on the address each delivery actually connects to, so a name
// that resolves to a public address at creation and to a private one later (DNS rebinding) is still refused.

/** Why a target was refused, for the 422 at creation and the delivery's last_error. */
export class RefusedTargetError extends Error {}

/**
 * Whether any machine on the internet reaches this address too: ipaddr.js's `unicast` range, so loopback, private,
 * link-local (metadata), unique-local, carrier-grade NAT, multicast, reserved, unspecified and the IPv6 forms that
 * embed an IPv4 address (mapped, 6to4, Teredo, NAT64) are not.
 */
export function isPublicAddress(address: string): boolean {
  if (!ipaddr.isValid(address)) return false
  const parsed = ipaddr.process(address)
  // ::a.b.c.d, the deprecated IPv4-compatible form, which ipaddr.js counts as unicast.
  if (parsed.kind() === 'ipv6' && (parsed as ipaddr.IPv6).parts.slice(0, 6).every((part) => part === 0)) return false
  return parsed.range() === 'unicast'
}

function refuse(host: string, address: string): RefusedTargetError {
  return new RefusedTargetError(
    `${host} is ${host === address ? 'a' : `at ${address}, a`} loopback, private, link-local or otherwise non-public address ` +
      '(WEBHOOK_ALLOW_PRIVATE_NETWORKS=true allows them)',
  )
}

/** The URL's host without the brackets of an IPv6 literal. */
function hostOf(url: URL): string {
  return url.hostname.replace(/^\[(.*)\]$/, '$1')
}

const lookupAll = promisify(dns.lookup) as (host: string, options: LookupAllOptions) => Promise<LookupAddress[]>

/** Refuses a webhook URL whose host is, or resolves to, a non-public address (unless private networks are allowed). */
export async function checkWebhookTarget(url: URL, { allowPrivate }: { allowPrivate: boolean }): Promise<void> {
  if (allowPrivate) return
  const host = hostOf(url)
  if (ipaddr.isValid(host)) {
    if (!isPublicAddress(host)) throw refuse(host, host)
    return
  }
  let addresses: LookupAddress[]
  try {
    addresses = await lookupAll(host, { all: true })
  } catch {
    throw new RefusedTargetError(`${host} does not resolve`)
  }
  if (addresses.length === 0) throw new RefusedTargetError(`${host} does not resolve`)
  const blocked = addresses.find((a) => !isPublicAddress(a.address))
  if (blocked) throw refuse(host, blocked.address)
}

type LookupCallback = (error: NodeJS.ErrnoException | null, address: string | LookupAddress[], family?: number) => void

/**
 * A `lookup` for http.request that resolves as usual and fails the connection when an address is not public: the
 * check at delivery time, on the address the socket then connects to.
 */
export function guardedLookup(hostname: string, options: dns.LookupOptions, callback: LookupCallback): void {
  dns.lookup(hostname, { ...options, all: true }, (error, found) => {
    const addresses = error ? [] : found
    const blocked = addresses.find((a) => !isPublicAddress(a.address))
    const [first] = addresses
    if (error) callback(error, [])
    else if (blocked) callback(refuse(hostname, blocked.address), [])
    else if (options.all) callback(null, addresses)
    else if (!first) callback(new RefusedTargetError(`${hostname} does not resolve`), [])
    else callback(null, first.address, first.family)
  })
}

/** The check for a URL whose host is an address literal, which http.request connects to without a lookup. */
export function checkLiteralHost(url: URL): void {
  const host = hostOf(url)
  if (ipaddr.isValid(host) && !isPublicAddress(host)) throw refuse(host, host)
}
