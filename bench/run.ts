import { mkdtemp, rm } from 'node:fs/promises'
import { availableParallelism, loadavg, tmpdir } from 'node:os'
import { join } from 'node:path'
import { configureService, LARGE_MAX_LOAD, SMALL_MAX_LOAD, type Setup } from './configure.js'
import { createBenchDatabase, databaseVersion, type BenchConnection, type BenchDatabase } from './database.js'
import { parseOptions, USAGE, UsageError, type BenchOptions } from './options.js'
import { preloadHistory, type History } from './preload.js'
import { startBenchReceiver } from './receiver.js'
import { formatJson, formatReport, formatScenarioLine, type ReportMeta } from './report.js'
import { endpointSeconds, runCeiling, runServerScenario, warmUpSeconds, type ScenarioResult } from './scenarios.js'
import { killAll, SERVICE_ENV, startService } from './server-process.js'

// `npm run bench`: builds the service, runs each scenario against a freshly started `node dist/server.js`
// driven by autocannon from this process, checks the invariants in the database after each, prints a table.

const HISTORY_SCENARIOS = new Set(['register-1m', 'reads-1m', 'register-pg-1', 'register-pg-2'])

function readOptions(argv: string[]): BenchOptions | number {
  try {
    const options = parseOptions(argv)
    if (options !== 'help') return options
    process.stdout.write(USAGE)
    return 0
  } catch (error) {
    const code = (error as { code?: unknown }).code
    if (!(error instanceof UsageError) && !(typeof code === 'string' && code.startsWith('ERR_PARSE_ARGS'))) throw error
    process.stderr.write(`${(error as Error).message}\n\n${USAGE}`)
    return 2
  }
}

async function main(argv: string[]): Promise<number> {
  const options = readOptions(argv)
  if (typeof options === 'number') return options

  const loadAtStart = loadavg()[0] ?? 0
  const workDir = await mkdtemp(join(tmpdir(), 'crm-bench-'))
  let database: BenchDatabase | undefined
  let db: BenchConnection | undefined
  const receiver = options.webhook ? await startBenchReceiver() : undefined
  let cleaned: Promise<void> | undefined
  const cleanUp = (): Promise<void> =>
    (cleaned ??= (async () => {
      killAll()
      await receiver?.close()
      await db?.close().catch(() => undefined)
      await database?.drop()
      await rm(workDir, { recursive: true, force: true })
    })())
  for (const signal of ['SIGINT', 'SIGTERM'] as const) {
    process.once(signal, () => {
      process.stderr.write(`\n${signal}: stopping servers and removing temporary data\n`)
      void cleanUp().finally(() => process.exit(130))
    })
  }

  try {
    const results: ScenarioResult[] = []
    let setup: Setup | undefined
    let history: History | undefined
    let databaseName = 'none (ceiling only)'
    for (const name of options.scenarios) {
      let result: ScenarioResult
      if (name === 'ceiling') {
        result = await runCeiling(options, workDir)
      } else {
        if (database === undefined || db === undefined || setup === undefined) {
          database = await createBenchDatabase(options.database, workDir)
          setup = await migrateAndConfigure(database, options, workDir, receiver?.url)
          db = await database.connect()
          databaseName = `${await databaseVersion(db)}, ${database.description}`
        }
        if (HISTORY_SCENARIOS.has(name)) history ??= await preloadHistory(db, setup, options.contacts)
        result = await runServerScenario(name, { options, workDir, database, db, setup, historyLeads: history?.leads ?? 0 })
      }
      process.stderr.write(`${formatScenarioLine(result)}\n`)
      results.push(result)
    }

    const meta = describeRun(options, databaseName, history, results, loadAtStart, receiver?.received())
    process.stdout.write(`\n${formatReport(meta, results)}\n`)
    if (options.json) process.stdout.write(`${formatJson(meta, results)}\n`)
    return results.every((result) => result.problems.length === 0) ? 0 : 1
  } finally {
    await cleanUp()
  }
}

/** Starts the service once on the empty database (it migrates at start), configures it through its API, stops it. */
async function migrateAndConfigure(database: BenchDatabase, options: BenchOptions, workDir: string, webhookUrl?: string): Promise<Setup> {
  const server = await startService(database.url, workDir, 'setup')
  try {
    return await configureService(server.url, options, webhookUrl)
  } finally {
    await server.stop()
  }
}

function describeRun(
  options: BenchOptions,
  database: string,
  history: History | undefined,
  results: ScenarioResult[],
  loadAtStart: number,
  webhookDeliveries: number | undefined,
): ReportMeta {
  const args = process.argv.slice(2).map((arg) => arg.replace(/(\/\/[^:/@]+:)[^@]*@/, '$1***@')).join(' ')
  const command = `${process.env.npm_lifecycle_event === 'bench' ? 'npm run bench' : 'tsx bench/run.ts'}${args ? ` -- ${args}` : ''}`
  const served = results.filter((r) => r.name !== 'ceiling')
  const registered = served.filter((r) => r.name.startsWith('register'))
  const stored = registered.reduce((sum, r) => sum + (r.invariants?.newContacts ?? 0), 0)
  const unassigned = registered.reduce((sum, r) => sum + (r.invariants?.newUnassigned ?? 0), 0)
  const logLines = served.reduce((sum, r) => sum + r.log.requestLines, 0)
  const firstError = results.find((r) => r.log.firstError !== undefined)?.log.firstError
  const count = (n: number): string => n.toLocaleString('en')
  const notes = [
    `load: autocannon in the harness process (competing for the same cores), ${options.connections} connections, ` +
      `${warmUpSeconds(options)} s warm-up then ${options.durationSec} s measured per scenario, each on a freshly started server process`,
  ]
  if (served.length > 0) {
    notes.push(
      `service: node dist/server.js, env ${Object.entries(SERVICE_ENV).map(([k, v]) => `${k}=${v}`).join(' ')} and DATABASE_URL` +
        ' (rate limiting off: all the load comes from one address); requests carry no API key',
      `service request logging: ${logLines > 0 ? `on (pino at info, ${count(logLines)} "incoming request" lines; stdout to a file)` : 'off'}` +
        (firstError ? `; ERRORS LOGGED, the first: ${firstError}` : ''),
      `setup: ${options.operators} operators with max_load ${count(LARGE_MAX_LOAD)} (never full) + 1 with max_load ${SMALL_MAX_LOAD}, ` +
        `${options.sources} sources; POST /contacts/: 90% new external_id, 10% repeats (lead upsert)`,
    )
  }
  if (registered.length > 0) {
    notes.push(
      `registrations: ${count(stored)} contacts stored by the register scenarios (warm-ups included), ` +
        (unassigned === 0 ? 'every one assigned to an operator' : `${count(unassigned)} of them UNASSIGNED`),
    )
  }
  if (webhookDeliveries !== undefined) {
    notes.push(`webhook: one subscribed to every event; its receiver in the harness got ${count(webhookDeliveries)} deliveries during the run`)
  }
  if (history) {
    notes.push(`history (*-1m scenarios): ${count(history.contacts)} contacts of ${count(history.leads)} leads, preloaded in ${history.seconds.toFixed(1)} s`)
  }
  if (results.some((r) => r.name === 'reads-1m')) {
    notes.push(`reads-1m: the four endpoints mixed in equal numbers, then each alone (↳) for ${endpointSeconds(options)} s`)
  }
  if (results.some((r) => r.name === 'register-pg-2')) {
    notes.push('register-pg-2: two server processes on one database, connections split, req/s summed, latencies pooled, RSS per process')
  }
  // Anything else running on the machine skews every figure: say how busy it was.
  notes.push(`machine load average (1 min): ${loadAtStart.toFixed(2)} at start, ${(loadavg()[0] ?? 0).toFixed(2)} at the end (the run itself adds about 2)`)
  return { date: new Date().toISOString(), command, cores: availableParallelism(), node: process.version, database, notes }
}

process.exitCode = await main(process.argv.slice(2))
