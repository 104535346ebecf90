import { spawn, type ChildProcess } from 'node:child_process'
import { once } from 'node:events'
import { createRequire } from 'node:module'
import { join } from 'node:path'
import { createInterface } from 'node:readline'
import { fileURLToPath, pathToFileURL } from 'node:url'

/** The project root, so a process can run src/server.ts from any working directory. */
export const PROJECT_ROOT = fileURLToPath(new URL('../../', import.meta.url))
export const SERVER_ENTRY = join(PROJECT_ROOT, 'src', 'server.ts')
/** tsx's loader as an absolute file URL: `--import tsx` would be resolved from the working directory. */
export const TSX_LOADER = pathToFileURL(createRequire(import.meta.url).resolve('tsx')).href

export interface ProcessOptions {
  /** The whole environment of the process besides PATH: nothing leaks in from the test runner. */
  env: Record<string, string>
  cwd?: string
  timeoutMs?: number
}

export interface ServerProcess {
  url: string
  child: ChildProcess
  logs: string[]
  /** Sends the signal and waits for the process to exit; answers its exit code. */
  stop: (signal?: NodeJS.Signals) => Promise<number | null>
}

export function spawnServer({ env, cwd = PROJECT_ROOT }: ProcessOptions): ChildProcess {
  return spawn(process.execPath, ['--import', TSX_LOADER, SERVER_ENTRY], {
    cwd,
    env: { PATH: process.env.PATH ?? '', ...env },
    stdio: ['ignore', 'pipe', 'pipe'],
  })
}

/**
 * Starts src/server.ts as a real process on a free loopback port and waits until it listens. The queue sweep is
 * off unless the test turns it on (QUEUE_SWEEP_INTERVAL_MS), so no background change lands between two reads of
 * a check.
 */
export async function startServerProcess(env: Record<string, string>): Promise<ServerProcess> {
  return startServerIn({ env: { HOST: '127.0.0.1', PORT: '0', QUEUE_SWEEP_INTERVAL_MS: '0', ...env } })
}

/** Like startServerProcess, in any working directory and without forcing PORT or HOST (a .env may set them). */
export async function startServerIn(options: ProcessOptions): Promise<ServerProcess> {
  const child = spawnServer(options)
  const logs: string[] = []
  const exited = once(child, 'exit') as Promise<[number | null]>
  createInterface({ input: child.stderr! }).on('line', (line) => logs.push(line))
  const url = await new Promise<string>((resolve, reject) => {
    const timer = setTimeout(() => {
      child.kill('SIGKILL')
      reject(new Error(`server did not start:\n${logs.join('\n')}`))
    }, options.timeoutMs ?? 20_000)
    createInterface({ input: child.stdout! }).on('line', (line) => {
      logs.push(line)
      const match = /Server listening at (http:\/\/[^\s"]+)/.exec(line)
      if (match?.[1]) {
        clearTimeout(timer)
        resolve(match[1])
      }
    })
    void exited.then(([code]) => {
      clearTimeout(timer)
      reject(new Error(`server exited with ${code}:\n${logs.join('\n')}`))
    })
  })
  return {
    url,
    child,
    logs,
    stop: async (signal = 'SIGTERM') => {
      if (child.exitCode === null && child.signalCode === null) child.kill(signal)
      const [code] = await exited
      return code
    },
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
