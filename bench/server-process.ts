import { createReadStream } from 'node:fs'
import { join } from 'node:path'
import { createInterface } from 'node:readline'
import { PROJECT_ROOT, startServerIn, TSX_LOADER, type ServerProcess as Process } from '../test/helpers/server-process.js'

const SERVICE_ENTRY = join(PROJECT_ROOT, 'dist', 'server.js')
const CEILING_ENTRY = join(PROJECT_ROOT, 'bench', 'ceiling-server.ts')

const START_TIMEOUT_MS = 30_000
const STOP_TIMEOUT_MS = 20_000

/** A server of the benchmark: the test helper's process, its pino log in a file of the run's directory. */
export interface ServerProcess {
  readonly url: string
  readonly logFile: string
  peakRssMb(): number
  /** SIGTERM (graceful shutdown), SIGKILL if it is still running after STOP_TIMEOUT_MS; answers the exit code. */
  stop(): Promise<number | null>
}

const running = new Set<Process>()

/**
 * The service's environment besides DATABASE_URL. Per-client rate limiting is off: all the load comes from one
 * address, so the limiter would measure itself (429s), not the service. Webhooks may target the harness's
 * receiver on loopback (--webhook).
 */
export const SERVICE_ENV = { HOST: '127.0.0.1', PORT: '0', RATE_LIMIT_MAX: '0', WEBHOOK_ALLOW_PRIVATE_NETWORKS: 'true' } as const

/** The built service, `node dist/server.js`, on a free loopback port. `name` names its log file in workDir. */
export function startService(databaseUrl: string, workDir: string, name: string): Promise<ServerProcess> {
  return start([SERVICE_ENTRY], { ...SERVICE_ENV, DATABASE_URL: databaseUrl }, workDir, name)
}

/** The bare Fastify route that measures the ceiling of the HTTP stack (bench/ceiling-server.ts). */
export function startCeilingServer(workDir: string): Promise<ServerProcess> {
  return start(['--import', TSX_LOADER, CEILING_ENTRY], { HOST: '127.0.0.1', PORT: '0' }, workDir, 'ceiling')
}

/** Kills whatever is still running (an interrupted run). */
export function killAll(): void {
  for (const server of running) server.child.kill('SIGKILL')
}

async function start(args: string[], env: Record<string, string>, workDir: string, name: string): Promise<ServerProcess> {
  const logFile = join(workDir, `${name}.log`)
  // The working directory is the harness's temporary one, so no .env of the project leaks into the run.
  const server = await startServerIn({ args, env, cwd: workDir, logFile, timeoutMs: START_TIMEOUT_MS })
  running.add(server)
  return {
    url: server.url,
    logFile,
    peakRssMb: server.peakRssMb,
    stop: async () => {
      const code = await server.stop('SIGTERM', STOP_TIMEOUT_MS)
      running.delete(server)
      return code
    },
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
