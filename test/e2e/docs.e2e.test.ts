import type { Browser, Request } from 'playwright-core'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { browserHarness, HAS_CHROMIUM, openPage } from '../helpers/browser.js'
import type { ServerProcess } from '../helpers/server-process.js'

/**
 * /docs as a team on a LAN opens it: over plain HTTP, by a host name that is not loopback (browsers treat
 * loopback as secure and never upgrade its requests, so a test on 127.0.0.1 would pass whatever the policy).
 * The name resolves to the test server through Chromium's own resolver.
 */
const LAN_HOST = 'crm.office.lan'

describe.skipIf(!HAS_CHROMIUM)('the interactive docs over plain HTTP on a LAN host name', () => {
  const harness = browserHarness()
  let server: ServerProcess
  let browser: Browser
  let lanUrl: string

  beforeAll(async () => {
    ;({ server, browser } = await harness.start({}, undefined, [`--host-resolver-rules=MAP ${LAN_HOST} 127.0.0.1`]))
    lanUrl = server.url.replace('127.0.0.1', LAN_HOST)
  })
  afterAll(() => harness.stop())

  it('loads Swagger UI and its files over http, showing every route', async () => {
    const { page, context, errors } = await openPage(browser)
    const failed: string[] = []
    const requested: string[] = []
    page.on('request', (request: Request) => requested.push(request.url()))
    page.on('requestfailed', (request: Request) => failed.push(`${request.url()}: ${request.failure()?.errorText}`))

    const response = await page.goto(`${lanUrl}/docs/`)
    expect(response?.status()).toBe(200)
    expect(response?.headers()['content-security-policy']).not.toContain('upgrade-insecure-requests')
    await page.locator('.opblock-summary-path', { hasText: '/contacts/' }).first().waitFor()
    expect(await page.locator('.opblock').count()).toBeGreaterThanOrEqual(20)

    expect(failed).toEqual([])
    expect(requested.filter((url) => !url.startsWith(`http://${LAN_HOST}:`))).toEqual([])
    expect(errors).toEqual([])
    await context.close()
  })
})
