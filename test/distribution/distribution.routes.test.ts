import { describe, expect, it } from 'vitest'
import { sequence } from '../helpers/factories.js'
import { expectError, expectValidationError, rawRequest } from '../helpers/http-assertions.js'
import { appPerTest, seededRandom } from '../helpers/test-app.js'

const setup = appPerTest()

describe('POST /sources/{id}/distribution', () => {
  it.each(['', '/'])('sets the weights and answers them with names and shares (suffix %j)', async (suffix) => {
    const { api } = await setup()
    const a = await api.createOperator({ name: 'Alice' })
    const b = await api.createOperator({ name: 'Bob' })
    const source = await api.createSource()

    const response = await api.post(`/sources/${source.id}/distribution${suffix}`, {
      operator_weights: [
        { operator_id: b.id, weight: 30 },
        { operator_id: a.id, weight: 10 },
      ],
    })

    expect(response.status).toBe(200)
    expect(response.body).toEqual([
      { id: expect.any(Number), source_id: source.id, operator_id: a.id, operator_name: 'Alice', weight: 10, share: 0.25 },
      { id: expect.any(Number), source_id: source.id, operator_id: b.id, operator_name: 'Bob', weight: 30, share: 0.75 },
    ])
    expect((await api.get(`/sources/${source.id}/distribution`)).body).toEqual(response.body)
  })

  it('accepts fractional weights and weight 0', async () => {
    const { api } = await setup()
    const a = await api.createOperator()
    const b = await api.createOperator()
    const source = await api.createSource()

    const response = await api.post(`/sources/${source.id}/distribution`, {
      operator_weights: [
        { operator_id: a.id, weight: 0.5 },
        { operator_id: b.id, weight: 0 },
      ],
    })

    expect(response.status).toBe(200)
    expect(response.body.map((w: any) => [w.operator_id, w.weight, w.share])).toEqual([
      [a.id, 0.5, 1],
      [b.id, 0, 0],
    ])
  })

  it('replaces the whole set: operators left out are removed', async () => {
    const { api } = await setup()
    const a = await api.createOperator()
    const b = await api.createOperator()
    const c = await api.createOperator()
    const source = await api.createSource()
    await api.setWeights(source.id, [[a.id, 1], [b.id, 2]])

    await api.setWeights(source.id, [[b.id, 5], [c.id, 5]])

    const body = (await api.get(`/sources/${source.id}/distribution`)).body
    expect(body.map((w: any) => [w.operator_id, w.weight, w.share])).toEqual([
      [b.id, 5, 0.5],
      [c.id, 5, 0.5],
    ])
  })

  it('an empty list clears the distribution; contacts then go unassigned', async () => {
    const { api } = await setup()
    const a = await api.createOperator()
    const source = await api.createSource()
    await api.setWeights(source.id, [[a.id, 1]])

    const response = await api.post(`/sources/${source.id}/distribution`, { operator_weights: [] })

    expect(response.status).toBe(200)
    expect(response.body).toEqual([])
    expect((await api.get(`/sources/${source.id}/distribution`)).body).toEqual([])
    expect((await api.registerContact({ source_id: source.id })).operator_id).toBeNull()
  })

  it('does not touch the distribution of other sources', async () => {
    const { api } = await setup()
    const a = await api.createOperator()
    const s1 = await api.createSource()
    const s2 = await api.createSource()
    await api.setWeights(s1.id, [[a.id, 3]])
    await api.setWeights(s2.id, [[a.id, 7]])

    await api.setWeights(s1.id, [])

    expect((await api.get(`/sources/${s2.id}/distribution`)).body.map((w: any) => w.weight)).toEqual([7])
  })

  describe('a rejected set leaves the old one intact', () => {
    async function arrange() {
      const { api, app } = await setup()
      const a = await api.createOperator()
      const b = await api.createOperator()
      const source = await api.createSource()
      await api.setWeights(source.id, [[a.id, 10], [b.id, 30]])
      const before = (await api.get(`/sources/${source.id}/distribution`)).body
      expect(before).toHaveLength(2)
      return { api, app, a, b, source, before }
    }

    it('unknown operator: 404 NOT_FOUND', async () => {
      const { api, a, b, source, before } = await arrange()
      const unknown = Math.max(a.id, b.id) + 1

      const response = await api.post(`/sources/${source.id}/distribution`, {
        operator_weights: [
          { operator_id: a.id, weight: 1 },
          { operator_id: unknown, weight: 1 },
        ],
      })

      expect(expectError(response, 404, 'NOT_FOUND')).toContain(String(unknown))
      expect((await api.get(`/sources/${source.id}/distribution`)).body).toEqual(before)
    })

    it('duplicate operator: 422 with type duplicate at the second occurrence', async () => {
      const { api, a, source, before } = await arrange()

      const response = await api.post(`/sources/${source.id}/distribution`, {
        operator_weights: [
          { operator_id: a.id, weight: 1 },
          { operator_id: a.id, weight: 2 },
        ],
      })

      const detail = expectError(response, 422, 'VALIDATION_ERROR')
      expect(detail).toEqual([{ loc: ['body', 'operator_weights', 1, 'operator_id'], msg: expect.any(String), type: 'duplicate' }])
      expect((await api.get(`/sources/${source.id}/distribution`)).body).toEqual(before)
    })

    it.each([
      ['negative weight', -1, 'minimum'],
      ['weight as a string', '10', 'type'],
      ['weight null', null, 'type'],
      ['weight above the maximum', 1_000_001, 'maximum'],
    ])('%s: 422', async (_label, weight, type) => {
      const { api, a, b, source, before } = await arrange()

      const response = await api.post(`/sources/${source.id}/distribution`, {
        operator_weights: [
          { operator_id: a.id, weight: 5 },
          { operator_id: b.id, weight },
        ],
      })

      expectValidationError(response, ['body', 'operator_weights', 1, 'weight'], type)
      expect((await api.get(`/sources/${source.id}/distribution`)).body).toEqual(before)
    })

    it('Infinity (1e400 in the raw JSON): 422', async () => {
      const { app, api, a, source, before } = await arrange()

      const response = await rawRequest(
        app,
        'POST',
        `/sources/${source.id}/distribution`,
        `{"operator_weights":[{"operator_id":${a.id},"weight":1e400}]}`,
      )

      expectValidationError(response, ['body', 'operator_weights', 0, 'weight'])
      expect((await api.get(`/sources/${source.id}/distribution`)).body).toEqual(before)
    })

    it.each([
      ['missing operator_weights', {}, ['body', 'operator_weights']],
      ['operator_weights not a list', { operator_weights: { operator_id: 1, weight: 1 } }, ['body', 'operator_weights']],
      ['entry without weight', { operator_weights: [{ operator_id: 1 }] }, ['body', 'operator_weights', 0, 'weight']],
      ['entry without operator_id', { operator_weights: [{ weight: 1 }] }, ['body', 'operator_weights', 0, 'operator_id']],
      ['operator_id 0', { operator_weights: [{ operator_id: 0, weight: 1 }] }, ['body', 'operator_weights', 0, 'operator_id']],
      ['operator_id as a string', { operator_weights: [{ operator_id: '1', weight: 1 }] }, ['body', 'operator_weights', 0, 'operator_id']],
    ])('%s: 422', async (_label, payload, loc) => {
      const { api, source, before } = await arrange()
      expectValidationError(await api.post(`/sources/${source.id}/distribution`, payload), loc)
      expect((await api.get(`/sources/${source.id}/distribution`)).body).toEqual(before)
    })

    it('malformed JSON: 400 INVALID_JSON', async () => {
      const { app, api, source, before } = await arrange()
      expectError(await rawRequest(app, 'POST', `/sources/${source.id}/distribution`, '{"operator_weights": ['), 400, 'INVALID_JSON')
      expect((await api.get(`/sources/${source.id}/distribution`)).body).toEqual(before)
    })
  })

  it('answers 404 for an unknown source and stores nothing', async () => {
    const { api } = await setup()
    const a = await api.createOperator()
    const source = await api.createSource()

    const response = await api.post(`/sources/${source.id + 1}/distribution`, { operator_weights: [{ operator_id: a.id, weight: 1 }] })

    expect(expectError(response, 404, 'NOT_FOUND')).toMatch(/source/i)
    expect((await api.get(`/stats/distribution`)).body).toEqual([
      expect.objectContaining({ source_id: source.id, operators: [] }),
    ])
  })

  it.each(['abc', '0', '1.5'])('answers 422 for source id %s', async (id) => {
    const { api } = await setup()
    expectValidationError(await api.post(`/sources/${id}/distribution`, { operator_weights: [] }), ['path', 'id'])
  })
})

describe('GET /sources/{id}/distribution', () => {
  it.each(['', '/'])('answers an empty array for a source without operators (suffix %j)', async (suffix) => {
    const { api } = await setup()
    const source = await api.createSource()
    const response = await api.get(`/sources/${source.id}/distribution${suffix}`)
    expect(response.status).toBe(200)
    expect(response.body).toEqual([])
  })

  it('shows the current operator name', async () => {
    const { api } = await setup()
    const a = await api.createOperator({ name: 'Before' })
    const source = await api.createSource()
    await api.setWeights(source.id, [[a.id, 2]])
    await api.patch(`/operators/${a.id}`, { name: 'After' })

    expect((await api.get(`/sources/${source.id}/distribution`)).body[0]).toMatchObject({ operator_name: 'After', weight: 2 })
  })

  it('answers 404 for an unknown source', async () => {
    const { api } = await setup()
    const source = await api.createSource()
    expectError(await api.get(`/sources/${source.id + 1}/distribution`), 404, 'NOT_FOUND')
  })

  it.each(['abc', '0'])('answers 422 for source id %s', async (id) => {
    const { api } = await setup()
    expectValidationError(await api.get(`/sources/${id}/distribution`), ['path', 'id'])
  })
})

describe('choosing an operator', () => {
  it('picks in proportion to the weights: with [10, 30], 0.3 picks the second and 0.2 the first', async () => {
    const { api } = await setup(sequence(0.3, 0.2, 0, 0.999))
    const a = await api.createOperator()
    const b = await api.createOperator()
    const source = await api.createSource()
    await api.setWeights(source.id, [[a.id, 10], [b.id, 30]])

    const picks = []
    for (let i = 0; i < 4; i++) picks.push((await api.registerContact({ source_id: source.id })).operator_id)

    // 0.3*40 = 12 > 10 -> b; 0.2*40 = 8 < 10 -> a; 0 -> a; 0.999*40 -> b
    expect(picks).toEqual([b.id, a.id, a.id, b.id])
  })

  it('follows the weights statistically with a seeded random source', async () => {
    const { api } = await setup(seededRandom(42))
    const a = await api.createOperator({ max_load: 1000 })
    const b = await api.createOperator({ max_load: 1000 })
    const source = await api.createSource()
    await api.setWeights(source.id, [[a.id, 1], [b.id, 3]])

    const counts = new Map<number | null, number>()
    for (let i = 0; i < 400; i++) {
      const { operator_id } = await api.registerContact({ source_id: source.id })
      counts.set(operator_id, (counts.get(operator_id) ?? 0) + 1)
    }

    expect(counts.get(null)).toBeUndefined()
    expect((counts.get(a.id) ?? 0) + (counts.get(b.id) ?? 0)).toBe(400)
    // Expected 100 for a (sd ~8.7); 4 sd either side.
    expect(counts.get(a.id)).toBeGreaterThan(65)
    expect(counts.get(a.id)).toBeLessThan(135)
  })

  it('never chooses an operator with weight 0', async () => {
    const { api } = await setup(seededRandom(7))
    const zero = await api.createOperator()
    const one = await api.createOperator()
    const source = await api.createSource()
    await api.setWeights(source.id, [[zero.id, 0], [one.id, 1]])

    for (let i = 0; i < 10; i++) expect((await api.registerContact({ source_id: source.id })).operator_id).toBe(one.id)
    // `one` is now full (default max_load 10): the weight-0 operator still gets nothing.
    expect((await api.registerContact({ source_id: source.id })).operator_id).toBeNull()
    expect((await api.get(`/operators/${zero.id}`)).body.current_load).toBe(0)
  })

  it('leaves the contact unassigned when every weight is 0', async () => {
    const { api } = await setup()
    const zero = await api.createOperator()
    const source = await api.createSource()
    await api.setWeights(source.id, [[zero.id, 0]])

    expect((await api.registerContact({ source_id: source.id })).operator_id).toBeNull()
  })

  it('never chooses an inactive operator', async () => {
    const { api } = await setup(seededRandom(3))
    const inactive = await api.createOperator({ is_active: false })
    const active = await api.createOperator()
    const source = await api.createSource()
    await api.setWeights(source.id, [[inactive.id, 100], [active.id, 1]])

    for (let i = 0; i < 10; i++) expect((await api.registerContact({ source_id: source.id })).operator_id).toBe(active.id)
  })

  it('never chooses a full operator, and never exceeds max_load', async () => {
    const { api } = await setup(() => 0)
    const small = await api.createOperator({ max_load: 2 })
    const big = await api.createOperator({ max_load: 3 })
    const source = await api.createSource()
    await api.setWeights(source.id, [[small.id, 100], [big.id, 1]])

    const picks = []
    for (let i = 0; i < 7; i++) picks.push((await api.registerContact({ source_id: source.id })).operator_id)

    expect(picks).toEqual([small.id, small.id, big.id, big.id, big.id, null, null])
    expect((await api.get(`/operators/${small.id}`)).body.current_load).toBe(2)
    expect((await api.get(`/operators/${big.id}`)).body.current_load).toBe(3)
  })

  it('never chooses an operator with max_load 0', async () => {
    const { api } = await setup()
    const none = await api.createOperator({ max_load: 0 })
    const source = await api.createSource()
    await api.setWeights(source.id, [[none.id, 1]])

    expect((await api.registerContact({ source_id: source.id })).operator_id).toBeNull()
    expect((await api.get(`/operators/${none.id}`)).body.current_load).toBe(0)
  })

  it('never chooses an operator that is not configured for the source', async () => {
    const { api } = await setup()
    const other = await api.createOperator()
    const mine = await api.createOperator()
    const s1 = await api.createSource()
    const s2 = await api.createSource()
    await api.setWeights(s1.id, [[mine.id, 1]])
    await api.setWeights(s2.id, [[other.id, 1]])

    for (let i = 0; i < 3; i++) expect((await api.registerContact({ source_id: s1.id })).operator_id).toBe(mine.id)
    expect((await api.get(`/operators/${other.id}`)).body.current_load).toBe(0)
  })
})
