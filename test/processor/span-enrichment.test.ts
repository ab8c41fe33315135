import { calcPrice, findProvider } from '@pydantic/genai-prices';
import { context, trace, type Attributes, type HrTime } from '@opentelemetry/api';
import { BasicTracerProvider, InMemorySpanExporter, SimpleSpanProcessor } from '@opentelemetry/sdk-trace-base';
import { MeterProvider, type HistogramMetricData } from '@opentelemetry/sdk-metrics';
import { describe, expect, it } from 'vitest';
import { CostMetrics } from '../../src/metrics/cost-metrics.js';
import { TestReader, collectMetrics } from '../support/metric-reader.js';
import { PriceBook } from '../../src/pricing/price-book.js';
import type { PriceEntry } from '../../src/pricing/types.js';
import type { LlmCall, LlmCallRecorder } from '../../src/core/llm-call.js';
import { CostSpanExporter } from '../../src/processor/cost-span-exporter.js';
import { CostSpanProcessor } from '../../src/processor/cost-span-processor.js';

/**
 * What the processor writes on one span and tells the metrics recorder, rule by rule
 * (docs/processor.md): which spans it leaves alone, the reason on an unpriced span, the parts
 * of a priced or reported cost, the duration, the time the call is priced at. Figures come from
 * the entry this file writes or from genai-prices' calcPrice.
 */

const ENTRY: PriceEntry = {
  key: 'fixture-model',
  rates: { input: 2e-6, output: 8e-6, cacheRead: 0.5e-6 },
  source: 'fixture',
};

class Calls implements LlmCallRecorder {
  readonly calls: LlmCall[] = [];
  record(call: LlmCall): void {
    this.calls.push(call);
  }
}

interface SpanSpec {
  name?: string;
  attributes: Attributes;
  start?: HrTime | Date;
  end?: HrTime | Date;
  events?: { name: string; time: HrTime }[];
  scope?: string;
}

/** Ends each span through a real SDK provider with the processor; returns what was exported. */
function run(specs: SpanSpec[], priceBook = new PriceBook({ overrides: [ENTRY], embedded: false })) {
  const recorder = new Calls();
  const exporter = new InMemorySpanExporter();
  const provider = new BasicTracerProvider({
    spanProcessors: [new CostSpanProcessor({ priceBook, recorder }), new SimpleSpanProcessor(exporter)],
  });
  for (const spec of specs) {
    const tracer = provider.getTracer(spec.scope ?? 'test-scope', '1.0.0');
    const span = tracer.startSpan(spec.name ?? 'chat fixture-model', {
      attributes: spec.attributes,
      ...(spec.start !== undefined ? { startTime: spec.start } : {}),
    });
    for (const e of spec.events ?? []) span.addEvent(e.name, e.time);
    span.end(spec.end);
  }
  const spans = exporter.getFinishedSpans();
  return { spans, attrs: spans.map((s) => s.attributes), calls: recorder.calls };
}

const chat = (extra: Attributes = {}): Attributes => ({
  'gen_ai.operation.name': 'chat',
  'gen_ai.request.model': 'fixture-model',
  'gen_ai.usage.input_tokens': 1_000,
  'gen_ai.usage.output_tokens': 100,
  ...extra,
});
const PRICE = 1_000 * 2e-6 + 100 * 8e-6;
const near = (actual: unknown, expected: number) =>
  expect(Math.abs((actual as number) - expected), `${String(actual)} vs ${expected}`).toBeLessThanOrEqual(
    Math.abs(expected) * 1e-11 + 1e-15,
  );

describe('spans the processor leaves alone', () => {
  it.each([
    ['a cost total', { 'gen_ai.usage.cost_usd': 0.5 }],
    ['a cost source', { 'gen_ai.cost.source': 'elsewhere' }],
    ['an unpriced reason', { 'gen_ai.cost.unpriced_reason': 'unknown_model' }],
  ])('a span already carrying %s (enriched by another processor) is not enriched again', (_what, mark) => {
    const { attrs, calls } = run([{ attributes: chat(mark) }]);
    expect(attrs[0]).toEqual(chat(mark));
    expect(calls).toHaveLength(0);
  });

  it('a span with a GenAI marker but neither model nor usage is not an inference span', () => {
    const { attrs, calls } = run([{ name: 'something', attributes: { 'gen_ai.system': 'openai' } }]);
    expect(attrs[0]).toEqual({ 'gen_ai.system': 'openai' });
    expect(calls).toHaveLength(0);
  });
});

describe('why a span is unpriced', () => {
  it('a model without usage: no_usage; usage without a model: no_model; a bad count: invalid_usage', () => {
    const { attrs, calls } = run([
      { attributes: { 'gen_ai.request.model': 'fixture-model' } },
      { attributes: { 'gen_ai.usage.input_tokens': 10, 'gen_ai.usage.output_tokens': 1 } },
      { attributes: chat({ 'gen_ai.usage.output_tokens': -1 }) },
      { attributes: chat({ 'gen_ai.request.model': 'unknown-model' }) },
    ]);
    expect(attrs.map((a) => a['gen_ai.cost.unpriced_reason'])).toEqual([
      'no_usage',
      'no_model',
      'invalid_usage',
      'unknown_model',
    ]);
    for (const a of attrs) {
      expect(a['gen_ai.usage.cost_usd']).toBeUndefined();
      expect(a['gen_ai.cost.input_usd']).toBeUndefined();
    }
    expect(calls.map((c) => c.result.costUsd)).toEqual([null, null, null, null]);
  });
});

describe('a priced span', () => {
  it('gets the total, the source, the key, the match and every part, and the recorder the same call', () => {
    const { attrs, calls } = run([{ attributes: chat({ 'gen_ai.usage.cache_read.input_tokens': 400 }) }]);
    const expected = 600 * 2e-6 + 400 * 0.5e-6 + 100 * 8e-6;
    const a = attrs[0]!;
    near(a['gen_ai.usage.cost_usd'], expected);
    expect(a['gen_ai.cost.source']).toBe('fixture');
    expect(a['gen_ai.cost.pricing_key']).toBe('fixture-model');
    expect(a['gen_ai.cost.match']).toBe('exact');
    near(a['gen_ai.cost.input_usd'], 600 * 2e-6);
    near(a['gen_ai.cost.cache_read_usd'], 400 * 0.5e-6);
    expect(a['gen_ai.cost.cache_write_usd']).toBe(0);
    near(a['gen_ai.cost.output_usd'], 100 * 8e-6);
    expect(a['gen_ai.cost.reported_from']).toBeUndefined();
    expect(a['gen_ai.cost.input_accounting']).toBe('inclusive');
    expect(a['gen_ai.cost.input_accounting_reason']).toBe('semconv');
    expect(calls).toHaveLength(1);
    near(calls[0]!.result.costUsd, expected);
    expect(calls[0]!.operation).toBe('chat');
    expect(calls[0]!.usage).toMatchObject({ model: 'fixture-model', inputTokens: 1_000, cacheReadTokens: 400 });
  });

  it('without cache tokens no input-accounting attribute, without an operation name none recorded', () => {
    const { attrs, calls } = run([{ attributes: chat({ 'gen_ai.operation.name': undefined }) }]);
    expect(attrs[0]!['gen_ai.cost.input_accounting']).toBeUndefined();
    expect(attrs[0]!['gen_ai.cost.input_accounting_reason']).toBeUndefined();
    near(attrs[0]!['gen_ai.usage.cost_usd'], PRICE);
    expect(calls[0]!.operation).toBeUndefined();
  });
});

describe('optional attributes', () => {
  // OpenAI's instrumentations never record cache reads: a call that could have read from the
  // cache is flagged when every input token read from cache would cost less.
  const openai = '@opentelemetry/instrumentation-openai';

  it('flags the cost of an OpenAI-instrumentation call without cache counts as an upper bound', () => {
    const { attrs, calls } = run([
      { attributes: chat(), scope: openai },
      { attributes: chat({ 'gen_ai.usage.cache_read.input_tokens': 0 }), scope: openai },
      { attributes: chat(), scope: 'another-instrumentation' },
    ]);
    expect(attrs.map((a) => a['gen_ai.cost.cache_detail'])).toEqual(['unreported', undefined, undefined]);
    expect(calls.map((c) => c.cacheDetailUnreported)).toEqual([true, undefined, undefined]);
    near(attrs[0]!['gen_ai.usage.cost_usd'], PRICE);
  });

  it("writes other tools' cost attributes only when asked to", () => {
    const priceBook = new PriceBook({ overrides: [ENTRY], embedded: false });
    const exporter = new InMemorySpanExporter();
    const provider = new BasicTracerProvider({
      spanProcessors: [
        new CostSpanProcessor({ priceBook, interop: { openInference: true } }),
        new CostSpanProcessor({ priceBook }),
        new SimpleSpanProcessor(exporter),
      ],
    });
    provider.getTracer('a').startSpan('chat', { attributes: chat() }).end();
    near(exporter.getFinishedSpans()[0]!.attributes['llm.cost.total'], PRICE);
    const plain = run([{ attributes: chat() }]);
    expect(plain.attrs[0]!['llm.cost.total']).toBeUndefined();
  });
});

describe('a reported cost', () => {
  const billed = (extra: Attributes = {}): Attributes =>
    chat({ 'gen_ai.usage.cost': 0.25, 'gen_ai.usage.cost.source': 'provider', ...extra });

  it('a reported total alone gives the total, from its attribute, with no pricing key and no parts', () => {
    const { attrs, calls } = run([{ attributes: billed() }]);
    const a = attrs[0]!;
    expect(a['gen_ai.usage.cost_usd']).toBe(0.25);
    expect(a['gen_ai.cost.source']).toBe('reported');
    expect(a['gen_ai.cost.reported_from']).toBe('gen_ai.usage.cost');
    expect(a['gen_ai.cost.pricing_key']).toBeUndefined();
    expect(a['gen_ai.cost.match']).toBeUndefined();
    for (const part of ['input', 'cache_read', 'cache_write', 'output']) {
      expect(a[`gen_ai.cost.${part}_usd`], part).toBeUndefined();
    }
    expect(calls[0]!.result.costUsd).toBe(0.25);
  });

  it('keeps the prompt/completion split of a trusted OpenInference total when the parts add up to it', () => {
    const priceBook = new PriceBook({ overrides: [ENTRY], embedded: false });
    const recorder = new Calls();
    const exporter = new InMemorySpanExporter();
    const provider = new BasicTracerProvider({
      spanProcessors: [
        new CostSpanProcessor({ priceBook, recorder, trustedCostAttributes: ['llm.cost.total'] }),
        new SimpleSpanProcessor(exporter),
      ],
    });
    const tracer = provider.getTracer('openinference');
    for (const [total, prompt, completion] of [
      [0.3, 0.1, 0.2],
      [0.3, 0.1, 0.1],
      [2, 1.5, 0.5],
      [2, 1.5, 0.5 + 3e-9],
    ] as const) {
      tracer
        .startSpan('llm', {
          attributes: chat({ 'llm.cost.total': total, 'llm.cost.prompt': prompt, 'llm.cost.completion': completion }),
        })
        .end();
    }
    const a = exporter.getFinishedSpans().map((s) => s.attributes);
    expect(a.map((x) => x['gen_ai.usage.cost_usd'])).toEqual([0.3, 0.3, 2, 2]);
    expect(a.map((x) => x['gen_ai.cost.reported_from'])).toEqual(Array(4).fill('llm.cost.total'));
    // Parts that add up (to within float noise, relative to the total): kept as input and output.
    expect(a[0]!['gen_ai.cost.input_usd']).toBe(0.1);
    expect(a[0]!['gen_ai.cost.output_usd']).toBe(0.2);
    expect(a[0]!['gen_ai.cost.cache_read_usd']).toBe(0);
    expect(a[2]!['gen_ai.cost.input_usd']).toBe(1.5);
    // Parts that do not: only the total is meaningful, no part is written.
    expect(a[1]!['gen_ai.cost.input_usd']).toBeUndefined();
    expect(a[3]!['gen_ai.cost.input_usd']).toBeUndefined();
    expect(recorder.calls.map((c) => c.result.costUsd)).toEqual([0.3, 0.3, 2, 2]);
  });
});

describe('duration and time to first chunk', () => {
  it('the duration is end minus start in seconds, never negative', () => {
    const { attrs, calls } = run([
      { attributes: chat(), start: [1_700_000_000, 250_000_000], end: [1_700_000_002, 750_000_000] },
      { attributes: chat(), start: [1_700_000_010, 0], end: [1_700_000_009, 0] },
    ]);
    near(attrs[0]!['gen_ai.client.operation.duration'], 2.5);
    near(calls[0]!.durationSeconds, 2.5);
    expect(attrs[1]!['gen_ai.client.operation.duration']).toBe(0);
    expect(calls[1]!.durationSeconds).toBe(0);
  });

  it('a first-chunk time from an event is written and recorded; one the instrumentation wrote is left as it is', () => {
    const start: HrTime = [1_700_000_000, 0];
    const { attrs, calls } = run([
      {
        attributes: chat(),
        start,
        end: [1_700_000_003, 0],
        events: [{ name: 'ai.stream.firstChunk', time: [1_700_000_001, 500_000_000] }],
      },
      { attributes: chat({ 'gen_ai.response.time_to_first_chunk': 0.75 }), start, end: [1_700_000_003, 0] },
      { attributes: chat(), start, end: [1_700_000_003, 0] },
    ]);
    near(attrs[0]!['gen_ai.response.time_to_first_chunk'], 1.5);
    near(calls[0]!.ttftSeconds!, 1.5);
    expect(attrs[1]!['gen_ai.response.time_to_first_chunk']).toBe(0.75);
    expect(calls[1]!.ttftSeconds).toBe(0.75);
    expect(attrs[2]!['gen_ai.response.time_to_first_chunk']).toBeUndefined();
    expect(calls[2]!.ttftSeconds).toBeUndefined();
    expect('ttftSeconds' in calls[2]!).toBe(false);
  });
});

describe('the time a call is priced at', () => {
  // genai-prices' o3 changes price on a date read from its own data.
  const o3 = findProvider({ providerId: 'openai' })!.models.find((m) => m.id === 'o3')!;
  const change = Date.parse(
    (o3.prices as { constraint?: { type: string; start_date?: string } }[]).find(
      (p) => p.constraint?.type === 'start_date',
    )!.constraint!.start_date!,
  );
  const theirs = (at: Date) =>
    calcPrice({ input_tokens: 10_000, output_tokens: 1_000 }, 'o3', { providerId: 'openai', timestamp: at })!
      .total_price;
  const o3Chat: Attributes = {
    'gen_ai.operation.name': 'chat',
    'gen_ai.provider.name': 'openai',
    'gen_ai.request.model': 'o3',
    'gen_ai.usage.input_tokens': 10_000,
    'gen_ai.usage.output_tokens': 1_000,
  };

  it("is the span's start (to the millisecond), or now when the span has no start time", () => {
    const before = change - 1_000;
    const after = change + 86_400_000;
    expect(theirs(new Date(before))).not.toBeCloseTo(theirs(new Date(after)), 6);
    const { attrs } = run(
      [
        // 0.6 s before the change: the nanoseconds part must not carry it past.
        { attributes: o3Chat, start: [Math.floor((change - 600) / 1000), ((change - 600) % 1000) * 1e6 + 500_000] },
        { attributes: o3Chat, start: new Date(after) },
        // 0.3 s after the change: the nanoseconds part is added, not taken away.
        { attributes: o3Chat, start: [Math.floor((change + 300) / 1000), ((change + 300) % 1000) * 1e6] },
        { attributes: o3Chat, start: [0, 0], end: [1, 0] },
      ],
      new PriceBook(),
    );
    near(attrs[0]!['gen_ai.usage.cost_usd'], theirs(new Date(change - 600)));
    near(attrs[1]!['gen_ai.usage.cost_usd'], theirs(new Date(after)));
    near(attrs[2]!['gen_ai.usage.cost_usd'], theirs(new Date(change + 300)));
    near(attrs[3]!['gen_ai.usage.cost_usd'], theirs(new Date()));
  });
});

describe('more of what the processor writes', () => {
  it('leaves a span with no GenAI marker alone, whatever token-like attributes it has', () => {
    const attributes = { 'llm.request.model_name': 'fixture-model', 'llm.token_count.completion': 10 };
    const { attrs, calls } = run([{ name: 'custom', attributes }]);
    expect(attrs[0]).toEqual(attributes);
    expect(calls).toHaveLength(0);
    // The exporter wrapper, which sees every span of a batch, leaves it alone too.
    const memory = new InMemorySpanExporter();
    const recorder = new Calls();
    const provider = new BasicTracerProvider({
      spanProcessors: [
        new SimpleSpanProcessor(
          new CostSpanExporter(memory, { priceBook: new PriceBook({ overrides: [ENTRY], embedded: false }), recorder }),
        ),
      ],
    });
    provider.getTracer('a').startSpan('custom', { attributes }).end();
    provider.getTracer('a').startSpan('chat', { attributes: chat() }).end();
    const exported = memory.getFinishedSpans().map((s) => s.attributes);
    expect(exported[0]).toEqual(attributes);
    near(exported[1]!['gen_ai.usage.cost_usd'], PRICE);
    expect(recorder.calls).toHaveLength(1);
  });

  it('writes every part of a call that is all cache reads and no output (input and output parts 0)', () => {
    const { attrs } = run([
      {
        attributes: chat({
          'gen_ai.usage.input_tokens': 400,
          'gen_ai.usage.cache_read.input_tokens': 400,
          'gen_ai.usage.output_tokens': 0,
        }),
      },
    ]);
    const a = attrs[0]!;
    expect(a['gen_ai.cost.input_usd']).toBe(0);
    near(a['gen_ai.cost.cache_read_usd'], 400 * 0.5e-6);
    expect(a['gen_ai.cost.cache_write_usd']).toBe(0);
    expect(a['gen_ai.cost.output_usd']).toBe(0);
  });

  it('never flags a reported cost as an upper bound', () => {
    const { attrs } = run([
      {
        attributes: chat({ 'gen_ai.usage.cost': 0.25, 'gen_ai.usage.cost.source': 'provider' }),
        scope: '@opentelemetry/instrumentation-openai',
      },
    ]);
    expect(attrs[0]!['gen_ai.usage.cost_usd']).toBe(0.25);
    expect(attrs[0]!['gen_ai.cost.cache_detail']).toBeUndefined();
  });

  it('tells other tools whether the cost was reported or computed, and writes parts only when they are known', () => {
    const priceBook = new PriceBook({ overrides: [ENTRY], embedded: false });
    const exporter = new InMemorySpanExporter();
    const provider = new BasicTracerProvider({
      spanProcessors: [
        new CostSpanProcessor({
          priceBook,
          trustedCostAttributes: ['acme.billed_usd'],
          interop: { semconvProposal: true, openInference: true },
        }),
        new SimpleSpanProcessor(exporter),
      ],
    });
    const tracer = provider.getTracer('a');
    tracer.startSpan('computed', { attributes: chat() }).end();
    tracer.startSpan('billed', { attributes: chat({ 'acme.billed_usd': 0.25 }) }).end();
    const [computed, billed] = exporter.getFinishedSpans().map((s) => s.attributes);
    expect(computed!['gen_ai.usage.cost.source']).toBe('local');
    near(computed!['llm.cost.prompt'], 1_000 * 2e-6);
    expect(billed!['gen_ai.usage.cost.source']).toBe('provider');
    expect(billed!['gen_ai.usage.cost.amount']).toBe(0.25);
    expect(billed!['llm.cost.total']).toBe(0.25);
    expect(billed!['llm.cost.prompt']).toBeUndefined();
  });

  it('records an operation name only when it is a string', () => {
    const { calls } = run([{ attributes: chat({ 'gen_ai.operation.name': 42 }) }]);
    expect(calls[0]!.operation).toBeUndefined();
    near(calls[0]!.result.costUsd, PRICE);
  });

  it('rolls up priced children only: a parent of an unpriced call gets no roll-up', () => {
    const priceBook = new PriceBook({ overrides: [ENTRY], embedded: false });
    const exporter = new InMemorySpanExporter();
    const provider = new BasicTracerProvider({
      spanProcessors: [new CostSpanProcessor({ priceBook }), new SimpleSpanProcessor(exporter)],
    });
    const tracer = provider.getTracer('a');
    const child = (parent: ReturnType<typeof tracer.startSpan>, attributes: Attributes) =>
      tracer.startSpan('chat', { attributes }, trace.setSpan(context.active(), parent)).end();
    const unpricedParent = tracer.startSpan('agent of an unpriced call');
    child(unpricedParent, chat({ 'gen_ai.request.model': 'unknown-model' }));
    unpricedParent.end();
    const pricedParent = tracer.startSpan('agent of a priced call');
    child(pricedParent, chat());
    pricedParent.end();
    const byName = (n: string) => exporter.getFinishedSpans().find((s) => s.name === n)!.attributes;
    expect(byName('agent of an unpriced call')['gen_ai.cost.rollup_usd']).toBeUndefined();
    near(byName('agent of a priced call')['gen_ai.cost.rollup_usd'], PRICE);
  });

  it('keeps reported parts that add up to within a billionth of the total (relative above $1)', () => {
    const priceBook = new PriceBook({ overrides: [ENTRY], embedded: false });
    const exporter = new InMemorySpanExporter();
    const provider = new BasicTracerProvider({
      spanProcessors: [
        new CostSpanProcessor({ priceBook, trustedCostAttributes: ['llm.cost.total'] }),
        new SimpleSpanProcessor(exporter),
      ],
    });
    const tracer = provider.getTracer('openinference');
    // $4 reported as $3 + $1.000000002: off by 2e-9, within 1e-9 × $4.
    tracer
      .startSpan('llm', {
        attributes: chat({ 'llm.cost.total': 4, 'llm.cost.prompt': 3, 'llm.cost.completion': 1 + 2e-9 }),
      })
      .end();
    const a = exporter.getFinishedSpans()[0]!.attributes;
    expect(a['gen_ai.cost.input_usd']).toBe(3);
    expect(a['gen_ai.cost.output_usd']).toBe(1 + 2e-9);
  });
});

describe('the metrics of a reported cost', () => {
  it('are keyed by the model the span names, and by no model when it names none', async () => {
    const reader = new TestReader();
    const meterProvider = new MeterProvider({ readers: [reader] });
    const provider = new BasicTracerProvider({
      spanProcessors: [
        new CostSpanProcessor({
          priceBook: new PriceBook({ overrides: [ENTRY], embedded: false }),
          recorder: new CostMetrics({ meterProvider }),
        }),
      ],
    });
    const billed = { 'gen_ai.usage.cost': 0.25, 'gen_ai.usage.cost.source': 'provider' };
    const tracer = provider.getTracer('a');
    tracer.startSpan('chat', { attributes: chat({ ...billed, 'gen_ai.request.model': 'billed-model' }) }).end();
    tracer
      .startSpan('chat', {
        attributes: { ...billed, 'gen_ai.operation.name': 'chat', 'gen_ai.usage.input_tokens': 10 },
      })
      .end();
    const cost = (await collectMetrics(reader)).get('gen_ai.usage.cost') as HistogramMetricData;
    const models = cost.dataPoints.map((p) => p.attributes['gen_ai.request.model']).sort();
    expect(models).toEqual(['billed-model', undefined]);
    for (const p of cost.dataPoints) expect(p.value.sum).toBe(0.25);
    await meterProvider.shutdown();
  });
});
