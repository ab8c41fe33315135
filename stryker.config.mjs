// `npm run test:mutation`: Stryker mutates the core files (pricing, resolution, usage reading,
// input accounting, enrichment) and runs the in-process unit tests that import them
// (vitest.mutation.config.ts) against every mutant. It takes tens of minutes of both cores on a
// 2-core machine, so it is not part of `npm test` or CI; run it alone (docs/testing.md says how,
// and keeps the last score). `--mutate <file>` narrows it.
/** @type {import('@stryker-mutator/api/core').PartialStrykerOptions} */
export default {
  testRunner: 'vitest',
  plugins: ['@stryker-mutator/vitest-runner'],
  vitest: { configFile: 'vitest.mutation.config.ts' },
  mutate: [
    'src/pricing/price.ts',
    'src/pricing/resolve.ts',
    'src/conventions/read-usage.ts',
    'src/conventions/input-accounting.ts',
    'src/core/span-enrichment.ts',
  ],
  // Only the tests that cover a mutant run against it.
  coverageAnalysis: 'perTest',
  // A mutant in a module-level constant (the attribute key lookup, the instrumentation profiles,
  // the half-price batch providers) is covered by no single test, so Stryker would run every test
  // against it (about 30 s a mutant here). They run apart, against the reader and pricing tests
  // only: `npm run test:mutation:static` (stryker.static.config.mjs). A mutant that some test
  // covers still runs here even when module loading also reaches it.
  ignoreStatic: true,
  // A second run retests only the mutants whose code or covering tests changed
  // (reports/stryker-incremental.json); `--force` retests everything.
  incremental: true,
  // The tests that need the shared LiteLLM table find it from the sandbox by walking up to the
  // project (test/support/shared-table.ts): they run against every mutant, never skip.
  tempDirName: '.stryker-tmp',
  // Never copy another run's sandbox into this one (the static run works under .stryker-tmp/ too).
  ignorePatterns: ['/.stryker-tmp*'],
  concurrency: 2,
  timeoutMS: 30_000,
  reporters: ['clear-text', 'progress', 'html', 'json'],
  htmlReporter: { fileName: 'reports/mutation/index.html' },
  jsonReporter: { fileName: 'reports/mutation/mutation.json' },
  thresholds: { high: 85, low: 70, break: null },
};
