import http from 'node:http'
import type { AddressInfo } from 'node:net'

export interface Received {
  headers: http.IncomingHttpHeaders
  body: string
}

/**
 * A webhook receiver on 127.0.0.1: records every request and answers the next status of `answers` (then 200).
 * `hold` makes it wait that long before answering (a slow receiver).
 */
export async function startReceiver({ answers = [] as number[], holdMs = 0 } = {}) {
  const received: Received[] = []
  const pending = [...answers]
  const server = http.createServer((request, response) => {
    const chunks: Buffer[] = []
    request.on('data', (chunk: Buffer) => chunks.push(chunk))
    request.on('end', () => {
      received.push({ headers: request.headers, body: Buffer.concat(chunks).toString('utf8') })
      const status = pending.shift() ?? 200
      setTimeout(() => response.writeHead(status).end(), holdMs)
    })
  })
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve))
  const { port } = server.address() as AddressInfo
  return {
    url: `http://127.0.0.1:${port}/hook`,
    received,
    /** The parsed bodies received so far. */
    bodies: () => received.map((r) => JSON.parse(r.body) as { type: string; timestamp: string; data: any }),
    close: () =>
      new Promise<void>((resolve) => {
        server.closeAllConnections()
        server.close(() => { resolve(); })
      }),
  }
}
