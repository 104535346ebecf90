import type { Browser, Page } from 'playwright-core'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { createApiKey } from '../../src/auth/api-keys.service.js'
import { createDb } from '../../src/db/database.js'
import { migrateToLatest } from '../../src/db/migrate.js'
import { loadConfig } from '../../src/config.js'
import { browserHarness, HAS_CHROMIUM, openPage } from '../helpers/browser.js'
import type { ServerProcess } from '../helpers/server-process.js'

/** The dashboard on a service that requires API keys, and on one that stops answering. */
describe.skipIf(!HAS_CHROMIUM)('dashboard access and failures', () => {
  const harness = browserHarness()
  let server: ServerProcess
  let browser: Browser
  let adminKey: string
  let viewerKey: string

  beforeAll(async () => {
    ;({ server, browser } = await harness.start({}, async (databaseUrl) => {
      const db = createDb(loadConfig({ DATABASE_URL: databaseUrl }).database)
      await migrateToLatest(db)
      adminKey = (await createApiKey(db, { name: 'supervisor', role: 'admin' })).key
      viewerKey = (await createApiKey(db, { name: 'wallboard', role: 'viewer' })).key
      await db.destroy()
    }))
  })
  afterAll(() => harness.stop())

  it('asks for a key, says when one is refused, and keeps the accepted one for the session', async () => {
    const { page, context, errors } = await openPage(browser)
    await page.goto(`${server.url}/`)
    const dialog = page.getByRole('dialog', { name: 'API key needed' })
    await dialog.waitFor()
    expect(await dialog.textContent()).toContain('asks for an API key')

    await giveKey(page, 'crm_not-a-key')
    await expect.poll(() => dialog.textContent()).toContain('That key was not accepted')

    await giveKey(page, adminKey)
    await expect.poll(() => page.locator('.tile dd').first().textContent()).toBe('0')
    expect(await dialog.isVisible()).toBe(false)

    await page.reload()
    await expect.poll(() => page.locator('.tile dd').first().textContent()).toBe('0')
    expect(await dialog.isVisible()).toBe(false)
    expect(errors).toEqual([])
    await context.close()
  })

  it('tells a viewer plainly that their key may not change anything, and changes nothing', async () => {
    const { page, context } = await openPage(browser)
    await page.goto(`${server.url}/#/operators`)
    await giveKey(page, viewerKey)

    await page.getByLabel('Name', { exact: true }).fill('Vera')
    await page.getByRole('button', { name: 'Add operator' }).click()
    await expect.poll(() => page.getByRole('alert').allTextContents()).toEqual([
      expect.stringContaining('Your API key may not do this'),
    ])
    const operators = await fetch(`${server.url}/operators/`, { headers: { authorization: `Bearer ${adminKey}` } })
    expect(await operators.json()).toEqual([])

    // The way out: another key, from the message itself.
    await page.getByRole('button', { name: 'Use another key' }).click()
    await giveKey(page, adminKey)
    await page.getByRole('button', { name: 'Add operator' }).click()
    await page.getByRole('row', { name: /Vera/ }).waitFor()
    await context.close()
  })

  it('says the service cannot be reached, rather than going blank, when it stops', async () => {
    const { page, context } = await openPage(browser)
    await page.goto(`${server.url}/`)
    await giveKey(page, adminKey)
    await expect.poll(() => page.locator('.tile dd').first().textContent()).toBe('0')

    await harness.fleet.stop(server)
    await expect
      .poll(() => page.getByRole('alert').first().textContent(), { timeout: 15_000 })
      .toBe('The service cannot be reached. Is it running?')
    expect(await page.getByRole('heading', { level: 1 }).textContent()).toBe('Overview')
    await context.close()
  })
})

/** Answers the page's key prompt. */
async function giveKey(page: Page, key: string): Promise<void> {
  const dialog = page.getByRole('dialog', { name: 'API key needed' })
  await dialog.getByLabel('API key', { exact: true }).fill(key)
  await dialog.getByRole('button', { name: 'Use this key' }).click()
}
