import { spawn, type ChildProcess } from 'node:child_process'
import { once } from 'node:events'
import { closeSync, openSync, readFileSync } from 'node:fs'
import { createRequire } from 'node:module'
import { join } from 'node:path'
import { createInterface } from 'node:readline'
import { setTimeout as sleep } from 'node:timers/promises'
import { fileURLToPath, pathToFileURL } from 'node:url'

/** The project root, so a process can run src/server.ts from any working directory. */
export const PROJECT_ROOT = fileURLToPath(new URL('../../', import.meta.url))
export const SERVER_ENTRY = join(PROJECT_ROOT, 'src', 'server.ts')
/** tsx's loader as an absolute file URL: `--import tsx` would be resolved from the working directory. */
export const TSX_LOADER = pathToFileURL(createRequire(import.meta.url).resolve('tsx')).href

const LISTENING = /Server listening at (http:\/\/[^\s"]+)/

export interface ProcessOptions {
  /** The whole environment of the process besides PATH: nothing leaks in from the test runner. */
  env: Record<string, string>
  cwd?: string
  timeoutMs?: number
  /** What node runs; src/server.ts through tsx by default (the benchmark runs the built dist/server.js). */
  args?: string[]
  /**
   * Where stdout (the pino log) goes: kept as lines in `logs` by default, or written to this file, so a parent
   * busy generating load never blocks the server's writes (the benchmark).
   */
  logFile?: string
}

export interface ServerProcess {
  url: string
  child: ChildProcess
  /** stderr, and stdout unless it goes to a log file, line by line. */
  logs: string[]
  /** The process's peak resident set size so far (VmHWM), in MiB; NaN once it is gone or without /proc. */
  peakRssMb: () => number
  /** Sends the signal and waits for the process to exit (SIGKILL after killAfterMs, if given); answers its exit code. */
  stop: (signal?: NodeJS.Signals, killAfterMs?: number) => Promise<number | null>
}

export function spawnServer({ env, cwd = PROJECT_ROOT, args = ['--import', TSX_LOADER, SERVER_ENTRY], logFile }: ProcessOptions): ChildProcess {
  const logFd = logFile === undefined ? undefined : openSync(logFile, 'w')
  try {
    return spawn(process.execPath, args, {
      cwd,
      env: { PATH: process.env.PATH ?? '', ...env },
      stdio: ['ignore', logFd ?? 'pipe', 'pipe'],
    })
  } finally {
    if (logFd !== undefined) closeSync(logFd)
  }
}

/**
 * Starts src/server.ts as a real process on a free loopback port and waits until it listens. The queue sweep is
 * off unless the test turns it on (QUEUE_SWEEP_INTERVAL_MS), so no background change lands between two reads of
 * a check.
 */
export async function startServerProcess(env: Record<string, string>): Promise<ServerProcess> {
  return startServerIn({ env: { HOST: '127.0.0.1', PORT: '0', QUEUE_SWEEP_INTERVAL_MS: '0', ...env } })
}

/** Like startServerProcess, with any options, and without forcing PORT or HOST (a .env may set them). */
export async function startServerIn(options: ProcessOptions): Promise<ServerProcess> {
  const child = spawnServer(options)
  const logs: string[] = []
  const exited = once(child, 'exit') as Promise<[number | null]>
  createInterface({ input: child.stderr! }).on('line', (line) => logs.push(line))
  if (child.stdout) createInterface({ input: child.stdout }).on('line', (line) => logs.push(line))

  const url = await waitForListening(child, logs, options)
  return {
    url,
    child,
    logs,
    peakRssMb: () => readPeakRssMb(child.pid ?? 0),
    stop: async (signal = 'SIGTERM', killAfterMs) => {
      if (child.exitCode === null && child.signalCode === null) child.kill(signal)
      const timer = killAfterMs === undefined ? undefined : setTimeout(() => child.kill('SIGKILL'), killAfterMs)
      const [code] = await exited
      clearTimeout(timer)
      return code
    },
  }
}

/** Waits for pino's "Server listening at" line, in the kept lines or the log file. */
async function waitForListening(child: ChildProcess, logs: string[], { logFile, timeoutMs = 20_000 }: ProcessOptions): Promise<string> {
  const deadline = Date.now() + timeoutMs
  for (;;) {
    const output = logFile === undefined ? logs.join('\n') : readFileSync(logFile, 'utf8')
    const url = LISTENING.exec(output)?.[1]
    if (url !== undefined) return url
    const hasExited = child.exitCode !== null || child.signalCode !== null
    if (hasExited || Date.now() > deadline) {
      child.kill('SIGKILL')
      const reason = hasExited ? `exited with ${child.exitCode ?? child.signalCode}` : 'did not start listening in time'
      const shown = logFile === undefined ? output : `${logs.join('\n')}\n${output.slice(-4000)}`
      throw new Error(`server ${reason}:\n${shown}`)
    }
    await sleep(20)
  }
}

function readPeakRssMb(pid: number): number {
  try {
    const kb = /VmHWM:\s+(\d+)\s+kB/.exec(readFileSync(`/proc/${pid}/status`, 'utf8'))?.[1]
    return kb === undefined ? Number.NaN : Number(kb) / 1024
  } catch {
    return Number.NaN
  }
}

/**
 * Server processes of one test file, on databases it owns: `afterEachTest` kills what is still running and
 * drops the databases, so a failing test leaves nothing behind.
 */
export function serverFleet() {
  const running: ServerProcess[] = []
  const cleanups: (() => Promise<void>)[] = []
  return {
    start: async (databaseUrl: string, env: Record<string, string> = {}): Promise<ServerProcess> => {
      const server = await startServerProcess({ DATABASE_URL: databaseUrl, ...env })
      running.push(server)
      return server
    },
    stop: async (server: ServerProcess, signal: NodeJS.Signals = 'SIGTERM'): Promise<number | null> => {
      const code = await server.stop(signal)
      running.splice(running.indexOf(server), 1)
      return code
    },
    onCleanup: (cleanup: () => Promise<void>): void => {
      cleanups.push(cleanup)
    },
    afterEachTest: async (): Promise<void> => {
      await Promise.all(running.splice(0).map((s) => s.stop('SIGKILL')))
      for (const cleanup of cleanups.splice(0)) await cleanup()
    },
  }
}
