import { defineConfig } from 'vitest/config';
import base from './vitest.mutation.config.js';

// For the static mutants only (module-level constants: the attribute key lists, the bits of the
// key lookup, the instrumentation profiles, the half-price batch providers). Stryker cannot tell
// which test covers a constant, so each such mutant runs every test of its config: this config
// keeps the unit tests of the reader and of pricing, which read every one of those constants, so
// that a static mutant costs seconds instead of half a minute. A mutant killed here is killed by
// the full set (vitest.mutation.config.ts) too.
export default defineConfig({
  test: {
    ...base.test,
    include: ['test/conventions/*.test.ts', 'test/pricing/*.test.ts'],
  },
});
