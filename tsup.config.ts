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
    // import.meta.url in the CommonJS build (src/setup/sdk-modules.ts resolves the SDK with it).
    shims: true,
  },
  {
    entry: { cli: 'src/cli.ts' },
    format: ['esm'],
    sourcemap: true,
    target: 'node20',
    banner: { js: '#!/usr/bin/env node' },
  },
]);
