import {defineConfig} from 'vitest/config'

/** Rows of hundreds of megabytes: run alone, after every other file (see the file's comment). */
const HEAVY = 'test/hostile/heavy.test.ts'

export default defineConfig({
  test: {
    globalSetup: ['test/setup/fast-check-seed.ts', 'test/setup/temp-dir.ts'],
    setupFiles: ['test/setup/fast-check.ts'],
    testTimeout: 30_000,
    hookTimeout: 30_000,
    // 2-core machines: more workers only add contention.
    maxWorkers: 2,
    projects: [
      {extends: true, test: {name: 'main', include: ['test/**/*.test.ts'], exclude: [HEAVY], sequence: {groupOrder: 0}}},
      {extends: true, test: {name: 'heavy', include: [HEAVY], sequence: {groupOrder: 1}}},
    ],
  },
})
