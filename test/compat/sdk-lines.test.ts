/**
 * The package as a user installs it, on both OpenTelemetry JS lines: `npm pack` into a fresh app
 * with today's `latest` `@opentelemetry/sdk-node` and `@opentelemetry/instrumentation-openai`
 * (3.x, run on Node 22 and 24) and with `@opentelemetry/sdk-node` 0.223 (2.x, run on Node 20),
 * `openai` 6 in both (the contrib instrumentation covers `<7`), and `openai` 7 on 3.x (which it does
 * not cover: OpenAIUsageInstrumentation, enabled by the helper, makes the span). In each, the README quick start
 * runs as written (ES module with `--import`, CommonJS with `-r`, and an ESM app with the loader
 * hook) against the mock OpenAI server and a loopback OTLP receiver; the app ends by itself and
 * its exported span must carry the cost genai-prices' `calcPrice` gives for the mock's full usage,
 * cached tokens included (issue 9: the contrib span alone would be priced as if nothing was cached).
 * The other instrumentations (Vercel AI SDK, Traceloop, OpenInference) and `openai@latest` at
 * today's `latest`: instrumentations-latest.test.ts.
 *
 * Needs the registry (npm install) and, for 3.x, the Node 22/24 binaries .ci/run installs under
 * ~/.cache/otel-llm-cost/node. Missing binaries skip outside CI and fail with CI set.
 */
import { existsSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { calcPrice } from '@pydantic/genai-prices';
import { startMockLLM, usageDirective, type MockLLM } from '../../examples/mock-llm/index.js';
import { ATTR_COST_UNPRICED_REASON, ATTR_COST_USD } from '../../src/attributes.js';
import { startOtlpReceiver, type OtlpReceiver } from '../support/otlp-receiver.js';
import { markedBlock } from '../support/readme-blocks.js';
import {
  IN_CI,
  nodeBinary,
  packedFiles,
  prepareFixtureApp,
  runApp,
  versionsInTree,
  type AppRun,
  type FixtureApp,
} from './fixture-app.js';

const USAGE = { input: 2500, cached: 1920, output: 150 };
const MODEL = 'gpt-4o-mini';

/** A CommonJS app (the package is `"type": "commonjs"`, as `npm init` makes it). */
const APP_CJS = `const OpenAI = require('openai');
console.log('node', process.version);
const client = new OpenAI({ baseURL: process.env.MOCK_OPENAI_BASE_URL, apiKey: 'test-key' });
client.chat.completions
  .create({ model: '${MODEL}', messages: [{ role: 'user', content: ${JSON.stringify(usageDirective(USAGE))} }] })
  .then((r) => console.log('usage', JSON.stringify(r.usage)));
`;
/** The same app as an ES module. */
const APP_ESM = `import OpenAI from 'openai';
console.log('node', process.version);
const client = new OpenAI({ baseURL: process.env.MOCK_OPENAI_BASE_URL, apiKey: 'test-key' });
const r = await client.chat.completions.create({ model: '${MODEL}', \
messages: [{ role: 'user', content: ${JSON.stringify(usageDirective(USAGE))} }] });
console.log('usage', JSON.stringify(r.usage));
`;
/** An app with its own LLM span, for the wiring block (which registers no instrumentation). */
const APP_MANUAL = `import { trace } from '@opentelemetry/api';
console.log('node', process.version);
trace.getTracer('compat').startSpan('chat ${MODEL}', { attributes: {
  'gen_ai.operation.name': 'chat', 'gen_ai.provider.name': 'openai', 'gen_ai.request.model': '${MODEL}',
  'gen_ai.usage.input_tokens': ${USAGE.input}, 'gen_ai.usage.cache_read.input_tokens': ${USAGE.cached},
  'gen_ai.usage.output_tokens': ${USAGE.output} } }).end();
`;

interface Form {
  name: string;
  files: Record<string, string>;
  args: string[];
}

const FORMS: Form[] = [
  {
    name: 'ES module setup (node --import ./otel.mjs app.js)',
    files: { 'otel.mjs': markedBlock('quickstart'), 'app.js': APP_CJS },
    args: ['--import', './otel.mjs', 'app.js'],
  },
  {
    name: 'CommonJS setup (node -r ./otel.cjs app.js)',
    files: { 'otel.cjs': markedBlock('quickstart-commonjs'), 'app.js': APP_CJS },
    args: ['-r', './otel.cjs', 'app.js'],
  },
  {
    name: 'ESM app with the loader hook',
    files: { 'otel.mjs': markedBlock('quickstart'), 'app.mjs': APP_ESM },
    args: ['--import', './otel.mjs', '--experimental-loader=@opentelemetry/instrumentation/hook.mjs', 'app.mjs'],
  },
  {
    name: 'the "wiring it yourself" block',
    files: { 'wiring.mjs': markedBlock('wiring-yourself'), 'manual.mjs': APP_MANUAL },
    args: ['--import', './wiring.mjs', 'manual.mjs'],
  },
];

interface Line {
  name: string;
  /** What the README's install line installs beside the tarball, as `npm install` specs. */
  specs: string[];
  /** SDK version prefix the line must have installed. */
  sdkNode: RegExp;
  /** Instrumentation scope of the OpenAI call's span. */
  scope: string;
  runtimes: Array<{ label: string; node: string | undefined; version: string }>;
}

const node22 = nodeBinary('22');
const node24 = nodeBinary('24');
const LINES: Line[] = [
  {
    name: 'otel3',
    specs: ['@opentelemetry/sdk-node@latest', '@opentelemetry/instrumentation-openai@latest', 'openai@6'],
    sdkNode: /^0\.3\d\d\./,
    scope: '@opentelemetry/instrumentation-openai',
    runtimes: [
      { label: 'Node 22', node: node22.path, version: node22.version },
      { label: 'Node 24', node: node24.path, version: node24.version },
    ],
  },
  {
    name: 'otel3-openai7',
    specs: ['@opentelemetry/sdk-node@latest', '@opentelemetry/instrumentation-openai@latest', 'openai@7'],
    sdkNode: /^0\.3\d\d\./,
    scope: 'otel-llm-cost/instrumentation-openai',
    runtimes: [{ label: 'Node 22', node: node22.path, version: node22.version }],
  },
  {
    name: 'otel2',
    specs: ['@opentelemetry/sdk-node@0.223', '@opentelemetry/instrumentation-openai@0.21', 'openai@6'],
    sdkNode: /^0\.223\./,
    scope: '@opentelemetry/instrumentation-openai',
    runtimes: [
      {
        label: `Node ${process.versions.node}`,
        node: process.versions.node.startsWith('20.') ? process.execPath : undefined,
        version: '20.x',
      },
    ],
  },
];

let mock: MockLLM;
let receiver: OtlpReceiver;
beforeAll(async () => {
  mock = await startMockLLM();
  receiver = await startOtlpReceiver();
});
afterAll(async () => {
  await receiver?.close();
  await mock?.close();
});

function run(node: string, cwd: string, args: string[]): Promise<AppRun> {
  return runApp(node, cwd, args, {
    OTEL_EXPORTER_OTLP_ENDPOINT: receiver.url,
    OTEL_LOG_LEVEL: 'error',
    MOCK_OPENAI_BASE_URL: mock.openaiBaseURL,
  });
}

describe('the npm tarball', () => {
  it('ships the docs the README and the CLI link to, and says where the project lives', () => {
    const files = packedFiles();
    for (const f of [
      'dist/index.js',
      'dist/index.cjs',
      'dist/cli.js',
      'README.md',
      'LICENSE',
      'docs/metrics.md',
      'docs/processor.md',
      'docs/pricing.md',
    ]) {
      expect(files).toContain(f);
    }
    // Every relative docs/ link in the README resolves inside the tarball.
    const readme = readFileSync(join(import.meta.dirname, '..', '..', 'README.md'), 'utf8');
    for (const [, link] of readme.matchAll(/\]\((docs\/[^)#]+)/g)) expect(files, link).toContain(link);
    // So does every docs/ page the CLI names in its output.
    const cli = readFileSync(join(import.meta.dirname, '..', '..', 'src', 'cli.ts'), 'utf8');
    for (const [page] of cli.matchAll(/docs\/[\w-]+\.md/g)) expect(files, page).toContain(page);
    // npm links the package page to the repository, and resolves the README's relative links there.
    const pkg = JSON.parse(readFileSync(join(import.meta.dirname, '..', '..', 'package.json'), 'utf8')) as Record<
      string,
      any
    >;
    expect(pkg.repository).toEqual({ type: 'git', url: 'git+https://github.com/otel-llm-cost/otel-llm-cost.git' });
    expect(pkg.homepage).toBe('https://github.com/otel-llm-cost/otel-llm-cost#readme');
    expect(pkg.bugs).toEqual({ url: 'https://github.com/otel-llm-cost/otel-llm-cost/issues' });
  });
});

for (const line of LINES) {
  const missing = line.runtimes.filter((r) => r.node === undefined);
  const skip = missing.length > 0 && !IN_CI;
  if (skip) {
    console.warn(
      `test/compat: ${line.name} skipped: ${missing.map((r) => r.label).join(', ')} not installed ` +
        '(.ci/run installs them)',
    );
  }
  describe.skipIf(skip)(`OpenTelemetry JS line ${line.name}, installed from the tarball`, () => {
    let app: FixtureApp;
    beforeAll(() => {
      for (const r of line.runtimes) {
        if (r.node === undefined)
          throw new Error(`${r.label} (${r.version}) is not installed and CI is set: run .ci/run`);
      }
      app = prepareFixtureApp(line.name, line.specs, line.runtimes[0]!.node!);
      console.log(`test/compat ${line.name}: ${JSON.stringify(app.versions)}`);
    }, 600_000);

    it('resolves one SDK: no invalid or missing peers, one trace SDK copy, nothing nested under otel-llm-cost', () => {
      expect(app.versions['@opentelemetry/sdk-node']).toMatch(line.sdkNode);
      expect(app.tree.problems ?? []).toEqual([]);
      expect([...versionsInTree(app.tree, '@opentelemetry/sdk-trace')]).toHaveLength(1);
      expect([...versionsInTree(app.tree, '@opentelemetry/sdk-metrics')]).toHaveLength(1);
      expect(existsSync(join(app.dir, 'node_modules', 'otel-llm-cost', 'node_modules'))).toBe(false);
    });

    for (const runtime of line.runtimes) {
      for (const form of FORMS) {
        it(`${runtime.label}: ${form.name} exports the priced span as written`, async () => {
          for (const [file, text] of Object.entries(form.files)) writeFileSync(join(app.dir, file), text);
          const before = receiver.spans().length;
          const out = await run(runtime.node!, app.dir, form.args);
          expect(out.code, out.stderr).toBe(0);
          expect(out.stdout).toContain(`node v${runtime.version.replace('.x', '.')}`);
          await receiver.waitFor((r) => r.spans().length > before, 10_000).catch(() => undefined);
          const span = receiver
            .spans()
            .slice(before)
            .find((s) => s.attributes['gen_ai.request.model'] === MODEL);
          expect(
            span,
            `${out.stdout}\n${out.stderr}\nspans: ${JSON.stringify(
              receiver
                .spans()
                .slice(before)
                .map((s) => s.name),
            )}`,
          ).toBeDefined();
          const oracle = calcPrice(
            { input_tokens: USAGE.input, cache_read_tokens: USAGE.cached, output_tokens: USAGE.output },
            MODEL,
            { providerId: 'openai' },
          );
          expect(oracle).not.toBeNull();
          expect(span!.attributes[ATTR_COST_UNPRICED_REASON]).toBeUndefined();
          expect(span!.attributes[ATTR_COST_USD]).toBeCloseTo(oracle!.total_price, 12);
          if (form.name.includes('wiring')) return;
          expect(span!.scope).toBe(line.scope);
          expect(span!.attributes['gen_ai.usage.cache_read.input_tokens']).toBe(USAGE.cached);
          expect(span!.resource['service.name']).toBe('my-llm-app');
        });
      }
    }
  });
}
