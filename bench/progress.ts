export interface Progress {
  /** One step of `total` done; `label` says what comes next. */
  advance(label: string): void
  finish(summary: string): void
}

/** A progress bar on stderr; when stderr is not a terminal (a test, a CI log), a line every 10%. */
export function progressBar(title: string, total: number, stream: NodeJS.WriteStream = process.stderr): Progress {
  const width = 30
  let done = 0
  let lastDecile = -1
  const render = (label: string): void => {
    const fraction = Math.min(1, done / total)
    if (stream.isTTY) {
      const filled = Math.round(fraction * width)
      const bar = `${'#'.repeat(filled)}${'-'.repeat(width - filled)}`
      stream.write(`\r${title} [${bar}] ${String(Math.round(fraction * 100)).padStart(3)}% ${label}`.padEnd(100))
    } else if (Math.floor(fraction * 10) > lastDecile) {
      lastDecile = Math.floor(fraction * 10)
      stream.write(`${title}: ${Math.round(fraction * 100)}% ${label}\n`)
    }
  }
  render('')
  return {
    advance: (label) => {
      done += 1
      render(label)
    },
    finish: (summary) => {
      stream.write(stream.isTTY ? `\r${`${title}: ${summary}`.padEnd(100)}\n` : `${title}: ${summary}\n`)
    },
  }
}
