import fc from 'fast-check'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { apiClient } from '../helpers/api-client.js'
import { rawRequest } from '../helpers/http-assertions.js'
import { createTestApp, type TestApp } from '../helpers/test-app.js'
import { TEST_BACKEND } from '../helpers/test-database.js'
import { runs } from './harness.js'

/**
 * Text built from ordinary characters, spaces, control characters, surrogate halves (which may or may not
 * pair up) and Unicode format characters, sent to every text field. A name or ID is accepted exactly when it
 * is non-blank after trimming and holds no control character, lone surrogate or format character; phone and
 * email exactly when they hold no control character or lone surrogate. What is accepted reads back exactly as
 * sent (trimmed where the field is), on both databases, so two different values never become one.
 */

// Cf code points (Unicode 15): soft hyphen, Arabic signs, zero-width and bidi controls, BOM, tags.
const FORMAT = [0xad, 0x600, 0x605, 0x61c, 0x6dd, 0x70f, 0x180e, 0x200b, 0x200c, 0x200d, 0x200e, 0x200f, 0x202a, 0x202c, 0x202e,
  0x2060, 0x2064, 0x2066, 0x2069, 0x206f, 0xfeff, 0xfff9, 0xfffb, 0x110bd, 0x1d173, 0xe0001, 0xe0020, 0xe007f].map((c) => String.fromCodePoint(c))
const FORMAT_SET = new Set(FORMAT)
const ORDINARY = ['a', 'Z', '7', 'И', 'ж', '李', 'Ω', 'é', 'e\u0301', '😀', '👍🏽', '-', '_', '.', '@', '+', '(', '\u00a0', '\u3000']

const piece = fc.oneof(
  { weight: 8, arbitrary: fc.constantFrom(...ORDINARY) },
  { weight: 2, arbitrary: fc.constantFrom(' ', '  ', '\t') },
  { weight: 2, arbitrary: fc.constantFrom(...FORMAT) },
  { weight: 2, arbitrary: fc.integer({ min: 0xd800, max: 0xdfff }).map((c) => String.fromCharCode(c)) },
  { weight: 1, arbitrary: fc.constantFrom('\u0000', '\u0007', '\n', '\u001f', '\u007f') },
)
const text = (maxPieces: number) => fc.array(piece, { minLength: 0, maxLength: maxPieces }).map((parts) => parts.join(''))

function hasLoneSurrogate(value: string): boolean {
  for (let i = 0; i < value.length; i++) {
    const unit = value.charCodeAt(i)
    if (unit >= 0xd800 && unit <= 0xdbff) {
      const next = value.charCodeAt(i + 1)
      if (next >= 0xdc00 && next <= 0xdfff) i++
      else return true
    } else if (unit >= 0xdc00 && unit <= 0xdfff) return true
  }
  return false
}
/** Code points one by one: the checks look at single characters, not at what they compose. */
const codePoints = (value: string) => Array.from(value)
const hasControl = (value: string) => codePoints(value).some((c) => c.charCodeAt(0) < 0x20 || c === '\u007f')
const hasFormat = (value: string) => codePoints(value).some((c) => FORMAT_SET.has(c))
const plainOk = (value: string) => !hasControl(value) && !hasLoneSurrogate(value)
const nameOk = (value: string) => value.trim() !== '' && plainOk(value.trim()) && !hasFormat(value.trim())

const RUNS = TEST_BACKEND === 'postgres' ? 100 : 250

let t: TestApp
let api: ReturnType<typeof apiClient>
let sourceId: number
beforeAll(async () => {
  t = await createTestApp({ random: () => 0 })
  api = apiClient(t.app)
  sourceId = (await api.createSource()).id
})
afterAll(async () => {
  await t.close()
})

const post = (url: string, body: object) => rawRequest(t.app, 'POST', url, JSON.stringify(body))

describe('text fields with lone surrogates and format characters', () => {
  it('operator and source names: accepted exactly when valid, and read back as sent, trimmed', async () => {
    let n = 0
    await fc.assert(
      fc.asyncProperty(text(12), async (name) => {
        const operator = await post('/operators/', { name })
        expect(operator.status, JSON.stringify(name)).toBe(nameOk(name) ? 201 : 422)
        if (operator.status === 201) expect((await api.get(`/operators/${operator.body.id}`)).body.name).toBe(name.trim())
        // Suffixed, so repeated names do not collide on the unique source name.
        const sourceName = `${name}${n++}`
        const source = await post('/sources/', { name: sourceName })
        expect(source.status, JSON.stringify(sourceName)).toBe(nameOk(sourceName) ? 201 : 422)
        if (source.status === 201) expect((await api.get(`/sources/${source.body.id}`)).body.name).toBe(sourceName.trim())
      }),
      { numRuns: runs(RUNS) },
    )
  }, 180_000)

  it('external_id, phone and email: accepted exactly when valid; distinct external_ids stay distinct leads', async () => {
    const leads = new Map<string, number>()
    await fc.assert(
      fc.asyncProperty(text(10), text(6), text(4), fc.boolean(), async (externalId, phone, local, withEmail) => {
        const email = `"${local}"@example.com`
        const body = { external_id: externalId, source_id: sourceId, phone, ...(withEmail && { email }) }
        const response = await post('/contacts/', body)
        // Noted before anything is asserted, so a shrunk counterexample meets the leads a failed run left.
        const lead = response.status === 201 ? (await api.get(`/leads/${response.body.lead_id}`)).body : undefined
        const known = leads.get(externalId.trim())
        if (lead) leads.set(externalId.trim(), lead.id)
        const valid = nameOk(externalId) && plainOk(phone) && (!withEmail || plainOk(local))
        expect(response.status, JSON.stringify(body)).toBe(valid ? 201 : 422)
        if (!lead) return
        expect(lead.external_id).toBe(externalId.trim())
        if (known !== undefined) expect(lead.id).toBe(known)
        // The first contact of a lead sets its phone; later ones only fill in a missing one.
        if (known === undefined) expect(lead.phone).toBe(phone)
      }),
      { numRuns: runs(RUNS) },
    )
    const stored = (await api.get('/leads/?limit=1000')).body as { id: number; external_id: string }[]
    expect(stored.length).toBe(new Set(stored.map((l) => l.external_id)).size)
    expect(stored.length).toBe(leads.size)
  }, 180_000)
})
