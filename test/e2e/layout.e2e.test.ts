import type { Browser, Page } from 'playwright-core'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { browserHarness, HAS_CHROMIUM, openPage, saveScreenshot } from '../helpers/browser.js'
import { fetchClient } from '../helpers/api-client.js'
import { uniqueName } from '../helpers/factories.js'
import type { ServerProcess } from '../helpers/server-process.js'

const PAGES = ['#/', '#/operators', '#/sources', '#/contacts', '#/statistics']

describe.skipIf(!HAS_CHROMIUM)('dashboard on a phone and by keyboard', () => {
  const harness = browserHarness()
  let server: ServerProcess
  let browser: Browser

  beforeAll(async () => {
    ;({ server, browser } = await harness.start())
    const api = fetchClient(server.url)
    const operator = await api.createOperator({ name: 'Анастасия Константинопольская', max_load: 4 })
    const source = await api.createSource('Website chat')
    await api.setWeights(source.id, [[operator.id, 1]])
    for (let i = 0; i < 5; i += 1) await api.registerContact({ source_id: source.id, external_id: uniqueName('visitor') })
  })
  afterAll(() => harness.stop())

  it('fits a phone screen: no page scrolls sideways', async () => {
    const { page, context, errors } = await openPage(browser, { width: 390, height: 844 })
    for (const hash of PAGES) {
      await page.goto(`${server.url}/${hash}`)
      await page.getByRole('heading', { level: 1 }).waitFor()
      await page.waitForLoadState('networkidle')
      const overflow = await page.evaluate<number>('document.documentElement.scrollWidth - document.documentElement.clientWidth')
      expect(overflow, hash).toBeLessThanOrEqual(0)
      if (hash === '#/') await saveScreenshot(page, 'overview-phone')
    }
    expect(errors).toEqual([])
    await context.close()
  })

  it('works from the keyboard alone: skip link, navigation and a form', async () => {
    const { page, context } = await openPage(browser)
    await page.goto(`${server.url}/`)
    await page.getByRole('heading', { level: 1 }).waitFor()

    await page.keyboard.press('Tab')
    expect(await focusedText(page)).toBe('Skip to content')
    await page.keyboard.press('Enter')
    expect(await page.evaluate<string | null>('document.activeElement?.id ?? null')).toBe('main')
    expect(await page.getByRole('heading', { level: 1 }).textContent()).toBe('Overview')
    // From the top again: the navigation follows the skip link.
    await page.getByRole('button', { name: 'Skip to content' }).focus()
    await page.keyboard.press('Tab')
    await page.keyboard.press('Tab')
    expect(await focusedText(page)).toBe('Operators')
    await page.keyboard.press('Enter')
    await expect.poll(() => page.getByRole('heading', { level: 1 }).textContent()).toBe('Operators')

    await page.getByLabel('Name', { exact: true }).focus()
    await page.keyboard.type('Keyboard Kim')
    await page.keyboard.press('Tab')
    await page.keyboard.press('Control+A')
    await page.keyboard.type('7')
    await page.keyboard.press('Enter')
    await page.getByRole('row', { name: /Keyboard Kim/ }).waitFor()
    const operators = (await fetchClient(server.url).get('/operators/')).body as { name: string; max_load: number }[]
    expect(operators.find((o) => o.name === 'Keyboard Kim')?.max_load).toBe(7)
    await context.close()
  })
})

/** The text of the element that has the keyboard focus. */
async function focusedText(page: Page): Promise<string | null> {
  return page.evaluate<string | null>('document.activeElement?.textContent ?? null')
}
