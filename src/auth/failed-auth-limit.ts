import { isIPv6 } from 'node:net'
import { AppError } from '../errors.js'

/** Addresses remembered at most; past it the oldest window is forgotten first, so memory stays bounded. */
const MAX_TRACKED_ADDRESSES = 50_000

export class AuthFailuresLimitedError extends AppError {
  override readonly headers: Readonly<Record<string, string>>

  constructor(retryAfterSeconds: number) {
    super(429, 'RATE_LIMITED', `Too many failed authentications from this address; retry in ${retryAfterSeconds} seconds`)
    this.headers = { 'retry-after': String(retryAfterSeconds) }
  }
}

/**
 * Failed authentications (a key presented and refused) per client address, in fixed windows: past `max` in a
 * window, the address is refused with 429 until the window ends, whatever key it sends, so guessing keys is
 * throttled and a right guess is not told apart from a wrong one. Per instance, in memory, like the rate limit.
 */
export class FailedAuthLimit {
  readonly #max: number
  readonly #windowMs: number
  readonly #now: () => number
  readonly #windows = new Map<string, { failures: number; endsAt: number }>()

  constructor({ max, windowMs, now = Date.now }: { max: number; windowMs: number; now?: () => number }) {
    this.#max = max
    this.#windowMs = windowMs
    this.#now = now
  }

  /** Seconds until the address may authenticate again; 0 when it may now. */
  retryAfterSeconds(ip: string): number {
    const window = this.#windows.get(clientOf(ip))
    const now = this.#now()
    if (!window || window.endsAt <= now || window.failures < this.#max) return 0
    return Math.max(1, Math.ceil((window.endsAt - now) / 1000))
  }

  recordFailure(ip: string): void {
    const client = clientOf(ip)
    const now = this.#now()
    const window = this.#windows.get(client)
    if (window && window.endsAt > now) {
      window.failures += 1
      return
    }
    this.#windows.delete(client)
    if (this.#windows.size >= MAX_TRACKED_ADDRESSES) this.#forgetOldest(now)
    this.#windows.set(client, { failures: 1, endsAt: now + this.#windowMs })
  }

  /**
   * Windows are kept in the order they began, so the ended ones come first: those go, and at least a tenth of
   * the oldest, so that a flood of new addresses costs one pass per many insertions.
   */
  #forgetOldest(now: number): void {
    let forgotten = 0
    for (const [client, window] of this.#windows) {
      if (window.endsAt > now && forgotten >= MAX_TRACKED_ADDRESSES / 10) return
      this.#windows.delete(client)
      forgotten += 1
    }
  }
}

/** The client an address stands for: IPv4 as is, IPv6 by its /64 (one host usually holds a whole /64). */
export function clientOf(ip: string): string {
  const mapped = /^::ffff:(\d+\.\d+\.\d+\.\d+)$/i.exec(ip)
  if (mapped?.[1]) return mapped[1]
  if (!isIPv6(ip)) return ip
  // A trailing dotted quad (64:ff9b::192.0.2.1) is two groups.
  const hex = ip.toLowerCase().replace(/(\d+)\.(\d+)\.(\d+)\.(\d+)$/, (_m, a: string, b: string, c: string, d: string) =>
    `${((Number(a) << 8) | Number(b)).toString(16)}:${((Number(c) << 8) | Number(d)).toString(16)}`)
  const [head = '', tail = ''] = hex.split('::')
  const left = head === '' ? [] : head.split(':')
  const right = tail === '' ? [] : tail.split(':')
  const groups = hex.includes('::') ? [...left, ...Array<string>(8 - left.length - right.length).fill('0'), ...right] : left
  return `${groups.slice(0, 4).map((g) => g.replace(/^0+(?=.)/, '')).join(':')}::/64`
}
