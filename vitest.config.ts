import { defineConfig } from 'vitest/config'

const postgresUrl = process.env.TEST_DATABASE_URL

/** Suites that run against both databases: every HTTP test and the real-process race test. */
const bothDatabases = [
  'test/*/*.routes.test.ts',
  'test/http/*.test.ts',
  'test/auth/*.test.ts',
  'test/db/query-plans.test.ts',
  'test/concurrency/registration-race.test.ts',
  'test/concurrency/idempotency-race.test.ts',
  'test/concurrency/queue-churn.test.ts',
  'test/distribution/eligibility.test.ts',
  'test/server/crash-safety.test.ts',
  'test/server/webhook-crash.test.ts',
  'test/webhooks/*.test.ts',
  'test/property/*.property.test.ts',
  'test/model/*.property.test.ts',
]

if (!postgresUrl) {
  console.warn(
    '\n  PostgreSQL suite skipped: TEST_DATABASE_URL is not set. Set it to run the HTTP and multi-instance\n' +
      '  suites against PostgreSQL too, e.g. TEST_DATABASE_URL=postgresql://postgres@127.0.0.1:5432/test npm test\n',
  )
}

export default defineConfig({
  test: {
    testTimeout: 30_000,
    hookTimeout: 60_000,
    projects: [
      {
        extends: true,
        test: { name: 'sqlite', include: ['test/**/*.test.ts'], exclude: ['test/postgres/**', 'test/e2e/**', 'test/bench/**'] },
      },
      {
        // `npm run bench -- --short` end to end: a build and a minute of load, so CI runs it (`npm run test:bench`)
        // and a developer's `npm test` does not.
        extends: true,
        test: { name: 'bench', include: ['test/bench/**/*.test.ts'] },
      },
      {
        // The dashboard in headless Chromium against real servers (SQLite); skipped, saying so, without Chromium.
        extends: true,
        // One file at a time: each runs a server and a Chromium, which on two cores is load enough.
        test: {
          name: 'browser',
          include: ['test/e2e/**/*.test.ts'],
          globalSetup: ['test/helpers/browser-global-setup.ts'],
          fileParallelism: false,
        },
      },
      ...(postgresUrl
        ? [
            {
              extends: true as const,
              test: {
                name: 'postgres',
                include: [...bothDatabases, 'test/postgres/**/*.test.ts'],
                env: { TEST_BACKEND: 'postgres' },
                globalSetup: ['test/helpers/postgres-global-setup.ts'],
              },
            },
          ]
        : []),
    ],
  },
})
