import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { calcPrice } from '@pydantic/genai-prices';
import { MeterProvider } from '@opentelemetry/sdk-metrics';
import type { SumMetricData } from '@opentelemetry/sdk-metrics';
import { BasicTracerProvider, InMemorySpanExporter, SimpleSpanProcessor } from '@opentelemetry/sdk-trace-base';
import {
  ATTR_COST_MATCH,
  ATTR_COST_PRICING_KEY,
  ATTR_COST_ROLLUP_USD,
  ATTR_COST_SOURCE,
  ATTR_COST_UNPRICED_REASON,
  ATTR_COST_USD,
  ATTR_OPERATION_DURATION,
} from '../../src/attributes.js';
import { CostMetrics } from '../../src/metrics/cost-metrics.js';
import { METRIC_DROPPED_ATTRIBUTES } from '../../src/metrics/instruments.js';
import { PriceBook } from '../../src/pricing/price-book.js';
import { COST_ATTRIBUTE_HEADROOM } from '../../src/processor/attribute-limit.js';
import { CostSpanProcessor } from '../../src/processor/cost-span-processor.js';
import { startMockLLM, usageDirective, type MockLLM } from '../../examples/mock-llm/index.js';
import { setupOpenInferenceOpenAI } from '../support/instrumentation-harness.js';
import { collectMetrics, TestReader } from '../support/metric-reader.js';
import { captureDiag, child, FixturePricer, pipeline } from './helpers.js';

/**
 * Issue 9 §2: a span already at the SDK's attribute count limit (default 128) silently loses new
 * attributes. OpenInference with captured messages reaches it: it records 18 attributes plus two
 * per message (role and content), so 54 messages leave 2 free slots and 55 none.
 */

let llm: MockLLM;
beforeAll(async () => {
  llm = await startMockLLM();
});
afterAll(async () => {
  await llm.close();
});

const USAGE = { input: 3_000, cached: 1_000, output: 200 };
const EXPECTED = calcPrice({ input_tokens: 3_000, cache_read_tokens: 1_000, output_tokens: 200 }, 'gpt-4o', {
  providerId: 'openai',
})!.total_price;

function messages(n: number): { role: 'user' | 'assistant'; content: string }[] {
  const list = Array.from({ length: n }, (_, i) => ({
    role: i % 2 ? ('assistant' as const) : ('user' as const),
    content: `turn ${i}`,
  }));
  // The mock reads the last usage directive in the request: put it in the last user message.
  list[n - 1] = { role: 'user', content: usageDirective(USAGE) };
  return list;
}

async function droppedCount(reader: TestReader): Promise<number> {
  const m = (await collectMetrics(reader)).get(METRIC_DROPPED_ATTRIBUTES) as SumMetricData | undefined;
  return m?.dataPoints.reduce((s, p) => s + p.value, 0) ?? 0;
}

describe('a real OpenInference span at the attribute count limit', () => {
  it('keeps the total when two slots are left, warns once and counts the dropped attributes', async () => {
    const reader = new TestReader();
    const meterProvider = new MeterProvider({ readers: [reader] });
    const h = await setupOpenInferenceOpenAI({
      spanProcessors: [
        new CostSpanProcessor({ priceBook: new PriceBook(), recorder: new CostMetrics({ meterProvider }) }),
      ],
    });
    const diagOut = captureDiag();
    try {
      const client = new h.OpenAI({ baseURL: llm.openaiBaseURL, apiKey: 'test' });
      await client.chat.completions.create({ model: 'gpt-4o', messages: messages(54) });
      const [span] = h.getSpans();
      const a = span!.attributes;
      expect(Object.keys(a)).toHaveLength(128);
      expect(a[ATTR_COST_USD]).toBeCloseTo(EXPECTED, 12);
      expect(a[ATTR_COST_SOURCE]).toMatch(/^genai-prices@/);
      expect(a[ATTR_COST_PRICING_KEY]).toBeUndefined();
      expect(a[ATTR_OPERATION_DURATION]).toBeUndefined();
      const dropped = span!.droppedAttributesCount;
      expect(dropped).toBeGreaterThanOrEqual(5);
      expect(await droppedCount(reader)).toBe(dropped);

      const warnings = diagOut.messages.filter((m) => m.includes('attribute count limit'));
      expect(warnings).toHaveLength(1);
      expect(warnings[0]).toContain(ATTR_COST_PRICING_KEY);
      expect(warnings[0]).toContain('attributeCountLimit');

      // A second such span: counted, not logged again.
      await client.chat.completions.create({ model: 'gpt-4o', messages: messages(54) });
      expect(diagOut.messages.filter((m) => m.includes('attribute count limit'))).toHaveLength(1);
      expect(await droppedCount(reader)).toBe(2 * dropped);
    } finally {
      diagOut.restore();
      await h.shutdown();
      await meterProvider.shutdown();
    }
  });

  it('writes nothing and counts every attribute when no slot is left', async () => {
    const reader = new TestReader();
    const meterProvider = new MeterProvider({ readers: [reader] });
    const h = await setupOpenInferenceOpenAI({
      spanProcessors: [
        new CostSpanProcessor({ priceBook: new PriceBook(), recorder: new CostMetrics({ meterProvider }) }),
      ],
    });
    const diagOut = captureDiag();
    try {
      const client = new h.OpenAI({ baseURL: llm.openaiBaseURL, apiKey: 'test' });
      await client.chat.completions.create({ model: 'gpt-4o', messages: messages(55) });
      const [span] = h.getSpans();
      expect(span!.attributes[ATTR_COST_USD]).toBeUndefined();
      expect(await droppedCount(reader)).toBe(span!.droppedAttributesCount);
      expect(span!.droppedAttributesCount).toBeGreaterThan(0);
    } finally {
      diagOut.restore();
      await h.shutdown();
      await meterProvider.shutdown();
    }
  });

  it('keeps every cost attribute once the limit is raised as documented (128 + COST_ATTRIBUTE_HEADROOM)', async () => {
    const h = await setupOpenInferenceOpenAI({
      spanProcessors: [new CostSpanProcessor({ priceBook: new PriceBook() })],
      spanLimits: { attributeCountLimit: 128 + COST_ATTRIBUTE_HEADROOM },
    });
    const diagOut = captureDiag();
    try {
      const client = new h.OpenAI({ baseURL: llm.openaiBaseURL, apiKey: 'test' });
      await client.chat.completions.create({ model: 'gpt-4o', messages: messages(55) });
      const a = h.getSpans()[0]!.attributes;
      expect(a[ATTR_COST_USD]).toBeCloseTo(EXPECTED, 12);
      expect(a[ATTR_COST_PRICING_KEY]).toBeDefined();
      expect(a[ATTR_COST_MATCH]).toBeDefined();
      expect(h.getSpans()[0]!.droppedAttributesCount).toBe(0);
      expect(diagOut.messages.filter((m) => m.includes('attribute count limit'))).toEqual([]);
    } finally {
      diagOut.restore();
      await h.shutdown();
    }
  });
});

describe('the most important attribute goes first', () => {
  function limited(limit: number, processor: CostSpanProcessor) {
    const exporter = new InMemorySpanExporter();
    const provider = new BasicTracerProvider({
      spanLimits: { attributeCountLimit: limit },
      spanProcessors: [processor, new SimpleSpanProcessor(exporter)],
    });
    return { tracer: provider.getTracer('t'), spans: () => exporter.getFinishedSpans() };
  }
  const attrs = (model: string) => ({
    'gen_ai.request.model': model,
    'gen_ai.usage.input_tokens': 100,
    'gen_ai.usage.output_tokens': 10,
  });

  it('a priced call keeps its total with one slot left', () => {
    const diagOut = captureDiag();
    try {
      const t = limited(4, new CostSpanProcessor({ priceBook: new FixturePricer() }));
      t.tracer.startSpan('chat', { attributes: attrs('fixture-model') }).end();
      const a = t.spans()[0]!.attributes;
      // FixturePricer's rates, written in the test helper: 100 × 2e-6 + 10 × 8e-6.
      expect(a[ATTR_COST_USD]).toBeCloseTo(100 * 2e-6 + 10 * 8e-6, 15);
      expect(Object.keys(a)).toHaveLength(4);
    } finally {
      diagOut.restore();
    }
  });

  it('an unpriced call keeps its reason with one slot left', () => {
    const diagOut = captureDiag();
    try {
      const t = limited(4, new CostSpanProcessor({ priceBook: new FixturePricer() }));
      t.tracer.startSpan('chat', { attributes: attrs('no-such-model') }).end();
      expect(t.spans()[0]!.attributes[ATTR_COST_UNPRICED_REASON]).toBe('unknown_model');
    } finally {
      diagOut.restore();
    }
  });

  it('an ancestor at the limit keeps nothing it cannot hold, and the processor never throws', () => {
    const diagOut = captureDiag();
    try {
      const t = limited(3, new CostSpanProcessor({ priceBook: new FixturePricer() }));
      const parent = t.tracer.startSpan('agent', { attributes: { a: 1, b: 2, c: 3 } });
      child(t.tracer, 'chat', parent, attrs('fixture-model')).end();
      parent.end();
      const agent = t.spans().find((s) => s.name === 'agent')!;
      expect(agent.attributes[ATTR_COST_ROLLUP_USD]).toBeUndefined();
      expect(agent.droppedAttributesCount).toBe(1);
    } finally {
      diagOut.restore();
    }
  });
});

describe('a non-finite cost is never written, nor rolled up', () => {
  it('leaves a call whose price overflows unpriced (invalid_price) and an overflowing roll-up unwritten', () => {
    const book = new PriceBook({
      overrides: [
        { key: 'huge-model', rates: { input: 1e308, output: 1e308 }, source: 'overrides' },
        { key: 'big-model', rates: { input: 1e308 }, source: 'overrides' },
      ],
      embedded: false,
    });
    const p = pipeline(new CostSpanProcessor({ priceBook: book }));
    const root = p.tracer.startSpan('request', { attributes: { 'gen_ai.operation.name': 'invoke_agent' } });
    child(p.tracer, 'huge', root, {
      'gen_ai.request.model': 'huge-model',
      'gen_ai.usage.input_tokens': 1_000,
      'gen_ai.usage.output_tokens': 1,
    }).end();
    // Two finite costs of 1e308 each: their sum is Infinity.
    child(p.tracer, 'big1', root, { 'gen_ai.request.model': 'big-model', 'gen_ai.usage.input_tokens': 1 }).end();
    child(p.tracer, 'big2', root, { 'gen_ai.request.model': 'big-model', 'gen_ai.usage.input_tokens': 1 }).end();
    root.end();
    expect(p.byName('huge').attributes[ATTR_COST_USD]).toBeUndefined();
    expect(p.byName('huge').attributes[ATTR_COST_UNPRICED_REASON]).toBe('invalid_price');
    expect(p.byName('big1').attributes[ATTR_COST_USD]).toBe(1e308);
    expect(p.byName('request').attributes[ATTR_COST_ROLLUP_USD]).toBeUndefined();
  });
});
