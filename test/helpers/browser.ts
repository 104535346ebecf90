import { existsSync } from 'node:fs'
import { mkdir } from 'node:fs/promises'
import { join } from 'node:path'
import { chromium, type Browser, type Page } from 'playwright-core'
import { PROJECT_ROOT, serverFleet, type ServerProcess } from './server-process.js'
import { createTestDatabase, type TestDatabase } from './test-database.js'

/** Debian's Chromium (apt-get install chromium); Playwright's own browser downloads are not used. */
export const CHROMIUM_PATH = process.env.CHROMIUM_PATH ?? '/usr/bin/chromium'
export const HAS_CHROMIUM = existsSync(CHROMIUM_PATH)

/** Headless Chromium, kept off the network: only the service under test on loopback is reached. */
export async function launchBrowser(extraArgs: string[] = []): Promise<Browser> {
  return chromium.launch({
    executablePath: CHROMIUM_PATH,
    args: ['--no-sandbox', '--disable-gpu', '--disable-quic', '--no-first-run', '--disable-background-networking',
      '--disable-component-update', '--disable-sync', ...extraArgs],
  })
}

/** A page that fails the test on any script error of the dashboard. */
export async function openPage(browser: Browser, options: { width?: number; height?: number; locale?: string } = {}) {
  const context = await browser.newContext({
    viewport: { width: options.width ?? 1280, height: options.height ?? 800 },
    locale: options.locale ?? 'en-US',
    // Charts then draw at their values at once, so a screenshot never catches bars mid-animation.
    reducedMotion: 'reduce',
  })
  // A locator that matches nothing fails within seconds, naming itself, rather than at the test's timeout.
  context.setDefaultTimeout(10_000)
  const page = await context.newPage()
  const errors: string[] = []
  page.on('pageerror', (error) => errors.push(error.message))
  return { page, context, errors }
}

/**
 * Where the suite saves its screenshots: a scratch folder normally, docs/screenshots (committed, shown in the
 * README) under `npm run screenshots`.
 */
const SCREENSHOT_DIR = process.env.SCREENSHOT_DIR ? join(PROJECT_ROOT, process.env.SCREENSHOT_DIR) : join(PROJECT_ROOT, 'test-results', 'screenshots')

export async function saveScreenshot(page: Page, name: string): Promise<void> {
  await mkdir(SCREENSHOT_DIR, { recursive: true })
  await page.screenshot({ path: join(SCREENSHOT_DIR, `${name}.png`), fullPage: true, animations: 'disabled' })
}

/**
 * What each browser test file runs on: its own SQLite database, a real server process and a Chromium.
 * `start` in beforeAll (with the server's environment, and `prepare` to seed the database before the server
 * starts), `stop` in afterAll.
 */
export function browserHarness() {
  const fleet = serverFleet()
  let database: TestDatabase | undefined
  let browser: Browser | undefined
  return {
    fleet,
    async start(env: Record<string, string> = {}, prepare?: (databaseUrl: string) => Promise<void>, browserArgs: string[] = []) {
      database = await createTestDatabase('file')
      await prepare?.(database.url)
      const server: ServerProcess = await fleet.start(database.url, env)
      browser = await launchBrowser(browserArgs)
      return { server, browser }
    },
    async stop() {
      await browser?.close()
      await fleet.afterEachTest()
      await database?.drop()
    },
  }
}
