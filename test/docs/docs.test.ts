import { existsSync, readdirSync, readFileSync } from 'node:fs'
import { dirname, join, relative } from 'node:path'
import { describe, expect, it } from 'vitest'
import { ERROR_CODES } from '../../src/errors.js'
import { PROJECT_ROOT } from '../helpers/server-process.js'

/** README.md and every page under docs/: what they link or name as a file of the repository exists. */
const PAGES = [
  'README.md',
  ...(existsSync(join(PROJECT_ROOT, 'docs')) ? readdirSync(join(PROJECT_ROOT, 'docs')).filter((f) => f.endsWith('.md')).map((f) => `docs/${f}`) : []),
]

/** GitHub's heading anchors: lower case, punctuation dropped, spaces as hyphens. */
const slug = (heading: string) =>
  heading
    .toLowerCase()
    .replace(/[`*_]/g, '')
    .replace(/[^\p{L}\p{N} -]/gu, '')
    .replace(/ /g, '-')

function anchorsOf(file: string): Set<string> {
  const text = readFileSync(join(PROJECT_ROOT, file), 'utf8').replace(/```[\s\S]*?```/g, '')
  return new Set([...text.matchAll(/^#{1,6} (.+)$/gm)].map((m) => slug(m[1]!)))
}

const FILE_LIKE = /^(?:\.\/)?(?:(?:src|test|bench|ui|docs|scripts|\.ci)\/[\w./*-]+|[\w.-]+\.(?:md|ts|json|yaml|example|db))$/

describe.each(PAGES)('%s', (page) => {
  const text = readFileSync(join(PROJECT_ROOT, page), 'utf8')
  const prose = text.replace(/```[\s\S]*?```/g, '')

  it('links only files and headings that exist', () => {
    const targets = [...prose.matchAll(/\]\(([^)\s]+)\)/g)].map((m) => m[1]!).filter((target) => !/^[a-z]+:/.test(target))
    for (const target of targets) {
      const [path = '', anchor] = target.split('#')
      const file = path === '' ? page : relative(PROJECT_ROOT, join(PROJECT_ROOT, dirname(page), path))
      expect(existsSync(join(PROJECT_ROOT, file)), `${page} links ${target}`).toBe(true)
      if (anchor && file.endsWith('.md')) expect([...anchorsOf(file)], `${page} links ${target}`).toContain(anchor)
    }
  })

  it('names only files of the repository that exist', () => {
    const named = [...prose.matchAll(/`([^`\s]+)`/g)].map((m) => m[1]!).filter((name) => FILE_LIKE.test(name) && !name.includes('*'))
    // Files the service or the reader creates, not the repository.
    const created = new Set(['crm.db', './crm.db', 'openapi.json', '.env'])
    for (const name of named.filter((n) => !created.has(n))) {
      const atRoot = existsSync(join(PROJECT_ROOT, name))
      const besidePage = existsSync(join(PROJECT_ROOT, dirname(page), name))
      expect(atRoot || besidePage, `${page} names \`${name}\``).toBe(true)
    }
  })
})

describe('the pages say what the code does', () => {
  const read = (file: string) => readFileSync(join(PROJECT_ROOT, file), 'utf8')

  it('docs/configuration.md and .env.example name every variable config.ts reads', () => {
    const variables = [...read('src/config.ts').matchAll(/read\('([A-Z0-9_]+)'/g)].map((m) => m[1]!)
    expect(variables.length).toBeGreaterThan(10)
    for (const name of [...variables, 'ADMIN_API_KEY']) {
      expect(read('docs/configuration.md'), name).toContain(`\`${name}\``)
      expect(read('.env.example'), name).toMatch(new RegExp(`^${name}=`, 'm'))
    }
  })

  it('docs/api.md lists every error code', () => {
    for (const code of Object.keys(ERROR_CODES)) expect(read('docs/api.md'), code).toContain(`\`${code}\``)
  })

  it('README.md stays a first page: short, with the two commands and links to every page under docs/', () => {
    const readme = read('README.md')
    expect(readme.split('\n').length).toBeLessThan(120)
    expect(readme).toContain('npm install && npm start')
    for (const page of PAGES.filter((p) => p.startsWith('docs/'))) expect(readme, page).toContain(`](${page})`)
  })
})
