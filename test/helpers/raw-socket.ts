import net from 'node:net'

export interface RawSocket {
  socket: net.Socket
  /** Writes text as is: a request cut anywhere, a byte at a time, or never finished. */
  write: (text: string) => void
  /** Everything the server sent so far. */
  received: () => string
  /** Resolves when the server (or the client) closed the connection: how long after opening, and what came. */
  closed: Promise<{ afterMs: number; text: string; status: number | undefined }>
}

/** A TCP connection to a listening server, for requests no HTTP client would send: stalled, slow, cut short. */
export async function openRawSocket(url: string): Promise<RawSocket> {
  const { hostname, port } = new URL(url)
  const socket = net.connect(Number(port), hostname)
  const openedAt = Date.now()
  let text = ''
  socket.setEncoding('latin1')
  socket.on('data', (chunk: string) => {
    text += chunk
  })
  socket.on('error', () => undefined)
  const closed = new Promise<{ afterMs: number; text: string; status: number | undefined }>((resolve) => {
    socket.on('close', () => {
      const status = /^HTTP\/1\.1 (\d{3})/.exec(text)?.[1]
      resolve({ afterMs: Date.now() - openedAt, text, status: status === undefined ? undefined : Number(status) })
    })
  })
  await new Promise<void>((resolve, reject) => {
    socket.once('connect', resolve)
    socket.once('error', reject)
  })
  return { socket, write: (chunk) => socket.write(chunk, 'latin1'), received: () => text, closed }
}

/** The head of a request with a JSON body of `contentLength` bytes, up to and including the blank line. */
export function requestHead(method: string, path: string, contentLength: number, headers: Record<string, string> = {}): string {
  const lines = [`${method} ${path} HTTP/1.1`, 'Host: 127.0.0.1', 'Content-Type: application/json', `Content-Length: ${contentLength}`]
  for (const [name, value] of Object.entries(headers)) lines.push(`${name}: ${value}`)
  return `${lines.join('\r\n')}\r\n\r\n`
}

/** The parts of a raw HTTP answer: status, headers (lower-case names) and body. */
export function parseAnswer(text: string): { status: number; headers: Record<string, string>; body: string } {
  const [head = '', ...rest] = text.split('\r\n\r\n')
  const [statusLine = '', ...headerLines] = head.split('\r\n')
  const headers: Record<string, string> = {}
  for (const line of headerLines) {
    const colon = line.indexOf(':')
    headers[line.slice(0, colon).trim().toLowerCase()] = line.slice(colon + 1).trim()
  }
  return { status: Number(/^HTTP\/1\.1 (\d{3})/.exec(statusLine)?.[1]), headers, body: rest.join('\r\n\r\n') }
}
