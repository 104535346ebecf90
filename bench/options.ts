import { parseArgs } from 'node:util'

export const SCENARIOS = ['ceiling', 'register-empty', 'register-1m', 'reads-1m', 'register-pg-1', 'register-pg-2', 'churn'] as const
export type ScenarioName = (typeof SCENARIOS)[number]

const POSTGRES_ONLY: readonly ScenarioName[] = ['register-pg-1', 'register-pg-2']

export interface BenchOptions {
  durationSec: number
  connections: number
  operators: number
  contacts: number
  sources: number
  /** `sqlite` (a fresh temporary file) or a postgresql:// URL (a fresh schema in that database). */
  database: string
  scenarios: ScenarioName[]
  /** One webhook subscribed to every event, its receiver in the harness. */
  webhook: boolean
  json: boolean
}

export const USAGE = `Usage: npm run bench -- [options]

  --duration <s>        seconds of load per scenario (default 10; 3 with --short)
  --connections <n>     concurrent connections (default 32)
  --operators <n>       operators with a large max_load (default 20)
  --contacts <n>        contacts stored as history before the *-1m scenarios (default 1000000; 20000 with --short)
  --sources <n>         sources (default 5)
  --database <db>       sqlite (a fresh temporary file, default) or postgresql://... (a fresh schema, dropped at the end)
  --short               a few seconds per scenario on a smaller history
  --scenarios <list>    comma-separated subset of: ${SCENARIOS.join(', ')}
  --webhook             one webhook subscribed to every event, delivered to a receiver in the harness
  --json                also print the results as JSON on the last line
`

export class UsageError extends Error {}

export function isPostgresUrl(database: string): boolean {
  return /^postgres(?:ql)?:\/\//.test(database)
}

export function parseOptions(argv: string[]): BenchOptions | 'help' {
  const { values } = parseArgs({
    args: argv,
    strict: true,
    options: {
      duration: { type: 'string' },
      connections: { type: 'string', default: '32' },
      operators: { type: 'string', default: '20' },
      contacts: { type: 'string' },
      sources: { type: 'string', default: '5' },
      database: { type: 'string', default: 'sqlite' },
      short: { type: 'boolean', default: false },
      scenarios: { type: 'string' },
      webhook: { type: 'boolean', default: false },
      json: { type: 'boolean', default: false },
      help: { type: 'boolean', short: 'h', default: false },
    },
  })
  if (values.help) return 'help'

  const database = values.database
  if (database !== 'sqlite' && !isPostgresUrl(database)) {
    throw new UsageError(`--database: expected sqlite or a postgresql:// URL, got ${JSON.stringify(database)}`)
  }
  return {
    durationSec: positiveInteger('duration', values.duration ?? (values.short ? '3' : '10')),
    connections: positiveInteger('connections', values.connections),
    operators: positiveInteger('operators', values.operators),
    contacts: positiveInteger('contacts', values.contacts ?? (values.short ? '20000' : '1000000')),
    sources: positiveInteger('sources', values.sources),
    database,
    scenarios: parseScenarios(values.scenarios, isPostgresUrl(database)),
    webhook: values.webhook,
    json: values.json,
  }
}

function positiveInteger(name: string, value: string): number {
  const number = Number(value)
  if (!/^\d+$/.test(value) || number < 1) throw new UsageError(`--${name}: expected a whole number >= 1, got ${JSON.stringify(value)}`)
  return number
}

function parseScenarios(list: string | undefined, postgres: boolean): ScenarioName[] {
  if (list === undefined) return SCENARIOS.filter((name) => postgres || !POSTGRES_ONLY.includes(name))
  const names = list.split(',').map((name) => name.trim()).filter((name) => name !== '')
  for (const name of names) {
    if (!isScenario(name)) throw new UsageError(`--scenarios: unknown scenario ${JSON.stringify(name)}`)
    if (!postgres && POSTGRES_ONLY.includes(name)) throw new UsageError(`--scenarios: ${name} needs --database postgresql://...`)
  }
  if (names.length === 0) throw new UsageError('--scenarios: the list is empty')
  // Always in the documented order: the history is loaded once, after register-empty.
  return SCENARIOS.filter((name) => names.includes(name))
}

function isScenario(name: string): name is ScenarioName {
  return (SCENARIOS as readonly string[]).includes(name)
}
