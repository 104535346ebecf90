import { beforeEach, describe, expect, it } from 'vitest'
import { createApiKey } from '../../src/auth/api-keys.service.js'
import { isName, isPlainText } from '../../src/http/text-rules.js'
import type { TestClient } from '../helpers/api-client.js'
import { uniqueName } from '../helpers/factories.js'
import { expectValidationError, rawRequest } from '../helpers/http-assertions.js'
import { appPerTest, type TestApp } from '../helpers/test-app.js'

const LONE_SURROGATES = { 'a lone high surrogate': 'ab\uD800c', 'a lone low surrogate': 'ab\uDC00', 'a reversed pair': '\uDE00\uD83D' }
const FORMAT_CHARACTERS = {
  'a zero-width space': 'Iv\u200Ban',
  'a right-to-left override': 'user\u202Egnp.exe',
  'a soft hyphen': 'Iv\u00ADan',
  'a zero-width no-break space inside': 'Iv\uFEFFan',
  'only invisible characters': '\u200B\u200C\u200D\u2060',
  'a language tag': 'Ivan\u{E0001}',
}

describe('the text rules', () => {
  it('accept ordinary text in any script, emoji (whole surrogate pairs) included', () => {
    for (const text of ['Иван Иванов', 'Zoë', '李小龍', 'user 😀', '+7 (900) 123-45-67']) {
      expect(isPlainText(text), text).toBe(true)
      expect(isName(text), text).toBe(true)
    }
  })

  it('reject lone surrogates in every text', () => {
    for (const text of Object.values(LONE_SURROGATES)) {
      expect(isPlainText(text)).toBe(false)
      expect(isName(text)).toBe(false)
    }
  })

  it('reject format characters in names and IDs only', () => {
    for (const text of Object.values(FORMAT_CHARACTERS)) {
      expect(isName(text), JSON.stringify(text)).toBe(false)
      expect(isPlainText(text)).toBe(true)
    }
  })
})

describe('text fields over HTTP', () => {
  const setup = appPerTest()
  let t: TestApp
  let api: TestClient
  beforeEach(async () => {
    ;({ api, ...t } = await setup())
  })

  const post = (url: string, body: object) => rawRequest(t.app, 'POST', url, JSON.stringify(body))
  const patch = (url: string, body: object) => rawRequest(t.app, 'PATCH', url, JSON.stringify(body))

  it.each(Object.entries({ ...LONE_SURROGATES, ...FORMAT_CHARACTERS }))('names and external_id with %s answer 422 and store nothing', async (_name, text) => {
    const source = await api.createSource()
    const operator = await api.createOperator()
    expectValidationError(await post('/operators/', { name: text }), ['body', 'name'])
    expectValidationError(await patch(`/operators/${operator.id}`, { name: text }), ['body', 'name'])
    expectValidationError(await post('/sources/', { name: text }), ['body', 'name'])
    expectValidationError(await post('/contacts/', { external_id: text, source_id: source.id }), ['body', 'external_id'])
    await expect(createApiKey(t.db, { name: text, role: 'viewer' })).rejects.toMatchObject({ statusCode: 422, loc: ['name'] })

    expect((await api.get('/operators/')).body).toEqual([operator])
    expect((await api.get('/sources/')).body).toHaveLength(1)
    expect((await api.get('/leads/')).body).toEqual([])
  })

  it.each(Object.entries(LONE_SURROGATES))('phone and email with %s answer 422', async (_name, text) => {
    const source = await api.createSource()
    const lead = { external_id: uniqueName('lead'), source_id: source.id }
    expectValidationError(await post('/contacts/', { ...lead, phone: text }), ['body', 'phone'])
    expectValidationError(await post('/contacts/', { ...lead, email: `"${text}"@example.com` }), ['body', 'email'])
    expect((await api.get('/leads/')).body).toEqual([])
  })

  it('two external_ids that differ only in a lone surrogate can no longer become one lead', async () => {
    const source = await api.createSource()
    const first = await post('/contacts/', { external_id: 'lead-\uD800', source_id: source.id })
    const second = await post('/contacts/', { external_id: 'lead-\uDBFF', source_id: source.id })
    expect([first.status, second.status]).toEqual([422, 422])
  })

  it('still accepts names with emoji and surrounding spaces, stored trimmed', async () => {
    const source = await api.createSource()
    const created = await post('/contacts/', { external_id: '  tg 😀  ', source_id: source.id, phone: '+7 900', email: 'a@example.com' })
    expect(created.status).toBe(201)
    expect((created.body as { lead: { external_id: string } }).lead.external_id).toBe('tg 😀')
  })
})
