import { build } from 'vite'
import { CHROMIUM_PATH, HAS_CHROMIUM } from './browser.js'
import { PROJECT_ROOT } from './server-process.js'

/**
 * Builds the dashboard into dist/ui, as `npm start` does, so the servers of the browser suite serve the current
 * sources. Without Chromium the suite is skipped and says so; CI sets REQUIRE_BROWSER so it cannot be skipped.
 */
export default async function setup(): Promise<void> {
  if (!HAS_CHROMIUM) {
    const missing = `no Chromium at ${CHROMIUM_PATH} (apt-get install chromium, or set CHROMIUM_PATH)`
    if (process.env.REQUIRE_BROWSER) throw new Error(`The browser suite is required (REQUIRE_BROWSER) but there is ${missing}.`)
    console.warn(`\n  Browser suite skipped: ${missing}.\n`)
    return
  }
  await build({ root: `${PROJECT_ROOT}ui`, configFile: `${PROJECT_ROOT}ui/vite.config.ts`, logLevel: 'warn' })
}
