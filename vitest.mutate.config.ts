import {defineConfig} from 'vitest/config'

/**
 * The tests Stryker runs against each mutant of checks/ and src/facts/: the ones that import them
 * from source (CLI tests run the built dist/, which a mutant never reaches).
 *
 * `npm run mutate` leaves static mutants (code run once, when a module loads) to `npm run mutate:static`
 * (MUTATE_STATIC=1), so its test files can share one module graph (isolate: false): a mutant's tests
 * load the engine once, not once per file, which halves a mutant's time. A static mutant needs every
 * file to load the mutated module afresh, so that run isolates them.
 */
export default defineConfig({
  test: {
    globalSetup: ['test/setup/fast-check-seed.ts'],
    setupFiles: ['test/setup/fast-check.ts'],
    // test/nixos/tree and values run the checks from source on NixOS module trees (mkForce, mkIf, imports).
    include: ['test/checks/**/*.test.ts', 'test/facts/**/*.test.ts', 'test/fixtures.test.ts', 'test/nixos/tree.test.ts', 'test/nixos/values.test.ts'],
    isolate: process.env.MUTATE_STATIC === '1',
    testTimeout: 30_000,
    hookTimeout: 30_000,
  },
})
