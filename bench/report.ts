import type { LoadFigures } from './load.js'
import type { ScenarioResult } from './scenarios.js'

export interface ReportMeta {
  date: string
  command: string
  cores: number
  node: string
  database: string
  /** Lines describing how the run was set up (load, operators, history, logging). */
  notes: string[]
}

export function formatReport(meta: ReportMeta, results: ScenarioResult[]): string {
  const ceiling = results.find((r) => r.name === 'ceiling')?.figures.requestsPerSec
  const header = ['scenario', 'req/s', '× ceiling', 'p50 ms', 'p99 ms', 'non-2xx', 'errors/timeouts', 'peak RSS MB', 'invariants']
  const rows: string[][] = []
  for (const result of results) {
    const invariants = result.invariants === null ? 'n/a' : result.invariants.ok ? 'invariants OK' : 'FAILED'
    const rss = result.peakRssMb.map((mb) => mb.toFixed(1)).join(' / ')
    rows.push([result.name, ...figureCells(result.figures, ceiling), rss, invariants])
    for (const { label, figures } of result.endpoints) rows.push([`↳ ${label}`, ...figureCells(figures, ceiling), '', ''])
  }
  const problems = results.flatMap((r) => r.problems)
  return [
    `## Mini CRM benchmark, ${meta.date}`,
    '',
    `- command: \`${meta.command}\``,
    `- machine: ${meta.cores} cores (nproc), Node ${meta.node}, ${process.platform} ${process.arch}`,
    `- database: ${meta.database}`,
    ...meta.notes.map((note) => `- ${note}`),
    '',
    markdownTable(header, rows),
    '',
    problems.length === 0
      ? `Every answer 2xx${results.some((r) => r.invariants) ? ', invariants OK after every server scenario' : ''}.`
      : `PROBLEMS:\n${problems.map((p) => `- ${p}`).join('\n')}`,
  ].join('\n')
}

/** One line on stderr as each scenario ends, so a long run shows where it is. */
export function formatScenarioLine(result: ScenarioResult): string {
  const { requestsPerSec, p50Ms, p99Ms, non2xx } = result.figures
  const invariants = result.invariants === null ? '' : result.invariants.ok ? ', invariants OK' : ', INVARIANTS BROKEN'
  return `  ${Math.round(requestsPerSec)} req/s, p50 ${p50Ms.toFixed(2)} ms, p99 ${p99Ms.toFixed(2)} ms, ${non2xx} non-2xx${invariants}`
}

function figureCells(figures: LoadFigures, ceiling: number | undefined): string[] {
  return [
    Math.round(figures.requestsPerSec).toString(),
    ceiling ? (figures.requestsPerSec / ceiling).toFixed(2) : '—',
    figures.p50Ms.toFixed(2),
    figures.p99Ms.toFixed(2),
    figures.non2xx.toString(),
    `${figures.errors}/${figures.timeouts}`,
  ]
}

function markdownTable(header: string[], rows: string[][]): string {
  const widths = header.map((title, i) => Math.max(title.length, ...rows.map((row) => (row[i] ?? '').length)))
  const line = (cells: string[]): string =>
    `| ${cells.map((cell, i) => (i === 0 ? cell.padEnd(widths[i] ?? 0) : cell.padStart(widths[i] ?? 0))).join(' | ')} |`
  const rule = `|${widths.map((w, i) => (i === 0 ? `:${'-'.repeat(w + 1)}` : `${'-'.repeat(w + 1)}:`)).join('|')}|`
  return [line(header), rule, ...rows.map(line)].join('\n')
}

/** One line of JSON for machines (the test): every figure, rounded to what the table shows. */
export function formatJson(meta: ReportMeta, results: ScenarioResult[]): string {
  const ceiling = results.find((r) => r.name === 'ceiling')?.figures.requestsPerSec
  const figures = (f: LoadFigures) => ({
    requests_per_sec: round(f.requestsPerSec),
    ratio_to_ceiling: ceiling ? round(f.requestsPerSec / ceiling) : null,
    p50_ms: round(f.p50Ms),
    p99_ms: round(f.p99Ms),
    responses: f.responses,
    non_2xx: f.non2xx,
    errors: f.errors,
    timeouts: f.timeouts,
  })
  return JSON.stringify({
    ok: results.every((r) => r.problems.length === 0),
    ...meta,
    scenarios: results.map((r) => ({
      name: r.name,
      servers: r.servers,
      ...figures(r.figures),
      peak_rss_mb: r.peakRssMb.map(round),
      invariants: r.invariants === null ? 'n/a' : r.invariants.ok ? 'OK' : 'FAILED',
      new_contacts: r.invariants?.newContacts ?? null,
      new_unassigned: r.invariants?.newUnassigned ?? null,
      request_log_lines: r.log.requestLines,
      endpoints: r.endpoints.map((e) => ({ label: e.label, ...figures(e.figures) })),
      problems: r.problems,
    })),
  })
}

const round = (value: number): number => Math.round(value * 100) / 100
