import { defineConfig } from 'tsup';

// Dual ESM + CommonJS build with declarations. The CLI is ESM-only (it is an executable).
export default defineConfig([
  {
    entry: { index: 'src/index.ts' },
    format: ['esm', 'cjs'],
    dts: true,
    sourcemap: true,
    clean: true,
    target: 'node20',
    splitting: false,
  },
  {
    // `otel-llm-cost/gateway` (llm-cost serve as a library): ESM only, like the CLI.
    entry: { gateway: 'src/gateway/index.ts' },
    format: ['esm'],
    dts: true,
    sourcemap: true,
    target: 'node20',
  },
  {
    entry: { cli: 'src/cli.ts' },
    format: ['esm'],
    sourcemap: true,
    target: 'node20',
    banner: { js: '#!/usr/bin/env node' },
  },
]);
