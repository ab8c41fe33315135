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
    // `otel-llm-cost/gateway` (llm-cost serve as a library): ESM only, like the CLI.
    entry: { gateway: 'src/gateway/index.ts' },
    format: ['esm'],
    // The gateway's own metrics pipeline (sdk-metrics, OTLP serializers) is bundled: as optional
    // peers they are not installed for this package, and in an app they would be a second SDK.
    noExternal: [/^@opentelemetry\/(?!api$)/],
    dts: true,
    sourcemap: true,
    target: 'node20',
  },
  {
    entry: { cli: 'src/cli.ts' },
    format: ['esm'],
    // A standalone process: bundle the OpenTelemetry SDK parts it uses (not the API, a peer).
    noExternal: [/^@opentelemetry\/(?!api$)/],
    sourcemap: true,
    target: 'node20',
    banner: { js: '#!/usr/bin/env node' },
  },
]);
