import { afterEach, describe, expect, it } from 'vitest'
import { createTestApp, type TestApp } from '../helpers/test-app.js'

/** The dashboard's page and files as the server hands them out (test-app.ts serves a fixture build). */
describe('dashboard routes', () => {
  let t: TestApp | undefined
  afterEach(async () => {
    await t?.close()
    t = undefined
  })

  it('serves the page at / with the API prefix and app name filled in, escaped, and never cached', async () => {
    t = await createTestApp({ env: { API_V1_PREFIX: '/api/v1', APP_NAME: 'Sales <desk> & "co"' } })
    const response = await t.app.inject({ method: 'GET', url: '/' })
    expect(response.statusCode).toBe(200)
    expect(response.headers['content-type']).toBe('text/html; charset=utf-8')
    expect(response.headers['cache-control']).toBe('no-cache')
    expect(response.body).toContain('<meta name="mini-crm-api-prefix" content="/api/v1" />')
    expect(response.body).toContain('<title>Sales &#60;desk&#62; &#38; &#34;co&#34;</title>')
    expect(response.body).not.toContain('__API_PREFIX__')
  })

  it('serves the built files for good, under a policy that keeps scripts to this origin and plain HTTP working', async () => {
    t = await createTestApp()
    const response = await t.app.inject({ method: 'GET', url: '/assets/app.js' })
    expect(response.statusCode).toBe(200)
    expect(response.headers['content-type']).toMatch(/javascript/)
    expect(response.headers['cache-control']).toBe('public, max-age=31536000, immutable')
    const policy = String(response.headers['content-security-policy'])
    expect(policy).toContain("script-src 'self'")
    expect(policy).not.toContain('upgrade-insecure-requests')
  })

  it('answers an unknown file with the API\'s 404', async () => {
    t = await createTestApp()
    const response = await t.app.inject({ method: 'GET', url: '/assets/missing.js' })
    expect(response.statusCode).toBe(404)
    expect(response.json()).toMatchObject({ code: 'ROUTE_NOT_FOUND' })
  })

  it('says how to build the dashboard when there is no build, and the API still serves', async () => {
    t = await createTestApp({ dashboardDir: '/nonexistent/dashboard' })
    const page = await t.app.inject({ method: 'GET', url: '/' })
    expect(page.statusCode).toBe(503)
    expect(page.body).toContain('npm run build')
    expect((await t.app.inject({ method: 'GET', url: '/operators/' })).statusCode).toBe(200)
  })
})
