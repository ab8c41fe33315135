// The static mutants of the core files (see vitest.mutation-static.config.ts), run apart from the
// rest: `npx stryker run stryker.static.config.mjs`. docs/testing.md "Mutation testing".
import base from './stryker.config.mjs';

export default {
  ...base,
  vitest: { configFile: 'vitest.mutation-static.config.ts' },
  ignoreStatic: false,
  mutate: [
    'src/pricing/price.ts:10-10',
    'src/pricing/price.ts:101-104',
    'src/conventions/read-usage.ts:16-129',
    'src/conventions/input-accounting.ts:53-60',
  ],
  tempDirName: '.stryker-tmp/static',
  htmlReporter: { fileName: 'reports/mutation-static/index.html' },
  jsonReporter: { fileName: 'reports/mutation-static/mutation.json' },
  incrementalFile: 'reports/stryker-incremental-static.json',
};
