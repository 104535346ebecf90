import { spawn, type ChildProcess } from 'node:child_process'
import { once } from 'node:events'
import { closeSync, createReadStream, openSync, readFileSync } from 'node:fs'
import { createRequire } from 'node:module'
import { join } from 'node:path'
import { createInterface } from 'node:readline'
import { setTimeout as sleep } from 'node:timers/promises'
import { fileURLToPath, pathToFileURL } from 'node:url'

export const PROJECT_ROOT = fileURLToPath(new URL('../', import.meta.url))
const SERVICE_ENTRY = join(PROJECT_ROOT, 'dist', 'server.js')
const CEILING_ENTRY = join(PROJECT_ROOT, 'bench', 'ceiling-server.ts')
/** tsx's loader as an absolute file URL, so `--import` works from any working directory. */
const TSX_LOADER = pathToFileURL(createRequire(import.meta.url).resolve('tsx')).href

const START_TIMEOUT_MS = 30_000
const STOP_TIMEOUT_MS = 20_000

export interface ServerProcess {
  readonly url: string
  readonly pid: number
  /** Where the process's stdout (its pino log) goes: a file, so a busy load generator never blocks the server's writes. */
  readonly logFile: string
  /** The process's peak resident set size so far (VmHWM), in MiB. */
  peakRssMb(): number
  /** SIGTERM (graceful shutdown), SIGKILL if it is still running after STOP_TIMEOUT_MS; answers the exit code. */
  stop(): Promise<number | null>
}

const running = new Set<ChildProcess>()

/**
 * The service's environment besides DATABASE_URL. Per-client rate limiting is off: all the load comes from one
 * address, so the limiter would measure itself (429s), not the service.
 */
export const SERVICE_ENV = { HOST: '127.0.0.1', PORT: '0', RATE_LIMIT_MAX: '0' } as const

/** The built service, `node dist/server.js`, on a free loopback port. `name` names its log file in workDir. */
export function startService(databaseUrl: string, workDir: string, name: string): Promise<ServerProcess> {
  return startProcess([SERVICE_ENTRY], { ...SERVICE_ENV, DATABASE_URL: databaseUrl }, workDir, name)
}

/** The bare Fastify route that measures the ceiling of the HTTP stack (bench/ceiling-server.ts). */
export function startCeilingServer(workDir: string): Promise<ServerProcess> {
  return startProcess(['--import', TSX_LOADER, CEILING_ENTRY], { HOST: '127.0.0.1', PORT: '0' }, workDir, 'ceiling')
}

/** Kills whatever is still running (an interrupted run). */
export function killAll(): void {
  for (const child of running) child.kill('SIGKILL')
}

async function startProcess(args: string[], env: Record<string, string>, workDir: string, name: string): Promise<ServerProcess> {
  const logFile = join(workDir, `${name}.log`)
  const logFd = openSync(logFile, 'w')
  // The working directory is the harness's temporary one, so no .env of the project leaks into the run.
  const child = spawn(process.execPath, args, {
    cwd: workDir,
    env: { PATH: process.env.PATH ?? '', ...env },
    stdio: ['ignore', logFd, 'pipe'],
  })
  closeSync(logFd)
  running.add(child)
  const exited = once(child, 'exit').then(([code]) => {
    running.delete(child)
    return code as number | null
  })
  let stderr = ''
  child.stderr?.setEncoding('utf8').on('data', (chunk: string) => {
    if (stderr.length < 64_000) stderr += chunk
  })

  const url = await waitForListening(logFile, child, () => stderr)
  const pid = child.pid ?? 0
  return {
    url,
    pid,
    logFile,
    peakRssMb: () => readPeakRssMb(pid),
    stop: async () => {
      if (child.exitCode === null && child.signalCode === null) child.kill('SIGTERM')
      const timer = setTimeout(() => child.kill('SIGKILL'), STOP_TIMEOUT_MS)
      const code = await exited
      clearTimeout(timer)
      return code
    },
  }
}

async function waitForListening(logFile: string, child: ChildProcess, stderr: () => string): Promise<string> {
  const deadline = Date.now() + START_TIMEOUT_MS
  for (;;) {
    const log = readFileSync(logFile, 'utf8')
    const match = /Server listening at (http:\/\/[^\s"]+)/.exec(log)
    if (match?.[1] !== undefined) return match[1]
    const exited = child.exitCode !== null || child.signalCode !== null
    if (exited || Date.now() > deadline) {
      child.kill('SIGKILL')
      const reason = exited ? `exited with ${child.exitCode ?? child.signalCode}` : 'did not start listening in time'
      throw new Error(`${child.spawnargs.join(' ')} ${reason}:\n${stderr()}${log.slice(-4000)}`)
    }
    await sleep(50)
  }
}

/** NaN when the process is gone (it crashed: its exit code says so) or the system has no /proc. */
function readPeakRssMb(pid: number): number {
  try {
    const kb = /VmHWM:\s+(\d+)\s+kB/.exec(readFileSync(`/proc/${pid}/status`, 'utf8'))?.[1]
    return kb === undefined ? Number.NaN : Number(kb) / 1024
  } catch {
    return Number.NaN
  }
}

export interface LogSummary {
  lines: number
  /** pino's "incoming request" lines: request logging was on when this is > 0. */
  requestLines: number
  /** Lines at level error (50) or fatal (60). */
  errorLines: number
  firstError: string | undefined
}

export async function summarizeLog(logFile: string): Promise<LogSummary> {
  const summary: LogSummary = { lines: 0, requestLines: 0, errorLines: 0, firstError: undefined }
  for await (const line of createInterface({ input: createReadStream(logFile, 'utf8'), crlfDelay: Infinity })) {
    summary.lines += 1
    if (line.includes('"msg":"incoming request"')) summary.requestLines += 1
    if (/"level":(50|60)\b/.test(line)) {
      summary.errorLines += 1
      summary.firstError ??= line.slice(0, 600)
    }
  }
  return summary
}
