import type { ChildProcess } from 'node:child_process'
import { once } from 'node:events'
import { mkdtemp, rm } from 'node:fs/promises'
import { createServer } from 'node:net'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { spawnServer, type ProcessOptions } from './server-process.js'

export interface ProcessResult {
  code: number | null
  signal: NodeJS.Signals | null
  stdout: string
  stderr: string
  timedOut: boolean
}

/** Runs src/server.ts until it exits by itself (a start-up that fails); kills it after timeoutMs. */
export async function runServerToExit(options: ProcessOptions): Promise<ProcessResult> {
  const child = spawnServer(options)
  let stdout = ''
  let stderr = ''
  child.stdout?.setEncoding('utf8').on('data', (chunk: string) => (stdout += chunk))
  child.stderr?.setEncoding('utf8').on('data', (chunk: string) => (stderr += chunk))
  let timedOut = false
  const timer = setTimeout(() => {
    timedOut = true
    child.kill('SIGKILL')
  }, options.timeoutMs ?? 15_000)
  const [code, signal] = (await once(child, 'close')) as [number | null, NodeJS.Signals | null]
  clearTimeout(timer)
  return { code, signal, stdout, stderr, timedOut }
}

/** A TCP port that was free a moment ago. */
export async function freePort(): Promise<number> {
  const server = createServer()
  server.listen(0, '127.0.0.1')
  await once(server, 'listening')
  const address = server.address()
  server.close()
  await once(server, 'close')
  if (address === null || typeof address === 'string') throw new Error('no port')
  return address.port
}

/** A fresh temporary directory and the SQLite URL of a database file inside it. */
export async function tempDatabase(prefix = 'crm-test-'): Promise<{ dir: string; url: string; cleanup: () => Promise<void> }> {
  const dir = await mkdtemp(join(tmpdir(), prefix))
  return {
    dir,
    url: `sqlite:///${join(dir, 'crm.db')}`,
    cleanup: () => rm(dir, { recursive: true, force: true }),
  }
}

/** Waits until some line of the log matches, polling; throws with the log on timeout. */
export async function waitForLog(logs: string[], test: (line: string) => boolean, timeoutMs = 5_000): Promise<string> {
  const deadline = Date.now() + timeoutMs
  for (;;) {
    const line = logs.find(test)
    if (line !== undefined) return line
    if (Date.now() > deadline) throw new Error(`no matching log line within ${timeoutMs} ms:\n${logs.join('\n')}`)
    await new Promise((resolve) => setTimeout(resolve, 20))
  }
}

/** The log lines that are pino JSON, parsed. */
export function jsonLogs(logs: string[]): Record<string, any>[] {
  return logs.flatMap((line) => {
    try {
      const parsed: unknown = JSON.parse(line)
      return typeof parsed === 'object' && parsed !== null ? [parsed as Record<string, any>] : []
    } catch {
      return []
    }
  })
}

/** The exit code of a process that is exiting by itself (no further signal), waiting at most timeoutMs. */
export async function exitOf(child: ChildProcess, timeoutMs = 15_000): Promise<number | null> {
  if (child.exitCode !== null || child.signalCode !== null) return child.exitCode
  let timer: NodeJS.Timeout | undefined
  const timeout = new Promise<never>((_, reject) => {
    timer = setTimeout(() => { reject(new Error(`process ${child.pid} did not exit within ${timeoutMs} ms`)) }, timeoutMs)
  })
  try {
    const [code] = (await Promise.race([once(child, 'exit'), timeout])) as [number | null]
    return code
  } finally {
    clearTimeout(timer)
  }
}
