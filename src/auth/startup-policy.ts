import { BlockList, isIP } from 'node:net'

export const CREATE_KEY_HINT =
  'Create a key with `npm run keys -- create --role admin --name ops`, or set ADMIN_API_KEY (at least 32 characters)'

const LOOPBACK = new BlockList()
LOOPBACK.addSubnet('127.0.0.0', 8, 'ipv4')
LOOPBACK.addAddress('::1', 'ipv6')

/** 127.0.0.0/8, ::1 (in any spelling, also ::ffff:127.x.y.z) and localhost: addresses no other machine reaches. */
export function isLoopbackHost(host: string): boolean {
  const name = host.trim().toLowerCase().replace(/^\[(.*)\]$/, '$1')
  if (name === 'localhost') return true
  const family = isIP(name)
  return family !== 0 && LOOPBACK.check(name, family === 6 ? 'ipv6' : 'ipv4')
}

export type StartupDecision =
  | { action: 'start'; warning?: string }
  | { action: 'refuse'; message: string }

/**
 * Whether the server may listen, decided once before it does:
 * - AUTH_DISABLED=true: open anywhere, loudly;
 * - an unrevoked key exists: keys are required;
 * - no key, on a loopback address: open (only this machine can call it) with a warning;
 * - no key, on any other address: refuse, rather than expose an open API.
 */
export function decideStartup({ host, authDisabled, activeKeys }: { host: string; authDisabled: boolean; activeKeys: number }): StartupDecision {
  if (authDisabled) {
    return {
      action: 'start',
      warning: `AUTH_DISABLED=true: the API is open to anyone who can reach ${host}, with no API key. Use this only behind something that authenticates.`,
    }
  }
  if (activeKeys > 0) return { action: 'start' }
  if (isLoopbackHost(host)) {
    return {
      action: 'start',
      warning: `No API key exists: the API is open, to this machine only (HOST=${host}). ${CREATE_KEY_HINT}; keys are then required on every route but /health.`,
    }
  }
  return {
    action: 'refuse',
    message:
      `Refusing to listen on HOST=${host} with no API key: the API would be open to the network.\n` +
      `${CREATE_KEY_HINT}, then start again.\n` +
      'To run without keys on purpose (behind a proxy that authenticates), set AUTH_DISABLED=true.',
  }
}
