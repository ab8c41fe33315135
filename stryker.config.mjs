// `npm run test:mutation`: Stryker mutates the core files (pricing, resolution, usage reading,
// input accounting, enrichment) and runs the vitest suite against every mutant. It takes about
// 30 minutes of both cores on a 2-core machine, so it is not part of `npm test` or CI; run it
// alone (docs/testing.md says how, and keeps the last score). `--mutate <file>` narrows it.
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
  // The tests that need the shared LiteLLM table find it from the sandbox by walking up to the
  // project (test/support/shared-table.ts): they run against every mutant, never skip.
  tempDirName: '.stryker-tmp',
  concurrency: 2,
  timeoutMS: 30_000,
  reporters: ['clear-text', 'progress', 'html', 'json'],
  htmlReporter: { fileName: 'reports/mutation/index.html' },
  jsonReporter: { fileName: 'reports/mutation/mutation.json' },
  thresholds: { high: 85, low: 70, break: null },
};
