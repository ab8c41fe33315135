import { diag, DiagLogLevel, type Attributes, type AttributeValue } from '@opentelemetry/api';
import { BasicTracerProvider, InMemorySpanExporter, SimpleSpanProcessor } from '@opentelemetry/sdk-trace-base';
import fc from 'fast-check';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { parseLiteLLMTable } from '../../src/sources/litellm.js';
import { PriceBook } from '../../src/pricing/price-book.js';
import { PriceTable } from '../../src/pricing/price-table.js';
import { CostSpanExporter } from '../../src/processor/cost-span-exporter.js';
import { CostSpanProcessor } from '../../src/processor/cost-span-processor.js';
import { NO_SHARED_TABLE, SHARED_TABLE_NOTE, readSharedTable } from '../support/shared-table.js';

/**
 * Properties of the real CostSpanProcessor on a real BasicTracerProvider: whatever attributes an
 * instrumentation (or a hostile caller) puts on a span, `span.end()` returns normally, nothing
 * is reported through `diag.error`, and an inference span carries either a finite non-negative
 * cost whose parts add up, or an unpriced reason.
 */

const SCALE = Number(process.env.FC_RUNS_SCALE ?? 1) || 1;
const RUNS = 250 * SCALE;

const TOKEN_KEYS = [
  'gen_ai.usage.input_tokens',
  'gen_ai.usage.prompt_tokens',
  'llm.token_count.prompt',
  'ai.usage.inputTokens',
  'gen_ai.usage.output_tokens',
  'gen_ai.usage.completion_tokens',
  'llm.token_count.completion',
  'ai.usage.outputTokens',
  'gen_ai.usage.total_tokens',
  'llm.token_count.total',
  'gen_ai.usage.cache_read.input_tokens',
  'gen_ai.usage.cache_creation.input_tokens',
  'gen_ai.usage.cache_write.input_tokens',
  'llm.token_count.prompt_details.cache_read',
  'ai.usage.inputTokenDetails.cacheReadTokens',
  'ai.usage.inputTokenDetails.noCacheTokens',
  'gen_ai.usage.reasoning.output_tokens',
  'llm.token_count.completion_details.reasoning',
  'llm.token_count.prompt_details.audio',
];
const OTHER_KEYS = [
  'gen_ai.request.model',
  'gen_ai.response.model',
  'llm.model_name',
  'ai.response.model',
  'gen_ai.system',
  'gen_ai.provider.name',
  'llm.provider',
  'gen_ai.operation.name',
  'openinference.span.kind',
  'traceloop.span.kind',
  'ai.operationId',
  'gen_ai.response.time_to_first_chunk',
  'ai.response.msToFirstChunk',
  'llm.cost.total',
  'gen_ai.usage.cost',
  'llm.cost.prompt',
  'openai.response.service_tier',
  'gen_ai.cost.source',
];
const SCOPES = [
  'app',
  '@traceloop/instrumentation-anthropic',
  '@traceloop/instrumentation-openai',
  '@opentelemetry/instrumentation-openai',
  '@arizeai/openinference-instrumentation-anthropic',
  'ai',
];
const REASONS = new Set([
  'no_usage',
  'unknown_model',
  'no_model',
  'invalid_usage',
  'unknown_service_tier',
  'invalid_price',
]);

let book: PriceBook;
let modelIds: string[];
const diagErrors: string[] = [];
/** Errors reported by this package (the SDK logs its own, e.g. for a second `end()`). */
const ownErrors = () => diagErrors.filter((m) => /otel-llm-cost|CostSpanProcessor/.test(m));

beforeAll(() => {
  diag.setLogger(
    { error: (m) => diagErrors.push(m), warn: () => {}, info: () => {}, debug: () => {}, verbose: () => {} },
    { logLevel: DiagLogLevel.ERROR, suppressOverrideMessage: true },
  );
  if (NO_SHARED_TABLE) {
    book = new PriceBook();
    modelIds = ['gpt-4o', 'gpt-4o-mini', 'claude-sonnet-4-5', 'gemini-2.5-pro', 'o3'];
  } else {
    const parsed = parseLiteLLMTable(readSharedTable(), 'litellm@test');
    book = new PriceBook({ table: new PriceTable(parsed.entries, 'litellm@test') });
    modelIds = parsed.entries.map((e) => e.key);
  }
});
afterAll(() => diag.disable());

function setup(options: ConstructorParameters<typeof CostSpanProcessor>[0] = {}) {
  const exporter = new InMemorySpanExporter();
  const provider = new BasicTracerProvider({
    spanProcessors: [new CostSpanProcessor({ priceBook: book, ...options }), new SimpleSpanProcessor(exporter)],
  });
  return { exporter, provider };
}

const numberValue = fc.oneof(
  fc.integer({ min: 0, max: 200_000 }),
  fc.integer({ min: -1e6, max: 1e6 }),
  fc.double(),
  fc.constantFrom(Number.NaN, Number.POSITIVE_INFINITY, -0, 1e300, 2 ** 53, 1_000_000_001, 0.5),
);
const anyValue: fc.Arbitrary<AttributeValue> = fc.oneof(
  numberValue,
  fc.string({ maxLength: 30 }),
  fc.boolean(),
  fc.array(fc.integer(), { maxLength: 4 }),
  fc.array(fc.string({ maxLength: 5 }), { maxLength: 4 }),
  fc.integer({ min: 0, max: 5000 }).map(String),
);
const modelValue = fc.oneof(
  fc.constantFrom(
    ...['gpt-4o', 'claude-sonnet-4-5-20250929', 'us.anthropic.claude-3-haiku-20240307-v1:0', '', ' ', 'GPT-4O'],
  ),
  fc.string({ maxLength: 40 }),
  fc.constant(null).chain(() => fc.constantFrom(...modelIds)),
);

const attributesArb: fc.Arbitrary<Attributes> = fc
  .tuple(
    fc.dictionary(
      fc.constantFrom(...TOKEN_KEYS),
      fc.oneof({ weight: 3, arbitrary: fc.integer({ min: 0, max: 300_000 }) }, { weight: 1, arbitrary: anyValue }),
    ),
    fc.dictionary(fc.constantFrom(...OTHER_KEYS), anyValue, { maxKeys: 4 }),
    fc.dictionary(fc.string({ maxLength: 12 }), anyValue, { maxKeys: 3 }),
    modelValue,
  )
  .map(([tokens, other, random, model]) => ({ ...random, ...other, ...tokens, 'gen_ai.request.model': model }));

describe('ending a span never throws, whatever its attributes', () => {
  it(`returns normally, reports no error, and writes a cost or a reason ${SHARED_TABLE_NOTE}`, () => {
    const { exporter, provider } = setup();
    let inference = 0;
    fc.assert(
      fc.property(
        attributesArb,
        fc.constantFrom(...SCOPES),
        fc.string({ maxLength: 30 }),
        (attributes, scope, name) => {
          exporter.reset();
          const span = provider.getTracer(scope, '0.1.0').startSpan(name, { attributes });
          expect(() => span.end()).not.toThrow();
          expect(ownErrors()).toEqual([]);
          const [ended] = exporter.getFinishedSpans();
          const a = ended!.attributes;
          if (a['gen_ai.client.operation.duration'] === undefined) return;
          inference++;
          const cost = a['gen_ai.usage.cost_usd'];
          const reason = a['gen_ai.cost.unpriced_reason'];
          if (cost === undefined) {
            expect(REASONS.has(reason as string), `reason ${String(reason)}`).toBe(true);
            return;
          }
          expect(reason).toBeUndefined();
          expect(typeof cost).toBe('number');
          expect(Number.isFinite(cost)).toBe(true);
          expect(cost as number).toBeGreaterThanOrEqual(0);
          const parts = [
            'gen_ai.cost.input_usd',
            'gen_ai.cost.cache_read_usd',
            'gen_ai.cost.cache_write_usd',
            'gen_ai.cost.output_usd',
          ].map((k) => a[k]);
          if (parts.every((p) => p !== undefined)) {
            for (const p of parts) expect(p as number).toBeGreaterThanOrEqual(0);
            const sum = (parts as number[]).reduce((x, y) => x + y, 0);
            // Parts add up to the total, except a reported total whose split was not reported (all zero).
            if (a['gen_ai.cost.source'] !== 'reported' || sum > 0) {
              expect(Math.abs(sum - (cost as number))).toBeLessThanOrEqual(1e-9 * Math.max(1e-6, cost as number));
            }
          }
        },
      ),
      { numRuns: RUNS },
    );
    expect(inference, 'the generator must produce inference spans').toBeGreaterThan(RUNS / 5);
  });

  it('keeps span.end() safe when the span is ended twice or attributes are set after end', () => {
    const { exporter, provider } = setup();
    const span = provider.getTracer('app').startSpan('chat', {
      attributes: {
        'gen_ai.request.model': 'gpt-4o',
        'gen_ai.usage.input_tokens': 10,
        'gen_ai.usage.output_tokens': 5,
      },
    });
    span.end();
    expect(() => span.end()).not.toThrow();
    expect(() => span.setAttribute('gen_ai.usage.input_tokens', 'x')).not.toThrow();
    expect(exporter.getFinishedSpans()).toHaveLength(1);
    expect(ownErrors()).toEqual([]);
  });
});

describe('the exporter wrapper (SDKs without onEnding) never throws either', () => {
  it(`exports every batch of arbitrary spans, enriched or not, with cost or reason ${SHARED_TABLE_NOTE}`, async () => {
    const inner = new InMemorySpanExporter();
    const wrapper = new CostSpanExporter(inner, { priceBook: book });
    const provider = new BasicTracerProvider({ spanProcessors: [new SimpleSpanProcessor(wrapper)] });
    await fc.assert(
      fc.asyncProperty(
        fc.array(attributesArb, { minLength: 1, maxLength: 5 }),
        fc.constantFrom(...SCOPES),
        async (batch, scope) => {
          inner.reset();
          const tracer = provider.getTracer(scope, '0.1.0');
          for (const attributes of batch) expect(() => tracer.startSpan('chat', { attributes }).end()).not.toThrow();
          await provider.forceFlush();
          const exported = inner.getFinishedSpans();
          expect(exported).toHaveLength(batch.length);
          for (const s of exported) {
            if (s.attributes['gen_ai.client.operation.duration'] === undefined) continue;
            const cost = s.attributes['gen_ai.usage.cost_usd'];
            if (cost === undefined)
              expect(REASONS.has(s.attributes['gen_ai.cost.unpriced_reason'] as string)).toBe(true);
            else expect(Number.isFinite(cost) && (cost as number) >= 0).toBe(true);
          }
          expect(ownErrors()).toEqual([]);
        },
      ),
      { numRuns: Math.ceil(RUNS / 5) },
    );
  });
});

describe('inclusive and additive readings of the same call give the same cost', () => {
  const partsArb = fc.record({
    fresh: fc.integer({ min: 0, max: 400_000 }),
    read: fc.integer({ min: 0, max: 200_000 }),
    write: fc.integer({ min: 0, max: 100_000 }),
    output: fc.integer({ min: 0, max: 50_000 }),
  });

  it(`prices semconv-inclusive, Traceloop-additive, Vercel-breakdown and overridden spans ${SHARED_TABLE_NOTE}`, () => {
    const plain = setup();
    const overridden = setup({ inputAccounting: { scopes: { 'my-additive-instrumentation': 'additive' } } });
    let priced = 0;
    fc.assert(
      fc.property(fc.constantFrom(...modelIds), partsArb, (model, p) => {
        const cache = {
          'gen_ai.usage.cache_read.input_tokens': p.read,
          'gen_ai.usage.cache_creation.input_tokens': p.write,
        };
        const common = { 'gen_ai.request.model': model, 'gen_ai.usage.output_tokens': p.output };
        const inclusiveInput = p.fresh + p.read + p.write;
        const spans: Array<[string, BasicTracerProvider, Attributes]> = [
          ['app', plain.provider, { ...common, ...cache, 'gen_ai.usage.input_tokens': inclusiveInput }],
          [
            '@traceloop/instrumentation-anthropic',
            plain.provider,
            { ...common, ...cache, 'gen_ai.usage.input_tokens': p.fresh },
          ],
          [
            'my-additive-instrumentation',
            overridden.provider,
            { ...common, ...cache, 'gen_ai.usage.input_tokens': p.fresh },
          ],
          // Vercel AI SDK 6: inclusive input plus its own uncached count.
          [
            'ai',
            plain.provider,
            {
              ...common,
              'gen_ai.usage.input_tokens': inclusiveInput,
              'ai.usage.inputTokenDetails.noCacheTokens': p.fresh,
              'ai.usage.inputTokenDetails.cacheReadTokens': p.read,
              'ai.usage.inputTokenDetails.cacheWriteTokens': p.write,
            },
          ],
        ];
        // Cache larger than the reported input cannot be part of it: the heuristic adds it.
        if (p.read + p.write > p.fresh) {
          spans.push([
            'unknown-instrumentation',
            plain.provider,
            { ...common, ...cache, 'gen_ai.usage.input_tokens': p.fresh },
          ]);
        }
        const results = spans.map(([scope, provider, attributes]) => {
          plain.exporter.reset();
          overridden.exporter.reset();
          provider.getTracer(scope).startSpan('chat', { attributes }).end();
          const [s] = [...plain.exporter.getFinishedSpans(), ...overridden.exporter.getFinishedSpans()];
          return {
            scope,
            cost: s!.attributes['gen_ai.usage.cost_usd'],
            reason: s!.attributes['gen_ai.cost.unpriced_reason'],
          };
        });
        if (results[0]!.cost !== undefined) priced++;
        for (const r of results.slice(1)) {
          expect({ cost: r.cost, reason: r.reason }, `${model} via ${r.scope}`).toEqual({
            cost: results[0]!.cost,
            reason: results[0]!.reason,
          });
        }
      }),
      { numRuns: RUNS },
    );
    expect(priced).toBeGreaterThan(RUNS / 4);
  });
});
