/**
 * OpenAIUsageInstrumentation with the real `openai` 6 and 7, the real contrib
 * `@opentelemetry/instrumentation-openai` (0.21, covers openai < 7) and OpenInference, against
 * the mock server, through the real CostSpanProcessor with its default (embedded genai-prices)
 * table. Expected costs come from genai-prices' own `calcPrice` for the full usage.
 *
 * What a user relies on:
 * - openai 6 + contrib: one span (contrib's) per call, now with cached and reasoning tokens, so
 *   the cost is exact, whichever of the two instrumentations was enabled first;
 * - openai 7 + contrib: contrib makes no span; ours is the one span per call, priced exactly,
 *   and one diag warning says why;
 * - an instrumentation that covers the call (OpenInference) keeps it: no second span;
 * - without our companion, a contrib span says its cost is an upper bound.
 */
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import {
  context,
  diag,
  DiagLogLevel,
  SpanKind,
  SpanStatusCode,
  trace,
  TraceFlags,
  type DiagLogger,
} from '@opentelemetry/api';
import { AsyncLocalStorageContextManager } from '@opentelemetry/context-async-hooks';
import type { Instrumentation } from '@opentelemetry/instrumentation';
import { MeterProvider } from '@opentelemetry/sdk-metrics';
import { InMemorySpanExporter, SimpleSpanProcessor, type ReadableSpan } from '@opentelemetry/sdk-trace-base';
import { NodeTracerProvider } from '@opentelemetry/sdk-trace-node';
import { calcPrice } from '@pydantic/genai-prices';
import type OpenAIDefault from 'openai';
import { startMockLLM, type MockLLM } from '../../examples/mock-llm/index.js';
import { usageDirective, type MockDirective } from '../../examples/mock-llm/usage.js';
import { ATTR_COST_CACHE_DETAIL, ATTR_COST_USD } from '../../src/attributes.js';
import { OpenAIUsageInstrumentation } from '../../src/instrumentation/openai/openai-usage-instrumentation.js';
import { resetUncoveredWarning } from '../../src/instrumentation/openai/uncovered-instrumentations.js';
import { METRIC_CACHE_DETAIL_UNREPORTED } from '../../src/metrics/instruments.js';
import { CostMetrics } from '../../src/metrics/cost-metrics.js';
import { CostSpanProcessor } from '../../src/processor/cost-span-processor.js';
import { collectMetrics, sumMetric, TestReader } from '../support/metric-reader.js';
import { openaiVersion, requireOpenAIFresh, type OpenAIMajor } from '../support/openai-versions.js';

type Kind = 'chat' | 'chat.stream' | 'responses' | 'responses.stream';
const KINDS: Kind[] = ['chat', 'chat.stream', 'responses', 'responses.stream'];
type Name = 'ours' | 'contrib' | 'openinference';

/** The figure: gpt-4o, 1,920 cached of 2,500 input, 150 output. */
const CACHED_CALL = { model: 'gpt-4o', usage: { input: 2500, cached: 1920, output: 150, reasoning: 0 } };
/** A reasoning model: 640 of 900 output tokens are reasoning. */
const REASONING_CALL = { model: 'o4-mini', usage: { input: 2000, cached: 1024, output: 900, reasoning: 640 } };

function oracle(model: string, u: { input: number; cached: number; output: number }): number {
  const price = calcPrice({ input_tokens: u.input, cache_read_tokens: u.cached, output_tokens: u.output }, model, {
    providerId: 'openai',
  });
  expect(price, `genai-prices knows ${model}`).not.toBeNull();
  return price!.total_price;
}

let llm: MockLLM;
const warnings: string[] = [];
const logger: DiagLogger = {
  error: (m: string) => void warnings.push(`error: ${m}`),
  // Ignored: InstrumentationBase's note that `openai` was loaded before it was enabled, which
  // here is an earlier test's copy (each setup requires a fresh one after enabling).
  warn: (m: string, ...args: unknown[]) =>
    void (/has been loaded before/.test([m, ...args].join(' ')) || warnings.push(m)),
  info() {},
  debug() {},
  verbose() {},
};

beforeAll(async () => {
  context.setGlobalContextManager(new AsyncLocalStorageContextManager().enable());
  llm = await startMockLLM({ firstChunkDelayMs: 5 });
});
afterAll(async () => {
  await llm.close();
});

interface Setup {
  OpenAI: typeof OpenAIDefault;
  provider: NodeTracerProvider;
  spans(): ReadableSpan[];
  reader: TestReader;
  shutdown(): Promise<void>;
}
let current: Setup | undefined;
afterEach(async () => {
  await current?.shutdown();
  current = undefined;
  diag.disable();
  warnings.length = 0;
});

/** Instrumentations enabled in the given order, then a fresh `openai` of that major. */
async function setup(major: OpenAIMajor, names: Name[], companion: { createSpans?: boolean } = {}): Promise<Setup> {
  diag.setLogger(logger, DiagLogLevel.WARN);
  resetUncoveredWarning();
  const reader = new TestReader();
  const meterProvider = new MeterProvider({ readers: [reader] });
  const exporter = new InMemorySpanExporter();
  const provider = new NodeTracerProvider({
    spanProcessors: [
      new CostSpanProcessor({ recorder: new CostMetrics({ meterProvider }) }),
      new SimpleSpanProcessor(exporter),
    ],
  });
  const instrumentations: Instrumentation[] = [];
  for (const name of names) {
    let instrumentation: Instrumentation;
    if (name === 'ours') instrumentation = new OpenAIUsageInstrumentation({ enabled: false, ...companion });
    else if (name === 'contrib') {
      const { OpenAIInstrumentation } = await import('@opentelemetry/instrumentation-openai');
      instrumentation = new OpenAIInstrumentation({ enabled: false });
    } else {
      const { OpenAIInstrumentation } = await import('@arizeai/openinference-instrumentation-openai');
      instrumentation = new OpenAIInstrumentation({
        instrumentationConfig: { enabled: false },
      }) as unknown as Instrumentation;
    }
    instrumentation.setTracerProvider(provider);
    instrumentation.setMeterProvider(meterProvider);
    instrumentation.enable();
    instrumentations.push(instrumentation);
  }
  const { OpenAI } = requireOpenAIFresh(major);
  const setupResult: Setup = {
    OpenAI: OpenAI as unknown as typeof OpenAIDefault,
    provider,
    reader,
    spans: () => exporter.getFinishedSpans(),
    async shutdown() {
      for (const i of instrumentations) i.disable();
      await provider.shutdown();
      await meterProvider.shutdown();
    },
  };
  current = setupResult;
  return setupResult;
}

async function call(s: Setup, kind: Kind, model: string, directive: MockDirective): Promise<void> {
  const client = new s.OpenAI({ baseURL: llm.openaiBaseURL, apiKey: 'test', maxRetries: 0 });
  const prompt = `Say hello. ${usageDirective(directive)}`;
  if (kind === 'responses') {
    await client.responses.create({ model, input: prompt });
  } else if (kind === 'responses.stream') {
    const events = await client.responses.create({ model, input: prompt, stream: true });
    for await (const _ of events) void _;
  } else if (kind === 'chat.stream') {
    const chunks = await client.chat.completions.create({
      model,
      messages: [{ role: 'user', content: prompt }],
      stream: true,
      stream_options: { include_usage: true },
    });
    for await (const _ of chunks) void _;
  } else {
    await client.chat.completions.create({ model, messages: [{ role: 'user', content: prompt }] });
  }
  // Instrumentations end their span in a promise callback after the caller's await resumes.
  let count = -1;
  while (count !== s.spans().length) {
    count = s.spans().length;
    await new Promise((r) => setTimeout(r, 30));
  }
}

function only(s: Setup): ReadableSpan {
  const spans = s.spans();
  expect(spans.map((x) => `${x.instrumentationScope.name} ${x.name}`)).toHaveLength(1);
  return spans[0]!;
}

describe('openai 6 with @opentelemetry/instrumentation-openai: cached and reasoning tokens on its span', () => {
  for (const order of [
    ['ours', 'contrib'],
    ['contrib', 'ours'],
  ] as Name[][]) {
    for (const kind of KINDS) {
      it(`${kind}, enabled ${order.join(' then ')}: one span, priced on the full usage`, async () => {
        const s = await setup(6, order);
        await call(s, kind, CACHED_CALL.model, CACHED_CALL.usage);
        const span = only(s);
        expect(span.instrumentationScope.name).toBe('@opentelemetry/instrumentation-openai');
        expect(span.attributes['gen_ai.usage.input_tokens']).toBe(2500);
        expect(span.attributes['gen_ai.usage.cache_read.input_tokens']).toBe(1920);
        expect(span.attributes['gen_ai.usage.output_tokens']).toBe(150);
        expect(span.attributes['gen_ai.usage.reasoning.output_tokens']).toBe(0);
        const expected = oracle('gpt-4o', CACHED_CALL.usage);
        expect(expected).toBeCloseTo(0.00535, 12); // the figure, from genai-prices
        expect(span.attributes[ATTR_COST_USD]).toBeCloseTo(expected, 12);
        expect(span.attributes[ATTR_COST_CACHE_DETAIL]).toBeUndefined();
        expect(warnings).toEqual([]);
      });
    }
  }

  it('reasoning tokens of a reasoning model land on the span (streamed Responses API)', async () => {
    const s = await setup(6, ['contrib', 'ours']);
    await call(s, 'responses.stream', REASONING_CALL.model, REASONING_CALL.usage);
    const span = only(s);
    expect(span.attributes['gen_ai.usage.reasoning.output_tokens']).toBe(640);
    expect(span.attributes['gen_ai.usage.cache_read.input_tokens']).toBe(1024);
    expect(span.attributes[ATTR_COST_USD]).toBeCloseTo(oracle('o4-mini', REASONING_CALL.usage), 12);
  });
});

describe('openai 7: contrib does not cover it, our instrumentation makes the one GenAI span', () => {
  it('uses a real openai 7 under its own name', () => {
    expect(openaiVersion(7)).toMatch(/^7\./);
  });

  for (const kind of KINDS) {
    it(`${kind}: semconv client span with the full usage, priced exactly`, async () => {
      const s = await setup(7, ['contrib', 'ours']);
      await call(s, kind, REASONING_CALL.model, { ...REASONING_CALL.usage, model: 'o4-mini-2025-04-16' });
      const span = only(s);
      expect(span.instrumentationScope.name).toBe('otel-llm-cost/instrumentation-openai');
      expect(span.name).toBe('chat o4-mini');
      expect(span.kind).toBe(SpanKind.CLIENT);
      expect(span.attributes).toMatchObject({
        'gen_ai.operation.name': 'chat',
        'gen_ai.provider.name': 'openai',
        'gen_ai.request.model': 'o4-mini',
        'gen_ai.response.model': 'o4-mini-2025-04-16',
        'gen_ai.usage.input_tokens': 2000,
        'gen_ai.usage.cache_read.input_tokens': 1024,
        'gen_ai.usage.output_tokens': 900,
        'gen_ai.usage.reasoning.output_tokens': 640,
      });
      expect(span.status.code).toBe(SpanStatusCode.UNSET);
      expect(span.attributes[ATTR_COST_USD]).toBeCloseTo(oracle('o4-mini', REASONING_CALL.usage), 12);
      // The contrib instrumentation is loaded but silent for openai 7: said once, with the version.
      expect(warnings).toHaveLength(1);
      expect(warnings[0]).toContain('@opentelemetry/instrumentation-openai');
      expect(warnings[0]).toContain(`openai ${openaiVersion(7)}`);
    });
  }

  it('warns once however many calls, and the order of enabling does not matter', async () => {
    const s = await setup(7, ['ours', 'contrib']);
    await call(s, 'chat', CACHED_CALL.model, CACHED_CALL.usage);
    await call(s, 'chat.stream', CACHED_CALL.model, CACHED_CALL.usage);
    expect(s.spans().map((x) => x.instrumentationScope.name)).toEqual([
      'otel-llm-cost/instrumentation-openai',
      'otel-llm-cost/instrumentation-openai',
    ]);
    expect(warnings).toHaveLength(1);
  });

  for (const order of [
    ['ours', 'openinference'],
    ['openinference', 'ours'],
  ] as Name[][]) {
    for (const kind of ['chat', 'chat.stream'] as const) {
      const title =
        `steps aside where an instrumentation covers openai 7 (OpenInference), ${kind}, ` +
        `enabled ${order.join(' then ')}: no second span`;
      it(title, async () => {
        const s = await setup(7, order);
        await call(s, kind, CACHED_CALL.model, CACHED_CALL.usage);
        const span = only(s);
        expect(span.instrumentationScope.name).toBe('@arizeai/openinference-instrumentation-openai');
        // OpenInference records the usage of non-streamed calls itself, and none on streamed
        // chat calls: there, only the semconv keys written by our companion price the call.
        expect(span.attributes['llm.token_count.prompt_details.cache_read']).toBe(kind === 'chat' ? 1920 : undefined);
        expect(span.attributes['gen_ai.usage.cache_read.input_tokens']).toBe(1920);
        expect(span.attributes[ATTR_COST_USD]).toBeCloseTo(oracle('gpt-4o', CACHED_CALL.usage), 12);
        expect(warnings, warnings.join('\n')).toEqual([]);
      });
    }
  }

  it('a failed call ends its span with an error and no usage', async () => {
    const s = await setup(7, ['ours']);
    await expect(call(s, 'chat', 'gpt-4o', { status: 429 })).rejects.toThrow();
    await new Promise((r) => setTimeout(r, 50));
    const span = only(s);
    expect(span.status.code).toBe(SpanStatusCode.ERROR);
    expect(span.attributes['error.type']).toBe('RateLimitError');
    expect(span.attributes['gen_ai.usage.input_tokens']).toBeUndefined();
  });

  it('is a child of the agent span around it, not a writer of usage onto it', async () => {
    const s = await setup(7, ['ours']);
    const tracer = s.provider.getTracer('app');
    await tracer.startActiveSpan(
      'invoke_agent support',
      { attributes: { 'gen_ai.operation.name': 'invoke_agent' } },
      async (agent) => {
        await call(s, 'responses', CACHED_CALL.model, CACHED_CALL.usage);
        agent.end();
      },
    );
    const spans = s.spans();
    const chat = spans.find((x) => x.name === 'chat gpt-4o')!;
    const agent = spans.find((x) => x.name === 'invoke_agent support')!;
    expect(chat.parentSpanContext?.spanId).toBe(agent.spanContext().spanId);
    expect(agent.attributes['gen_ai.usage.input_tokens']).toBeUndefined();
    expect(chat.attributes[ATTR_COST_USD]).toBeCloseTo(oracle('gpt-4o', CACHED_CALL.usage), 12);
  });

  it('under a propagated parent (no local span): its span continues the trace; sampled out: no span', async () => {
    const s = await setup(7, ['ours']);
    const remote = { traceId: '0af7651916cd43dd8448eb211c80319c', spanId: 'b7ad6b7169203331', isRemote: true };
    await context.with(trace.setSpanContext(context.active(), { ...remote, traceFlags: TraceFlags.SAMPLED }), () =>
      call(s, 'chat', CACHED_CALL.model, CACHED_CALL.usage),
    );
    const span = only(s);
    expect(span.spanContext().traceId).toBe(remote.traceId);
    expect(span.parentSpanContext?.spanId).toBe(remote.spanId);
    expect(span.attributes[ATTR_COST_USD]).toBeCloseTo(oracle('gpt-4o', CACHED_CALL.usage), 12);

    await context.with(trace.setSpanContext(context.active(), { ...remote, traceFlags: TraceFlags.NONE }), () =>
      call(s, 'chat', CACHED_CALL.model, CACHED_CALL.usage),
    );
    expect(s.spans()).toHaveLength(1);
  });

  it('enabled twice (the setup helper called twice): still one span per call', async () => {
    const s = await setup(7, ['ours', 'ours']);
    await call(s, 'chat.stream', CACHED_CALL.model, CACHED_CALL.usage);
    expect(only(s).attributes[ATTR_COST_USD]).toBeCloseTo(oracle('gpt-4o', CACHED_CALL.usage), 12);
  });

  it('with createSpans: false makes no span of its own', async () => {
    const s = await setup(7, ['contrib', 'ours'], { createSpans: false });
    await call(s, 'chat', CACHED_CALL.model, CACHED_CALL.usage);
    expect(s.spans()).toEqual([]);
    expect(warnings).toHaveLength(1);
    expect(warnings[0]).toContain('createSpans: false');
  });
});

describe('openai 6 with our instrumentation alone', () => {
  it('makes the GenAI span itself when no instrumentation covers the call', async () => {
    const s = await setup(6, ['ours']);
    await call(s, 'chat.stream', CACHED_CALL.model, CACHED_CALL.usage);
    const span = only(s);
    expect(span.instrumentationScope.name).toBe('otel-llm-cost/instrumentation-openai');
    expect(span.attributes['gen_ai.usage.cache_read.input_tokens']).toBe(1920);
    expect(span.attributes[ATTR_COST_USD]).toBeCloseTo(oracle('gpt-4o', CACHED_CALL.usage), 12);
  });
});

describe('without the companion: the contrib span says its cost is an upper bound', () => {
  it('marks gen_ai.cost.cache_detail = "unreported" and counts the call', async () => {
    const s = await setup(6, ['contrib']);
    await call(s, 'chat', CACHED_CALL.model, CACHED_CALL.usage);
    await call(s, 'responses', 'gpt-4o', { input: 100, output: 10 });
    const spans = s.spans();
    expect(spans).toHaveLength(2);
    for (const span of spans) expect(span.attributes[ATTR_COST_CACHE_DETAIL]).toBe('unreported');
    // Priced as if nothing was cached: the upper bound, genai-prices' figure without cache.
    expect(spans[0]!.attributes[ATTR_COST_USD]).toBeCloseTo(oracle('gpt-4o', { ...CACHED_CALL.usage, cached: 0 }), 12);
    expect(spans[0]!.attributes[ATTR_COST_USD]).toBeCloseTo(0.00775, 12);
    const metric = sumMetric(await collectMetrics(s.reader), METRIC_CACHE_DETAIL_UNREPORTED);
    expect(metric.dataPoints.map((p) => [p.attributes['gen_ai.request.model'], p.value])).toEqual([['gpt-4o', 2]]);
  });

  it('does not mark a model without a cache-read price (the figure is exact either way)', async () => {
    const s = await setup(6, ['contrib']);
    await call(s, 'chat', 'gpt-4', { input: 1000, cached: 0, output: 10 });
    const span = only(s);
    expect(span.attributes[ATTR_COST_USD]).toBeCloseTo(oracle('gpt-4', { input: 1000, cached: 0, output: 10 }), 12);
    expect(span.attributes[ATTR_COST_CACHE_DETAIL]).toBeUndefined();
  });
});
