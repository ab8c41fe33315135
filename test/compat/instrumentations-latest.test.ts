/**
 * Today's `latest` of every instrumentation the docs name, installed beside the `npm pack`
 * tarball in a fresh app on OpenTelemetry JS 3.x (`@opentelemetry/sdk-node@latest`) and wired as
 * a user wires it: the README quick start, with the package name swapped for Traceloop's or
 * OpenInference's `OpenAIInstrumentation` (both export that name), and for the Vercel AI SDK the
 * README's AI SDK 7 block after it. One app with `openai@latest`, one with `openai@6` (the newest
 * line Traceloop instruments); each installed once with Node 22 and run on Node 22 and Node 24.
 * Both apps have all three OpenAI instrumentations installed (one install per app); each scenario
 * registers one of them.
 * Every call asks the mock for cached tokens; its span must be priced once, at what genai-prices'
 * `calcPrice` gives for the usage the instrumentation records (cache reads included), or, where
 * docs/instrumentations.md says the cache count is dropped, at the uncached price marked
 * `gen_ai.cost.cache_detail = unreported`. The resolved versions are printed, so the CI log says
 * what `latest` was that day.
 *
 * Needs the registry (npm install) and the Node 22/24 binaries .ci/run installs under
 * ~/.cache/otel-llm-cost/node. Missing binaries skip outside CI and fail with CI set.
 */
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { calcPrice } from '@pydantic/genai-prices';
import { startMockLLM, usageDirective, type MockLLM } from '../../examples/mock-llm/index.js';
import {
  ATTR_COST_CACHE_DETAIL,
  ATTR_COST_ROLLUP_USD,
  ATTR_COST_UNPRICED_REASON,
  ATTR_COST_USD,
} from '../../src/attributes.js';
import { OPENAI_USAGE_INSTRUMENTATION_NAME } from '../../src/instrumentation/openai/openai-usage-instrumentation.js';
import { startOtlpReceiver, type OtlpReceiver, type ReceivedSpan } from '../support/otlp-receiver.js';
import { markedBlock } from '../support/readme-blocks.js';
import { IN_CI, nodeBinary, prepareFixtureApp, runApp, versionsInTree, type FixtureApp } from './fixture-app.js';

const CONTRIB = '@opentelemetry/instrumentation-openai';
const TRACELOOP = '@traceloop/instrumentation-openai';
const OPENINFERENCE = '@arizeai/openinference-instrumentation-openai';
const SDK = ['@opentelemetry/sdk-node@latest', `${CONTRIB}@latest`, `${TRACELOOP}@latest`, `${OPENINFERENCE}@latest`];
const APPS = {
  latest: [...SDK, 'openai@latest', 'ai@latest', '@ai-sdk/openai@latest', '@ai-sdk/otel@latest'],
  openai6: [...SDK, 'openai@6'],
} as const;
type AppName = keyof typeof APPS;

type Api = 'chat' | 'chat.stream' | 'responses' | 'responses.stream';
interface Call {
  api: Api;
  /** One model per call of a scenario: it tells the call's spans apart. */
  model: string;
  /**
   * What the span must be priced at: the full usage, or (`unreported`) as if nothing was cached;
   * `no_usage`: the span carries no usage and says so, unpriced.
   */
  expect: 'exact' | 'unreported' | 'no_usage';
}

interface Scenario {
  name: string;
  app: AppName;
  /** The setup module (`otel.mjs`), loaded with `--import`. */
  setup: () => string;
  /** The app: `app.js` (CommonJS, `openai`) or `app.mjs` (the AI SDK is ESM only). */
  file: 'app.js' | 'app.mjs';
  calls: Call[];
  /** Scope of the span that must carry the cost: the instrumentation's, or ours where it made none. */
  scopes: string[];
}

const USAGE = { input: 2500, cached: 1920, output: 150 };

/** The README quick start with `OpenAIInstrumentation` taken from `pkg` and the helper's options. */
function quickStart(pkg: string, options = ''): string {
  const block = markedBlock('quickstart');
  expect(block).toContain(`from '${CONTRIB}'`);
  expect(block).toContain('llmCostNodeSDKOptions()');
  return block
    .replace(`from '${CONTRIB}'`, `from '${pkg}'`)
    .replace('llmCostNodeSDKOptions()', `llmCostNodeSDKOptions(${options})`);
}

/** The quick start followed by the README's AI SDK 7 block (whose `sdk.start()` it already has). */
function aiSdk7Setup(): string {
  const block = markedBlock('ai-sdk-7');
  expect(block).toMatch(/^sdk\.start\(\);$/m);
  expect(block).toContain('registerTelemetry(');
  return `${quickStart(CONTRIB)}\n${block.replace(/^sdk\.start\(\);\n/m, '')}`;
}

function prompt(): string {
  return JSON.stringify(`Say hello. ${usageDirective(USAGE)}`);
}

/** A CommonJS app making `calls` with the `openai` client, one after the other. */
function openaiApp(calls: Call[]): string {
  const body = calls.map(({ api, model }) => {
    const messages = `[{ role: 'user', content: ${prompt()} }]`;
    switch (api) {
      case 'chat':
        return `await client.chat.completions.create({ model: '${model}', messages: ${messages} });`;
      case 'chat.stream':
        return (
          `for await (const _ of await client.chat.completions.create({ model: '${model}', messages: ${messages}, ` +
          `stream: true, stream_options: { include_usage: true } }));`
        );
      case 'responses':
        return `await client.responses.create({ model: '${model}', input: ${prompt()} });`;
      case 'responses.stream':
        return (
          `for await (const _ of await client.responses.create({ model: '${model}', input: ${prompt()}, ` +
          'stream: true }));'
        );
    }
  });
  return `const OpenAI = require('openai');
console.log('node', process.version);
const client = new OpenAI({ baseURL: process.env.MOCK_OPENAI_BASE_URL, apiKey: 'test-key' });
(async () => {
${body.join('\n')}
})().catch((err) => { console.error(err); process.exitCode = 1; });
`;
}

/** An ES module app making `calls` with the AI SDK: `chat` with generateText, `chat.stream` with streamText. */
function aiSdkApp(calls: Call[]): string {
  const body = calls.map(({ api, model }) => {
    // `openai(model)` is the Responses API, `openai.chat(model)` Chat Completions.
    const m = api.startsWith('chat') ? `openai.chat('${model}')` : `openai('${model}')`;
    return api.endsWith('.stream')
      ? `for await (const _ of streamText({ model: ${m}, prompt: ${prompt()} }).textStream);`
      : `await generateText({ model: ${m}, prompt: ${prompt()} });`;
  });
  return `import { generateText, streamText } from 'ai';
import { createOpenAI } from '@ai-sdk/openai';
console.log('node', process.version);
const openai = createOpenAI({ baseURL: process.env.MOCK_OPENAI_BASE_URL, apiKey: 'test-key' });
${body.join('\n')}
`;
}

const SCENARIOS: Scenario[] = [
  {
    name: 'Vercel AI SDK (ai, @ai-sdk/openai, @ai-sdk/otel registerTelemetry) generateText and streamText',
    app: 'latest',
    setup: aiSdk7Setup,
    file: 'app.mjs',
    calls: [
      { api: 'responses', model: 'gpt-4o-mini', expect: 'exact' },
      { api: 'responses.stream', model: 'gpt-4o', expect: 'exact' },
      { api: 'chat', model: 'gpt-4.1-mini', expect: 'exact' },
      { api: 'chat.stream', model: 'gpt-4.1', expect: 'exact' },
    ],
    scopes: ['gen_ai'],
  },
  {
    name: `openai@latest with the quick start (${CONTRIB})`,
    app: 'latest',
    setup: () => quickStart(CONTRIB),
    file: 'app.js',
    calls: [
      { api: 'chat', model: 'gpt-4o-mini', expect: 'exact' },
      { api: 'chat.stream', model: 'gpt-4o', expect: 'exact' },
      { api: 'responses', model: 'gpt-4.1-mini', expect: 'exact' },
      { api: 'responses.stream', model: 'gpt-4.1', expect: 'exact' },
    ],
    scopes: [CONTRIB, OPENAI_USAGE_INSTRUMENTATION_NAME],
  },
  {
    name: `${TRACELOOP} with openai@latest`,
    app: 'latest',
    setup: () => quickStart(TRACELOOP),
    file: 'app.js',
    calls: [
      { api: 'chat', model: 'gpt-4o-mini', expect: 'exact' },
      { api: 'chat.stream', model: 'gpt-4o', expect: 'exact' },
    ],
    scopes: [TRACELOOP, OPENAI_USAGE_INSTRUMENTATION_NAME],
  },
  {
    name: `${OPENINFERENCE} with openai@latest`,
    app: 'latest',
    setup: () => quickStart(OPENINFERENCE),
    file: 'app.js',
    calls: [
      { api: 'chat', model: 'gpt-4o-mini', expect: 'exact' },
      { api: 'chat.stream', model: 'gpt-4o', expect: 'exact' },
      { api: 'responses', model: 'gpt-4.1-mini', expect: 'exact' },
    ],
    scopes: [OPENINFERENCE],
  },
  {
    name: `${TRACELOOP} with openai@6`,
    app: 'openai6',
    setup: () => quickStart(TRACELOOP),
    file: 'app.js',
    calls: [
      { api: 'chat', model: 'gpt-4o-mini', expect: 'exact' },
      { api: 'chat.stream', model: 'gpt-4o', expect: 'exact' },
    ],
    scopes: [TRACELOOP],
  },
  {
    name: `${TRACELOOP} with openai@6 and openaiUsage: false (cache detail unreported)`,
    app: 'openai6',
    setup: () => quickStart(TRACELOOP, '{ openaiUsage: false }'),
    file: 'app.js',
    calls: [
      { api: 'chat', model: 'gpt-4o-mini', expect: 'unreported' },
      { api: 'chat.stream', model: 'gpt-4o', expect: 'no_usage' },
    ],
    scopes: [TRACELOOP],
  },
  {
    name: `${OPENINFERENCE} with openai@6`,
    app: 'openai6',
    setup: () => quickStart(OPENINFERENCE),
    file: 'app.js',
    calls: [
      { api: 'chat', model: 'gpt-4o-mini', expect: 'exact' },
      { api: 'chat.stream', model: 'gpt-4o', expect: 'exact' },
    ],
    scopes: [OPENINFERENCE],
  },
  {
    name: `${OPENINFERENCE} with openai@6 and openaiUsage: false (streams unpriced)`,
    app: 'openai6',
    setup: () => quickStart(OPENINFERENCE, '{ openaiUsage: false }'),
    file: 'app.js',
    calls: [
      { api: 'chat', model: 'gpt-4o-mini', expect: 'exact' },
      { api: 'chat.stream', model: 'gpt-4o', expect: 'no_usage' },
    ],
    scopes: [OPENINFERENCE],
  },
];

/** The model a span is about, in whichever convention its instrumentation writes. */
function spanModel(s: ReceivedSpan): unknown {
  const a = s.attributes;
  return a['gen_ai.request.model'] ?? a['gen_ai.response.model'] ?? a['llm.model_name'];
}

const node22 = nodeBinary('22');
const node24 = nodeBinary('24');
const RUNTIMES = [
  { label: 'Node 22', node: node22.path, version: node22.version },
  { label: 'Node 24', node: node24.path, version: node24.version },
];
const missing = RUNTIMES.filter((r) => r.node === undefined);
const skip = missing.length > 0 && !IN_CI;
if (skip) {
  console.warn(
    `test/compat: instrumentations at latest skipped: ${missing.map((r) => r.label).join(', ')} not installed ` +
      '(.ci/run installs them)',
  );
}

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

for (const appName of Object.keys(APPS) as AppName[]) {
  describe.skipIf(skip)(`instrumentations at latest on OpenTelemetry JS 3.x: app ${appName}`, () => {
    let app: FixtureApp;
    beforeAll(() => {
      for (const r of RUNTIMES) {
        if (r.node === undefined)
          throw new Error(`${r.label} (${r.version}) is not installed and CI is set: run .ci/run`);
      }
      app = prepareFixtureApp(`latest-${appName}`, [...APPS[appName]], RUNTIMES[0]!.node!);
      const copies = Object.fromEntries(
        ['@opentelemetry/api', '@opentelemetry/instrumentation', '@opentelemetry/core', 'zod'].map((p) => [
          p,
          [...versionsInTree(app.tree, p)],
        ]),
      );
      console.log(
        `test/compat latest-${appName} resolved: ${JSON.stringify(app.versions)}; copies: ${JSON.stringify(copies)}`,
      );
    }, 600_000);

    it('installs on the 3.x SDK with no invalid or missing peer and one copy of the trace SDK', () => {
      expect(app.versions['@opentelemetry/sdk-node']).toMatch(/^0\.3\d\d\./);
      expect(app.tree.problems ?? []).toEqual([]);
      expect([...versionsInTree(app.tree, '@opentelemetry/sdk-trace')]).toHaveLength(1);
      expect([...versionsInTree(app.tree, '@opentelemetry/sdk-metrics')]).toHaveLength(1);
    });

    for (const runtime of RUNTIMES) {
      for (const scenario of SCENARIOS.filter((s) => s.app === appName)) {
        it(`${runtime.label}: ${scenario.name}`, async () => {
          writeFileSync(join(app.dir, 'otel.mjs'), scenario.setup());
          writeFileSync(
            join(app.dir, scenario.file),
            scenario.file === 'app.mjs' ? aiSdkApp(scenario.calls) : openaiApp(scenario.calls),
          );
          const before = receiver.spans().length;
          const out = await runApp(runtime.node!, app.dir, ['--import', './otel.mjs', scenario.file], {
            OTEL_EXPORTER_OTLP_ENDPOINT: receiver.url,
            OTEL_LOG_LEVEL: 'warn',
            MOCK_OPENAI_BASE_URL: mock.openaiBaseURL,
          });
          const log = `${out.stdout}\n${out.stderr}`;
          expect(out.code, log).toBe(0);
          expect(out.stdout).toContain(`node v${runtime.version}`);
          const models = new Set(scenario.calls.map((c) => c.model));
          await receiver
            .waitFor(
              (r) =>
                [...models].every((m) =>
                  r
                    .spans()
                    .slice(before)
                    .some(
                      (s) =>
                        spanModel(s) === m &&
                        (ATTR_COST_USD in s.attributes || ATTR_COST_UNPRICED_REASON in s.attributes),
                    ),
                ),
              10_000,
            )
            .catch(() => undefined);
          const spans = receiver.spans().slice(before);
          const described = JSON.stringify(spans.map((s) => [s.scope, s.name, spanModel(s)]));
          for (const call of scenario.calls) {
            const mine = spans.filter((s) => spanModel(s) === call.model);
            const priced = mine.filter((s) => ATTR_COST_USD in s.attributes);
            if (call.expect === 'no_usage') {
              expect(priced, `${call.api} ${call.model}: ${described}`).toEqual([]);
              const unpriced = mine.filter((s) => ATTR_COST_UNPRICED_REASON in s.attributes);
              expect(unpriced, `${call.api} ${call.model}: ${described}`).toHaveLength(1);
              expect(unpriced[0]!.scope).toBe(scenario.scopes[0]);
              expect(unpriced[0]!.attributes[ATTR_COST_UNPRICED_REASON]).toBe('no_usage');
              continue;
            }
            // Priced once: no second span for the same call, aggregates get the roll-up only.
            expect(priced, `${call.api} ${call.model}: ${described}\n${log}`).toHaveLength(1);
            const span = priced[0]!;
            expect(scenario.scopes, `${call.api}: ${described}`).toContain(span.scope);
            const oracle = calcPrice(
              call.expect === 'exact'
                ? { input_tokens: USAGE.input, cache_read_tokens: USAGE.cached, output_tokens: USAGE.output }
                : { input_tokens: USAGE.input, output_tokens: USAGE.output },
              call.model,
              { providerId: 'openai' },
            );
            expect(oracle).not.toBeNull();
            expect(span.attributes[ATTR_COST_USD], `${call.api} ${call.model} on ${span.scope}`).toBeCloseTo(
              oracle!.total_price,
              12,
            );
            if (call.expect === 'unreported') expect(span.attributes[ATTR_COST_CACHE_DETAIL]).toBe('unreported');
            else expect(span.attributes[ATTR_COST_CACHE_DETAIL]).toBeUndefined();
            if (span.scope === OPENAI_USAGE_INSTRUMENTATION_NAME) {
              // Ours made the span: the instrumentation the app registered made none, and one
              // warning says so, naming it.
              expect(log).toMatch(new RegExp(`${scenario.scopes[0]!} is (loaded|installed)`));
            }
          }
          if (scenario.app === 'latest' && scenario.file === 'app.mjs') {
            // The AI SDK's invoke_agent spans repeat the usage: they get the roll-up, not a cost.
            const agents = spans.filter((s) => s.attributes['gen_ai.operation.name'] === 'invoke_agent');
            expect(agents, described).toHaveLength(scenario.calls.length);
            for (const a of agents) expect(a.attributes[ATTR_COST_ROLLUP_USD]).toBeGreaterThan(0);
          }
          console.log(`test/compat ${runtime.label} ${scenario.name}: ${described}`);
        });
      }
    }
  });
}
