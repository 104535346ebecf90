import { spawn } from 'node:child_process'
import { once } from 'node:events'
import { describe, expect, it } from 'vitest'
import { PROJECT_ROOT } from '../helpers/server-process.js'

const SCENARIOS = ['ceiling', 'register-empty', 'register-1m', 'reads-1m', 'churn']
const ARGS = ['--short', '--contacts', '5000', '--duration', '2', '--scenarios', SCENARIOS.join(','), '--json']

async function runBench(): Promise<{ code: number | null; stdout: string; stderr: string }> {
  const child = spawn('npm', ['run', 'bench', '--silent', '--', ...ARGS], { cwd: PROJECT_ROOT, stdio: ['ignore', 'pipe', 'pipe'] })
  let stdout = ''
  let stderr = ''
  child.stdout.setEncoding('utf8').on('data', (chunk: string) => (stdout += chunk))
  child.stderr.setEncoding('utf8').on('data', (chunk: string) => (stderr += chunk))
  const [code] = (await once(child, 'close')) as [number | null]
  return { code, stdout, stderr }
}

const figuresOf = (f: any) => [f.requests_per_sec, f.ratio_to_ceiling, f.p50_ms, f.p99_ms, f.responses]

// Checks that the harness runs end to end and reports what it should; it never asserts a speed.
describe('npm run bench -- --short', () => {
  it('runs every requested scenario on a fresh server and reports figures and invariants', async () => {
    const { code, stdout, stderr } = await runBench()
    expect(code, `${stdout}\n${stderr}`).toBe(0)

    const report = JSON.parse(stdout.trim().split('\n').at(-1) ?? '')
    expect(report.ok).toBe(true)
    expect(report.scenarios.map((s: any) => s.name)).toEqual(SCENARIOS)
    for (const scenario of report.scenarios) {
      for (const figure of [...figuresOf(scenario), ...scenario.peak_rss_mb]) expect(figure, scenario.name).toBeGreaterThan(0)
      expect([scenario.non_2xx, scenario.errors, scenario.problems], scenario.name).toEqual([0, 0, []])
      expect(scenario.invariants, scenario.name).toBe(scenario.name === 'ceiling' ? 'n/a' : 'OK')
    }

    const reads = report.scenarios.find((s: any) => s.name === 'reads-1m')
    expect(reads.endpoints.map((e: any) => e.label)).toEqual([
      'GET /contacts/?operator_id=…&limit=20',
      'GET /operators/',
      'GET /stats/contacts',
      'GET /stats/distribution',
    ])
    for (const endpoint of reads.endpoints) {
      for (const figure of figuresOf(endpoint)) expect(figure, endpoint.label).toBeGreaterThan(0)
      expect(endpoint.non_2xx, endpoint.label).toBe(0)
    }
    for (const name of ['register-empty', 'register-1m', 'churn']) {
      const registered = report.scenarios.find((s: any) => s.name === name)
      expect(registered.new_contacts, name).toBeGreaterThan(0)
    }

    // Columns are padded to their widest figure, so a slow machine's wider numbers move the headers.
    expect(stdout).toMatch(/\| scenario +\| +req\/s +\| +× ceiling +\| +p50 ms +\| +p99 ms +\| +non-2xx/)
    expect(stdout.match(/\| invariants OK \|/g)).toHaveLength(4)
  }, 300_000)
})
