/**
 * Real instrumentations against the mock LLM server, for tests that need the spans real packages
 * produce (see docs/instrumentations.md for what each one records).
 *
 *   const llm = await startMockLLM();
 *   const h = await setupOtelOpenAI({ spanProcessors: [new CostSpanProcessor()] });
 *   const client = new h.OpenAI({ baseURL: llm.openaiBaseURL, apiKey: 'test' });
 *   await client.chat.completions.create({ model: 'gpt-4o', messages: [...] });
 *   const [span] = h.getSpans();
 *   await h.shutdown();
 *
 * or in one call: `await runScenario('otel-openai.chat.stream', { llm, usage: { input: 1000 } })`.
 *
 * Module loading: instrumentations patch the CommonJS `require` (require-in-the-middle), and only
 * modules required AFTER the instrumentation is enabled. Under vitest an `import 'openai'` is
 * resolved by Node's ESM loader to `index.mjs` and is never patched, so every setup loads its SDK
 * with `createRequire(import.meta.url)` after enabling the instrumentation, and first evicts the
 * SDK's files from `require.cache`: each harness gets its own fresh, patched copy of the SDK,
 * whatever an earlier harness in the same process did. Use the classes a harness returns, never
 * an imported `openai`/`@anthropic-ai/sdk` (type-only imports are fine).
 *
 * Context: parent/child links need a global context manager; the first setup installs an
 * AsyncLocalStorage one for the whole process (never removed). No global tracer provider is
 * registered: instrumentations and the Vercel AI SDK are handed this harness's provider, so
 * several harnesses may live side by side.
 */
import { createRequire } from 'node:module';
import { context, metrics, type MeterProvider, type Tracer } from '@opentelemetry/api';
import { AsyncLocalStorageContextManager } from '@opentelemetry/context-async-hooks';
import type { Instrumentation } from '@opentelemetry/instrumentation';
import {
  InMemorySpanExporter,
  SimpleSpanProcessor,
  type ReadableSpan,
  type SpanLimits,
  type SpanProcessor,
} from '@opentelemetry/sdk-trace-base';
import { NodeTracerProvider } from '@opentelemetry/sdk-trace-node';
import type OpenAIDefault from 'openai';
import type AnthropicDefault from '@anthropic-ai/sdk';
import type { MockLLM } from '../../examples/mock-llm/index.js';
import { usageDirective, type MockDirective } from '../../examples/mock-llm/usage.js';

const require = createRequire(import.meta.url);

export interface HarnessOptions {
  /**
   * Processors placed before the in-memory exporter's SimpleSpanProcessor, in this order
   * (e.g. the CostSpanProcessor under test, so the exporter sees what it wrote). They are shut
   * down by `shutdown()`. Default none.
   */
  spanProcessors?: SpanProcessor[];
  /** Given to the instrumentation (contrib OpenAI records `gen_ai.client.*` metrics). Default: the global no-op. */
  meterProvider?: MeterProvider;
  /** The tracer provider's span limits (e.g. `attributeCountLimit`). Default: the SDK's (128 attributes). */
  spanLimits?: SpanLimits;
}

export interface Harness {
  provider: NodeTracerProvider;
  exporter: InMemorySpanExporter;
  /** A tracer from this provider (for manual parent spans, or the Vercel AI SDK). */
  tracer: Tracer;
  /** Finished spans in end order (children before their parents). */
  getSpans(): ReadableSpan[];
  /** Forgets finished spans. */
  reset(): void;
  /** Disables the instrumentation, flushes and shuts the provider (and the given processors) down. Idempotent. */
  shutdown(): Promise<void>;
}

let contextManagerInstalled = false;
function ensureContextManager(): void {
  if (contextManagerInstalled) return;
  // false when someone else already installed one, which is just as good.
  context.setGlobalContextManager(new AsyncLocalStorageContextManager().enable());
  contextManagerInstalled = true;
}

/** Requires `pkg` anew: drops every cached file of the package, so require hooks see it load. */
function requireFresh<T>(pkg: string): T {
  // `${pkg}/package.json` is not in these packages' `exports`: climb from the entry point instead.
  const main = require.resolve(pkg);
  const root = main.slice(0, main.lastIndexOf(`/node_modules/${pkg}/`) + `/node_modules/${pkg}`.length);
  for (const file of Object.keys(require.cache)) {
    if (file.startsWith(`${root}/`)) delete require.cache[file];
  }
  return require(pkg) as T;
}

function createHarness(options: HarnessOptions, instrumentation?: Instrumentation): Harness {
  ensureContextManager();
  const exporter = new InMemorySpanExporter();
  const provider = new NodeTracerProvider({
    spanProcessors: [...(options.spanProcessors ?? []), new SimpleSpanProcessor(exporter)],
    ...(options.spanLimits !== undefined ? { spanLimits: options.spanLimits } : {}),
  });
  if (instrumentation) {
    instrumentation.setTracerProvider(provider);
    // Always set (as registerInstrumentations does): the contrib OpenAI instrumentation declares its
    // histograms as class fields, which reset what the base constructor created, so without this
    // call they stay undefined and streamed calls throw `Cannot read properties of undefined (reading 'record')`.
    instrumentation.setMeterProvider(options.meterProvider ?? metrics.getMeterProvider());
    instrumentation.enable();
  }
  let down: Promise<void> | undefined;
  return {
    provider,
    exporter,
    tracer: provider.getTracer('instrumentation-harness'),
    getSpans: () => exporter.getFinishedSpans(),
    reset: () => exporter.reset(),
    shutdown() {
      down ??= (async () => {
        instrumentation?.disable();
        await provider.forceFlush();
        await provider.shutdown();
      })();
      return down;
    },
  };
}

/** `@opentelemetry/instrumentation-openai` (contrib) + a fresh `openai`. */
export interface OtelOpenAIHarness extends Harness {
  OpenAI: typeof OpenAIDefault;
  instrumentation: Instrumentation;
}

export async function setupOtelOpenAI(options: HarnessOptions = {}): Promise<OtelOpenAIHarness> {
  const { OpenAIInstrumentation } = await import('@opentelemetry/instrumentation-openai');
  const instrumentation = new OpenAIInstrumentation({ enabled: false });
  const harness = createHarness(options, instrumentation);
  const { OpenAI } = requireFresh<typeof import('openai')>('openai');
  return { ...harness, OpenAI, instrumentation };
}

/** `@arizeai/openinference-instrumentation-openai` + a fresh `openai`. */
export interface OpenInferenceOpenAIHarness extends Harness {
  OpenAI: typeof OpenAIDefault;
  instrumentation: Instrumentation;
}

export async function setupOpenInferenceOpenAI(options: HarnessOptions = {}): Promise<OpenInferenceOpenAIHarness> {
  const { OpenAIInstrumentation } = await import('@arizeai/openinference-instrumentation-openai');
  const instrumentation = new OpenAIInstrumentation({ instrumentationConfig: { enabled: false } });
  const harness = createHarness(options, instrumentation as unknown as Instrumentation);
  const { OpenAI } = requireFresh<typeof import('openai')>('openai');
  return { ...harness, OpenAI, instrumentation: instrumentation as unknown as Instrumentation };
}

/** `@traceloop/instrumentation-anthropic` + a fresh `@anthropic-ai/sdk`. */
export interface TraceloopAnthropicHarness extends Harness {
  Anthropic: typeof AnthropicDefault;
  instrumentation: Instrumentation;
}

export async function setupTraceloopAnthropic(options: HarnessOptions = {}): Promise<TraceloopAnthropicHarness> {
  const { AnthropicInstrumentation } = await import('@traceloop/instrumentation-anthropic');
  // traceContent: false keeps prompts and replies off the spans (default true).
  const instrumentation = new AnthropicInstrumentation({ enabled: false, traceContent: false });
  const harness = createHarness(options, instrumentation as unknown as Instrumentation);
  const { Anthropic } = requireFresh<typeof import('@anthropic-ai/sdk')>('@anthropic-ai/sdk');
  return { ...harness, Anthropic, instrumentation: instrumentation as unknown as Instrumentation };
}

/** Vercel AI SDK 6: no patching, spans come from `experimental_telemetry: harness.telemetry`. */
export interface VercelAIHarness extends Harness {
  ai: typeof import('ai');
  createOpenAI: typeof import('@ai-sdk/openai').createOpenAI;
  createAnthropic: typeof import('@ai-sdk/anthropic').createAnthropic;
  /**
   * Pass as `experimental_telemetry`. The tracer is named `ai`, the scope the SDK uses when given
   * no tracer; inputs and outputs are recorded as by default (`ai.response.providerMetadata`,
   * which carries the service tier and Anthropic's raw usage, is an output).
   */
  telemetry: { isEnabled: true; tracer: Tracer };
}

export async function setupVercelAI(options: HarnessOptions = {}): Promise<VercelAIHarness> {
  const harness = createHarness(options);
  const [ai, { createOpenAI }, { createAnthropic }] = await Promise.all([
    import('ai'),
    import('@ai-sdk/openai'),
    import('@ai-sdk/anthropic'),
  ]);
  return {
    ...harness,
    ai,
    createOpenAI,
    createAnthropic,
    telemetry: { isEnabled: true, tracer: harness.provider.getTracer('ai') },
  };
}

// ---------------------------------------------------------------------------------------------
// Scenarios: one real SDK call each, through one instrumentation, against the mock.

export const SCENARIO_IDS = [
  'otel-openai.chat',
  'otel-openai.chat.stream',
  'otel-openai.responses',
  'otel-openai.responses.stream',
  'openinference-openai.chat',
  'openinference-openai.chat.stream',
  'openinference-openai.responses',
  'traceloop-anthropic.messages',
  'traceloop-anthropic.messages.stream',
  'traceloop-anthropic.messages.sdk-stream',
  'vercel-openai.responses.generateText',
  'vercel-openai.responses.streamText',
  'vercel-openai.chat.generateText',
  'vercel-openai.chat.streamText',
  'vercel-anthropic.generateText',
  'vercel-anthropic.streamText',
] as const;
export type ScenarioId = (typeof SCENARIO_IDS)[number];

export interface ScenarioOptions extends HarnessOptions {
  llm: MockLLM;
  /** Usage the mock reports (semconv totals, see examples/mock-llm/usage.ts). Default: the mock's default. */
  usage?: MockDirective;
  /** Requested model. Default `gpt-4o` for OpenAI scenarios, `claude-sonnet-4-5` for Anthropic ones. */
  model?: string;
}

export interface ScenarioResult {
  /** Every finished span of the call, in end order. */
  spans: ReadableSpan[];
  /** The reply text the SDK handed back (proves the SDK parsed the mock's answer). */
  text: string;
}

/**
 * Sets up the scenario's harness, makes one call with `usage` embedded in the prompt, waits for
 * the spans, shuts the harness down and returns what was recorded.
 */
export async function runScenario(id: ScenarioId, options: ScenarioOptions): Promise<ScenarioResult> {
  const { llm } = options;
  const family = id.split('.')[0];
  const isAnthropic = family === 'traceloop-anthropic' || family === 'vercel-anthropic';
  const model = options.model ?? (isAnthropic ? 'claude-sonnet-4-5' : 'gpt-4o');
  const prompt = `Say hello. ${usageDirective(options.usage ?? {})}`;
  const stream = id.endsWith('.stream') || id.endsWith('streamText') || id.endsWith('sdk-stream');
  let text = '';

  if (family === 'otel-openai' || family === 'openinference-openai') {
    const h = family === 'otel-openai' ? await setupOtelOpenAI(options) : await setupOpenInferenceOpenAI(options);
    try {
      const client = new h.OpenAI({ baseURL: llm.openaiBaseURL, apiKey: 'test', maxRetries: 0 });
      if (id.includes('.responses')) {
        if (stream) {
          const events = await client.responses.create({ model, input: prompt, stream: true });
          for await (const e of events) if (e.type === 'response.output_text.delta') text += e.delta;
        } else {
          text = (await client.responses.create({ model, input: prompt })).output_text;
        }
      } else if (stream) {
        const chunks = await client.chat.completions.create({
          model,
          messages: [{ role: 'user', content: prompt }],
          stream: true,
          stream_options: { include_usage: true },
        });
        for await (const c of chunks) text += c.choices[0]?.delta.content ?? '';
      } else {
        const res = await client.chat.completions.create({ model, messages: [{ role: 'user', content: prompt }] });
        text = res.choices[0]?.message.content ?? '';
      }
      await settle(h);
      return { spans: h.getSpans(), text };
    } finally {
      await h.shutdown();
    }
  }

  if (family === 'traceloop-anthropic') {
    const h = await setupTraceloopAnthropic(options);
    try {
      const client = new h.Anthropic({ baseURL: llm.anthropicBaseURL, apiKey: 'test', maxRetries: 0 });
      const params = { model, max_tokens: 256, messages: [{ role: 'user' as const, content: prompt }] };
      if (id.endsWith('sdk-stream')) {
        text = (await client.messages.stream(params).finalMessage()).content
          .map((b) => (b.type === 'text' ? b.text : ''))
          .join('');
      } else if (stream) {
        const events = await client.messages.create({ ...params, stream: true });
        for await (const e of events) {
          if (e.type === 'content_block_delta' && e.delta.type === 'text_delta') text += e.delta.text;
        }
      } else {
        const msg = await client.messages.create(params);
        text = msg.content.map((b) => (b.type === 'text' ? b.text : '')).join('');
      }
      await settle(h);
      return { spans: h.getSpans(), text };
    } finally {
      await h.shutdown();
    }
  }

  const h = await setupVercelAI(options);
  try {
    const languageModel =
      family === 'vercel-anthropic'
        ? h.createAnthropic({ baseURL: llm.anthropicV1BaseURL, apiKey: 'test' })(model)
        : id.includes('.chat.')
          ? h.createOpenAI({ baseURL: llm.openaiBaseURL, apiKey: 'test' }).chat(model)
          : h.createOpenAI({ baseURL: llm.openaiBaseURL, apiKey: 'test' })(model);
    const call = { model: languageModel, prompt, maxRetries: 0, experimental_telemetry: h.telemetry };
    if (stream) {
      const result = h.ai.streamText(call);
      for await (const part of result.textStream) text += part;
      await result.usage;
    } else {
      text = (await h.ai.generateText(call)).text;
    }
    await settle(h);
    return { spans: h.getSpans(), text };
  } finally {
    await h.shutdown();
  }
}

/**
 * Streams are ended by the instrumentation after the SDK has handed out the last chunk, sometimes
 * a few ticks later (OpenInference reads a tee'd copy of the stream): wait until no more spans
 * arrive for a short while.
 */
async function settle(h: Harness, quietMs = 20, maxMs = 2000): Promise<void> {
  const start = Date.now();
  let count = -1;
  while (Date.now() - start < maxMs) {
    const now = h.getSpans().length;
    if (now === count && now > 0) return;
    count = now;
    await new Promise((resolve) => setTimeout(resolve, quietMs));
  }
}
