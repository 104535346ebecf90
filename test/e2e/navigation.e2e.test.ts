import type { Browser, Page } from 'playwright-core'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { browserHarness, HAS_CHROMIUM, openPage } from '../helpers/browser.js'
import { fetchClient } from '../helpers/api-client.js'
import type { ServerProcess } from '../helpers/server-process.js'

/** The dashboard on a service whose API lives under API_V1_PREFIX, moving between pages and to bad addresses. */
describe.skipIf(!HAS_CHROMIUM)('dashboard navigation, with the API under /api/v1', () => {
  const harness = browserHarness()
  let server: ServerProcess
  let browser: Browser
  let page: Page
  let errors: string[]
  let sources: { id: number; name: string }[]

  beforeAll(async () => {
    ;({ server, browser } = await harness.start({ API_V1_PREFIX: '/api/v1' }))
    const api = fetchClient(`${server.url}/api/v1`)
    const olga = await api.createOperator({ name: 'Olga', max_load: 5 })
    const pavel = await api.createOperator({ name: 'Pavel', max_load: 5 })
    sources = [await api.createSource('Website'), await api.createSource('WhatsApp')]
    await api.setWeights(sources[0]!.id, [[olga.id, 1]])
    await api.setWeights(sources[1]!.id, [[olga.id, 2], [pavel.id, 6]])
    await api.registerContact({ source_id: sources[0]!.id, external_id: 'web:1' })
    ;({ page, errors } = await openPage(browser))
  })
  afterAll(() => harness.stop())

  it('serves the page at / and reads the API under the prefix', async () => {
    await page.goto(`${server.url}/`)
    await expect.poll(() => page.getByRole('meter', { name: 'Load of Olga' }).getAttribute('aria-valuenow')).toBe('1')
  })

  it('shows each source its own distribution when moving between sources', async () => {
    const [website, whatsapp] = sources
    await page.goto(`${server.url}/#/sources/${website!.id}`)
    await expect.poll(() => page.getByRole('spinbutton').count()).toBe(1)
    await page.goto(`${server.url}/#/sources/${whatsapp!.id}`)
    await expect.poll(() => page.getByLabel('Share of Pavel', { exact: true }).textContent()).toBe('75%')
    expect(await page.getByRole('spinbutton').count()).toBe(2)
    await page.goBack()
    await expect.poll(() => page.getByRole('spinbutton').count()).toBe(1)
    expect(await page.getByLabel('Share of Olga', { exact: true }).textContent()).toBe('100%')
  })

  it.each(['#/sources/abc', '#/sources/999999', '#/leads/0', '#/leads/999999', '#/nowhere'])(
    'answers %s with "No such page", not a broken one',
    async (hash) => {
      await page.goto(`${server.url}/${hash}`)
      await expect.poll(() => page.getByRole('heading', { level: 1 }).textContent()).toBe('No such page')
      await page.getByRole('link', { name: 'Back to the overview' }).click()
      await expect.poll(() => page.getByRole('heading', { level: 1 }).textContent()).toBe('Overview')
    },
  )

  it('raised no script error on the way', () => {
    expect(errors).toEqual([])
  })
})
