import { rm } from 'node:fs/promises'
import type { Setup } from './configure.js'
import type { BenchConnection, BenchDatabase } from './database.js'
import { checkInvariants, lastContactId, type InvariantReport } from './invariants.js'
import { contactChurn, contactRegistrations, readEndpoints, runLoad, type Load, type LoadFigures } from './load.js'
import type { BenchOptions, ScenarioName } from './options.js'
import { startCeilingServer, startService, summarizeLog, type LogSummary, type ServerProcess } from './server-process.js'

export interface ScenarioResult {
  name: ScenarioName
  servers: number
  /** The unmeasured warm-up (JIT, caches) right after the server started; its failures count all the same. */
  warmUp: LoadFigures
  figures: LoadFigures
  /** Each read endpoint measured on its own (reads-1m only). */
  endpoints: { label: string; figures: LoadFigures }[]
  /** Per server process. */
  peakRssMb: number[]
  /** null for the ceiling, which has no database. */
  invariants: InvariantReport | null
  log: LogSummary
  /** Anything that fails the run: non-2xx, errors, broken invariants, a server that did not exit cleanly. */
  problems: string[]
}

export interface ScenarioContext {
  options: BenchOptions
  workDir: string
  database: BenchDatabase
  db: BenchConnection
  setup: Setup
  /** Leads of the stored history (0 before the preload), some of which registrations repeat. */
  historyLeads: number
}

/** Seconds each read endpoint is measured alone, after the mixed run. */
export function endpointSeconds(options: BenchOptions): number {
  return Math.max(1, Math.round(options.durationSec / 2))
}

/** Seconds of unmeasured load on a fresh server before the measured run. */
export function warmUpSeconds(options: BenchOptions): number {
  return Math.max(1, Math.round(options.durationSec / 5))
}

/** The warm-up, then the measured run, with the same load. */
async function warmUpAndRun(urls: string[], load: Load, options: BenchOptions) {
  const warmUp = await runLoad(urls, { ...load, durationSec: warmUpSeconds(options) })
  return { warmUp, figures: await runLoad(urls, load) }
}

export async function runCeiling(options: BenchOptions, workDir: string): Promise<ScenarioResult> {
  const load = { connections: options.connections, durationSec: options.durationSec, requests: contactRegistrations([1], 0) }
  return measure('ceiling', [await startCeilingServer(workDir)], async (urls) => ({
    ...(await warmUpAndRun(urls, load, options)),
    endpoints: [],
  }))
}

export async function runServerScenario(name: Exclude<ScenarioName, 'ceiling'>, context: ScenarioContext): Promise<ScenarioResult> {
  const { options, setup } = context
  const sinceContactId = await lastContactId(context.db)
  // The churn runs with little room (two more contacts per operator than it holds now), so the queue fills.
  if (name === 'churn') await context.db.run('update operators set max_load = current_load + 2')
  const instances = name === 'register-pg-2' ? 2 : 1
  const servers: ServerProcess[] = []
  try {
    for (let i = 1; i <= instances; i++) servers.push(await startService(context.database.url, context.workDir, `${name}-${i}`))
  } catch (error) {
    await Promise.all(servers.map((server) => server.stop()))
    throw error
  }
  const result = await measure(name, servers, async (urls) => {
    if (name === 'reads-1m') return driveReads(urls, options, setup.operatorIds)
    const requests = name === 'churn' ? contactChurn(setup.sourceIds, sinceContactId, options.connections) : contactRegistrations(setup.sourceIds, context.historyLeads)
    const load = { connections: options.connections, durationSec: options.durationSec, requests }
    return { ...(await warmUpAndRun(urls, load, options)), endpoints: [] }
  })
  // Reads must store nothing; each registration load (warm-up, measured) may leave one request per connection unanswered.
  const registers = name !== 'reads-1m'
  const created = (figures: LoadFigures) => figures.statusCodes['201'] ?? 0
  const acknowledged = registers ? created(result.warmUp) + created(result.figures) : 0
  const inFlightAtMost = registers ? 2 * options.connections : 0
  const invariants = await checkInvariants(context.db, { sinceContactId, acknowledged, inFlightAtMost, workConserving: name === 'churn' })
  return { ...result, invariants, problems: [...result.problems, ...invariants.problems] }
}

async function driveReads(urls: string[], options: BenchOptions, operatorIds: number[]) {
  const endpoints = readEndpoints(operatorIds)
  const { connections, durationSec } = options
  const mixed = { connections, durationSec, requests: () => endpoints.map((e) => e.request()) }
  const { warmUp, figures } = await warmUpAndRun(urls, mixed, options)
  const alone = []
  for (const endpoint of endpoints) {
    const load = { connections, durationSec: endpointSeconds(options), requests: () => [endpoint.request()] }
    alone.push({ label: endpoint.label, figures: await runLoad(urls, load) })
  }
  return { warmUp, figures, endpoints: alone }
}

type Drive = (urls: string[]) => Promise<Pick<ScenarioResult, 'warmUp' | 'figures' | 'endpoints'>>

/** Runs the load, reads each server's peak RSS just before stopping it, stops it and reads its log. */
async function measure(name: ScenarioName, servers: ServerProcess[], drive: Drive): Promise<ScenarioResult> {
  process.stderr.write(`▶ ${name}: load on ${servers.map((s) => s.url).join(' + ')}\n`)
  let outcome: Awaited<ReturnType<Drive>>
  let peakRssMb: number[]
  try {
    outcome = await drive(servers.map((server) => server.url))
    peakRssMb = servers.map((server) => server.peakRssMb())
  } catch (error) {
    await Promise.all(servers.map((server) => server.stop()))
    throw error
  }
  const exitCodes = await Promise.all(servers.map((server) => server.stop()))
  const logs = await Promise.all(servers.map((server) => summarizeLog(server.logFile)))
  await Promise.all(servers.map((server) => rm(server.logFile, { force: true })))
  const log = logs.reduce((sum, l) => ({
    lines: sum.lines + l.lines,
    requestLines: sum.requestLines + l.requestLines,
    errorLines: sum.errorLines + l.errorLines,
    firstError: sum.firstError ?? l.firstError,
  }))

  const problems: string[] = []
  const runs = [{ label: `${name} (warm-up)`, figures: outcome.warmUp }, { label: name, figures: outcome.figures }, ...outcome.endpoints]
  for (const { label, figures } of runs) {
    const { non2xx, errors, timeouts, statusCodes } = figures
    if (non2xx > 0) problems.push(`${label}: ${non2xx} non-2xx answers (by status: ${JSON.stringify(statusCodes)})`)
    if (errors > 0) problems.push(`${label}: ${errors} connection errors, ${timeouts} of them timeouts`)
  }
  exitCodes.forEach((code, i) => {
    if (code !== 0) problems.push(`${name}: server ${i + 1} exited with ${code} on SIGTERM`)
  })
  return { name, servers: servers.length, ...outcome, peakRssMb, invariants: null, log, problems }
}
