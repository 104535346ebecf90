import type { Browser, Page } from 'playwright-core'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { browserHarness, HAS_CHROMIUM, openPage, saveScreenshot } from '../helpers/browser.js'
import { fetchClient } from '../helpers/api-client.js'
import type { ServerProcess } from '../helpers/server-process.js'

/**
 * A supervisor's day through the dashboard, in one story: each step builds on the one before, so the steps run
 * in order on one server, one database and one page.
 */
describe.skipIf(!HAS_CHROMIUM)('dashboard in a browser', () => {
  const harness = browserHarness()
  let server: ServerProcess
  let browser: Browser
  let page: Page
  let errors: string[]
  const api = () => fetchClient(server.url)
  // Readable names, since they appear in the README's screenshots; the database is this file's own.
  const anna = 'Anna Petrova'
  const boris = 'Boris Ivanov'
  const sourceName = 'Telegram bot'
  let sourceId: number

  beforeAll(async () => {
    ;({ server, browser } = await harness.start())
    ;({ page, errors } = await openPage(browser))
    await page.goto(`${server.url}/`)
  })
  afterAll(() => harness.stop())

  it('shows an empty overview first, with nothing waiting', async () => {
    await expect.poll(() => page.getByRole('heading', { level: 1 }).textContent()).toBe('Overview')
    await expect.poll(() => tileValue(page, 'Waiting unassigned')).toBe('0')
    await page.getByText('No operators yet').waitFor()
  })

  it('shows the server\'s validation error next to the field, and creates nothing', async () => {
    await openSection(page, 'Operators')
    await page.getByLabel('Name', { exact: true }).fill('   ')
    await page.getByLabel('Max active contacts', { exact: true }).fill('-1')
    await page.getByRole('button', { name: 'Add operator' }).click()

    const name = page.getByLabel('Name', { exact: true })
    await expect.poll(() => name.getAttribute('aria-invalid')).toBe('true')
    expect(await describedBy(page, name)).toMatch(/must not be blank/i)
    expect(await describedBy(page, page.getByLabel('Max active contacts', { exact: true }))).toBe('Too small')
    expect((await api().get('/operators/')).body).toEqual([])
  })

  it('creates operators through the form', async () => {
    await addOperator(page, anna, 2)
    await addOperator(page, boris, 3)
    const operators = (await api().get('/operators/')).body as { name: string; max_load: number }[]
    expect(operators.map((o) => [o.name, o.max_load])).toEqual([
      [anna, 2],
      [boris, 3],
    ])
    await saveScreenshot(page, 'operators')
  })

  it('switches an operator off and on from the list', async () => {
    const toggle = page.getByRole('checkbox', { name: new RegExp(boris) })
    const isActive = async () => ((await api().get(`/operators/${await operatorId(boris)}`)).body as { is_active: boolean }).is_active
    // A click, then the outcome: the switch follows once the app has taken the change (a tick after the click).
    await toggle.click()
    await expect.poll(isActive).toBe(false)
    await expect.poll(() => page.getByRole('row', { name: new RegExp(boris) }).getAttribute('class')).toBe('inactive')
    await toggle.click()
    await expect.poll(isActive).toBe(true)
    await expect.poll(() => toggle.isChecked()).toBe(true)
  })

  it('creates a source and sets its weights, showing the resulting shares', async () => {
    await openSection(page, 'Sources')
    await page.getByLabel('Name', { exact: true }).fill(sourceName)
    await page.getByRole('button', { name: 'Add source' }).click()
    await page.getByRole('link', { name: sourceName }).click()
    await expect.poll(() => page.getByRole('heading', { level: 1 }).textContent()).toBe(`Distribution of ${sourceName}`)

    for (const [name, weight] of [[anna, '10'], [boris, '30']] as const) {
      await page.getByLabel('Operator to add', { exact: true }).selectOption({ label: name })
      await page.getByRole('button', { name: 'Add', exact: true }).click()
      await page.getByLabel(`Weight of ${name}`, { exact: true }).fill(weight)
    }
    await expect.poll(() => page.getByLabel(`Share of ${anna}`, { exact: true }).textContent()).toBe('25%')
    await expect.poll(() => page.getByLabel(`Share of ${boris}`, { exact: true }).textContent()).toBe('75%')

    // A bad weight comes back from the server beside its field, and the saved set stays as it was.
    await page.getByLabel(`Weight of ${boris}`, { exact: true }).fill('-5')
    await page.getByRole('button', { name: 'Save' }).click()
    await expect.poll(() => page.getByLabel(`Weight of ${boris}`, { exact: true }).getAttribute('aria-invalid')).toBe('true')
    sourceId = Number(/#\/sources\/(\d+)/.exec(page.url())?.[1])
    expect((await api().get(`/sources/${sourceId}/distribution`)).body).toEqual([])

    await page.getByLabel(`Weight of ${boris}`, { exact: true }).fill('30')
    await page.getByRole('button', { name: 'Save' }).click()
    await page.getByRole('status').filter({ hasText: 'Saved.' }).waitFor()
    const saved = (await api().get(`/sources/${sourceId}/distribution`)).body as { operator_id: number; weight: number }[]
    expect(saved.map((w) => w.weight)).toEqual([10, 30])
    await saveScreenshot(page, 'sources')
  })

  it('shows load bars filling and unassigned contacts waiting, by itself, as contacts arrive', async () => {
    await openSection(page, 'Overview')
    // Capacity is 2 + 3: the sixth contact waits unassigned, whatever the random picks were.
    for (let i = 0; i < 6; i += 1) await api().registerContact({ source_id: sourceId, external_id: `tg:${100234 + i}` })

    await expect.poll(() => tileValue(page, 'Waiting unassigned'), { timeout: 10_000 }).toBe('1')
    await expect.poll(() => loadOf(page, anna)).toBe('2')
    await expect.poll(() => loadOf(page, boris)).toBe('3')
    await expect.poll(() => page.getByText('at limit').count()).toBe(2)
    await saveScreenshot(page, 'overview')
  })

  it('shows configured against actual shares and counts in the statistics', async () => {
    await openSection(page, 'Statistics')
    const table = page.getByTestId(`shares-${sourceId}`)
    await expect.poll(() => table.locator('tbody tr').allInnerTexts(), { timeout: 10_000 }).toEqual([
      `${anna}\t25%\t40%\t2`,
      `${boris}\t75%\t60%\t3`,
    ])
    await page.getByRole('img', { name: new RegExp(sourceName) }).locator('canvas').waitFor()
    await expect.poll(() => page.getByTestId('per-source').locator('tbody tr').allInnerTexts()).toEqual([`${sourceName}\t6\t6\t1`])
    await saveScreenshot(page, 'statistics')
  })

  it('lists contacts with filters, marks the unassigned one, and closes a contact', async () => {
    await openSection(page, 'Contacts')
    await page.getByLabel('Operator', { exact: true }).selectOption({ label: 'Unassigned' })
    const rows = page.locator('tbody tr')
    await expect.poll(() => rows.count()).toBe(1)
    expect(await rows.first().getAttribute('class')).toBe('unassigned')

    await page.getByLabel('Operator', { exact: true }).selectOption({ label: anna })
    await expect.poll(() => rows.count()).toBe(2)
    await saveScreenshot(page, 'contacts')
    const [first] = (await api().get(`/contacts/?status=active&operator_id=${await operatorId(anna)}`)).body as { id: number }[]
    await page.getByRole('button', { name: `Close contact ${first!.id}` }).click()
    await expect.poll(async () => ((await api().get(`/contacts/${first!.id}`)).body as { status: string }).status).toBe('closed')
    await expect.poll(() => rows.filter({ hasText: 'Closed' }).count()).toBe(1)

    // The freed slot goes at once to the contact that waited (only Anna may take it: Boris is full).
    await openSection(page, 'Overview')
    await expect.poll(() => tileValue(page, 'Waiting unassigned')).toBe('0')
    await expect.poll(() => loadOf(page, anna)).toBe('2')
  })

  it('opens a lead with all its contacts', async () => {
    const [contact] = (await api().get('/contacts/?limit=1')).body as { lead: { id: number; external_id: string } }[]
    await api().registerContact({ source_id: sourceId, external_id: contact!.lead.external_id })
    await openSection(page, 'Contacts')
    await page.getByLabel('Operator', { exact: true }).selectOption({ label: 'Any' })
    await page.getByLabel('Lead id', { exact: true }).fill(String(contact!.lead.id))
    await page.getByRole('link', { name: contact!.lead.external_id, exact: true }).first().click()
    await expect.poll(() => page.getByRole('heading', { level: 1 }).textContent()).toBe(`Lead ${contact!.lead.external_id}`)
    await expect.poll(() => page.locator('tbody tr').count()).toBe(2)
  })

  it('deletes an operator after a confirmation that says what happens to their contacts', async () => {
    await openSection(page, 'Operators')
    await page.getByRole('button', { name: `Delete ${boris}` }).click()
    const dialog = page.getByRole('dialog', { name: `Delete ${boris}?` })
    expect(await dialog.textContent()).toContain('Their active contacts (3) return to the unassigned queue')
    // Escape cancels: nothing is deleted.
    await page.keyboard.press('Escape')
    await expect.poll(() => dialog.isVisible()).toBe(false)
    expect((await api().get(`/operators/${await operatorId(boris)}`)).status).toBe(200)

    await page.getByRole('button', { name: `Delete ${boris}` }).click()
    await dialog.getByRole('button', { name: 'Delete' }).click()
    await expect.poll(() => page.getByRole('row', { name: new RegExp(boris) }).count()).toBe(0)
    await openSection(page, 'Overview')
    await expect.poll(() => tileValue(page, 'Waiting unassigned')).toBe('4')
  })

  it('switches to Russian and remembers the choice', async () => {
    await page.getByLabel('Language', { exact: true }).selectOption('ru')
    await expect.poll(() => page.getByRole('heading', { level: 1 }).textContent()).toBe('Обзор')
    expect(await page.locator('html').getAttribute('lang')).toBe('ru')
    await page.reload()
    await expect.poll(() => page.getByRole('heading', { level: 1 }).textContent()).toBe('Обзор')
    await expect.poll(() => tileValue(page, 'Ждут без оператора')).toBe('4')
    await page.getByLabel('Язык', { exact: true }).selectOption('en')
    await expect.poll(() => page.getByRole('heading', { level: 1 }).textContent()).toBe('Overview')
  })

  it('raised no script error on the way', () => {
    expect(errors).toEqual([])
  })

  async function operatorId(name: string): Promise<number> {
    const operators = (await api().get('/operators/')).body as { id: number; name: string }[]
    return operators.find((o) => o.name === name)!.id
  }
})

/** Follows a link of the navigation and waits until that page is shown, so nothing of the last page is matched. */
async function openSection(page: Page, name: string): Promise<void> {
  await page.getByRole('navigation').getByRole('link', { name, exact: true }).click()
  await expect.poll(() => page.getByRole('heading', { level: 1 }).textContent()).toBe(name)
}

async function addOperator(page: Page, name: string, maxLoad: number): Promise<void> {
  await page.getByLabel('Name', { exact: true }).fill(name)
  await page.getByLabel('Max active contacts', { exact: true }).fill(String(maxLoad))
  await page.getByRole('button', { name: 'Add operator' }).click()
  await page.getByRole('row', { name: new RegExp(name) }).waitFor()
}

async function tileValue(page: Page, label: string): Promise<string | null> {
  return page.locator('.tile', { has: page.getByText(label, { exact: true }) }).locator('dd').textContent()
}

/** The operator's load as the bar tells a screen reader. */
async function loadOf(page: Page, name: string): Promise<string | null> {
  return page.getByRole('meter', { name: `Load of ${name}` }).getAttribute('aria-valuenow')
}

async function describedBy(page: Page, field: ReturnType<Page['getByLabel']>): Promise<string | null> {
  const id = await field.getAttribute('aria-describedby')
  return id ? page.locator(`[id="${id}"]`).textContent() : null
}
