import {defineConfig} from 'vitest/config'

/**
 * The tests Stryker runs against each mutant of checks/ and src/facts/: the ones that import them
 * from source (CLI tests run the built dist/, which a mutant never reaches).
 */
export default defineConfig({
  test: {
    globalSetup: ['test/setup/fast-check-seed.ts'],
    setupFiles: ['test/setup/fast-check.ts'],
    include: ['test/checks/**/*.test.ts', 'test/facts/**/*.test.ts', 'test/fixtures.test.ts'],
    testTimeout: 30_000,
    hookTimeout: 30_000,
  },
})
