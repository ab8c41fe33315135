import { defineConfig } from 'vitest/config';
import { BaseSequencer, type TestSpecification } from 'vitest/node';

/**
 * Fast, targeted unit tests first: Stryker stops a mutant's run at its first failing test, and
 * vitest's default order puts the slowest files first, so a mutant the rule-by-rule tests kill
 * in milliseconds would first wait for the SDK-driven ones.
 */
const ORDER = [
  '-mutants.test.ts',
  'test/conventions/',
  'test/pricing/',
  'test/processor/span-enrichment',
  'test/processor/',
];
const rank = (file: string): number => {
  const i = ORDER.findIndex((part) => file.replaceAll('\\', '/').includes(part));
  return i === -1 ? ORDER.length : i;
};
class UnitTestsFirst extends BaseSequencer {
  override async sort(files: TestSpecification[]): Promise<TestSpecification[]> {
    return [...files].sort((a, b) => rank(a.moduleId) - rank(b.moduleId));
  }
}

// The test files `npm run test:mutation` (stryker.config.mjs) runs against each mutant: the ones
// that import the mutated files from src/ and run in this process. Left out: tests that run the
// built package (dist/) or a child process (CLI, demo, examples, compat, gateway, hostile sources,
// the CLI halves of the pricing tests), tests that need Go, Python, Prometheus or a Node binary,
// and the instrumentation suites that patch real SDKs: a mutant in src/ cannot change what dist/
// or another process does, so they would only add minutes to every mutant.
export default defineConfig({
  test: {
    include: [
      'test/pricing/*.test.ts',
      'test/conventions/*.test.ts',
      'test/processor/*.test.ts',
      'test/hardening/pricing-properties.test.ts',
      'test/hardening/processor-properties.test.ts',
      'test/metrics/processor-metrics.test.ts',
    ],
    exclude: [
      // Run the built CLI in a child process.
      'test/pricing/cli-no-silent-fallback.test.ts',
      'test/pricing/prices-in-time.test.ts',
      // Real instrumentation packages and the Node SDK: slow, and covered by the unit tests above.
      'test/processor/real-instrumentations.test.ts',
      'test/processor/node-sdk-registration.test.ts',
    ],
    testTimeout: 60_000,
    hookTimeout: 60_000,
    pool: 'forks', // Stryker runs its own pool (threads, one worker) whatever this says.
    // One module graph for all the files a mutant runs: about half the time per mutant on a busy
    // machine (every file imports the SDK and the embedded price data). The files above pass
    // together in any order (they patch nothing global).
    isolate: false,
    sequence: { sequencer: UnitTestsFirst },
  },
});
