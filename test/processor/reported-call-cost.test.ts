import { afterEach, describe, expect, it } from 'vitest';
import { MeterProvider } from '@opentelemetry/sdk-metrics';
import {
  ATTR_COST_CACHE_READ_USD,
  ATTR_COST_CACHE_WRITE_USD,
  ATTR_COST_INPUT_USD,
  ATTR_COST_MATCH,
  ATTR_COST_OUTPUT_USD,
  ATTR_COST_PRICING_KEY,
  ATTR_COST_REPORTED_FROM,
  ATTR_COST_SOURCE,
  ATTR_COST_UNPRICED_REASON,
  ATTR_COST_USD,
} from '../../src/attributes.js';
import type { LlmCall, LlmCallRecorder } from '../../src/core/llm-call.js';
import { CostMetrics } from '../../src/metrics/cost-metrics.js';
import {
  METRIC_CACHE_SAVINGS,
  METRIC_COST,
  METRIC_TOKENS,
  METRIC_UNPRICED_CALLS,
} from '../../src/metrics/instruments.js';
import { PriceBook } from '../../src/pricing/price-book.js';
import { CostSpanProcessor } from '../../src/processor/cost-span-processor.js';
import { collectMetrics, histogramMetric, sumMetric, TestReader } from '../support/metric-reader.js';
import { pipeline } from './helpers.js';

/**
 * A cost the provider reported is its own kind of result: the span says where it came from and
 * carries no pricing key or match (no table priced it, even when the embedded table knows the
 * model), the recorder is told `kind: 'reported'`, and the metrics count its cost and tokens but
 * no cache savings (there are no rates to compare). Every expected figure is the attribute value
 * the test sets.
 */

/** A trusted OpenInference cost on a model the embedded table knows, with cache reads. */
const REPORTED_TOTAL = 0.0123;
const REPORTED_PROMPT = 0.01;
const REPORTED_COMPLETION = 0.0023;
const MODEL = 'gpt-4o-2024-08-06';
const SPAN_ATTRIBUTES = {
  'gen_ai.operation.name': 'chat',
  'gen_ai.request.model': MODEL,
  'gen_ai.provider.name': 'openai',
  'gen_ai.usage.input_tokens': 1500,
  'gen_ai.usage.cache_read.input_tokens': 1000,
  'gen_ai.usage.output_tokens': 400,
  'llm.cost.total': REPORTED_TOTAL,
  'llm.cost.prompt': REPORTED_PROMPT,
  'llm.cost.completion': REPORTED_COMPLETION,
};

class CapturingRecorder implements LlmCallRecorder {
  readonly calls: LlmCall[] = [];
  record(call: LlmCall): void {
    this.calls.push(call);
  }
}

let meterProvider: MeterProvider | undefined;
afterEach(async () => {
  await meterProvider?.shutdown();
  meterProvider = undefined;
});

describe('a provider-reported cost through CostSpanProcessor', () => {
  it('carries cost, source and origin on the span, and no pricing key or match', () => {
    const p = pipeline(
      new CostSpanProcessor({ priceBook: new PriceBook(), trustedCostAttributes: ['llm.cost.total'] }),
    );
    p.tracer.startSpan('chat gpt-4o', { attributes: SPAN_ATTRIBUTES }).end();
    const a = p.byName('chat gpt-4o').attributes;
    expect(a[ATTR_COST_USD]).toBe(REPORTED_TOTAL);
    expect(a[ATTR_COST_SOURCE]).toBe('reported');
    expect(a[ATTR_COST_REPORTED_FROM]).toBe('llm.cost.total');
    expect(a[ATTR_COST_PRICING_KEY]).toBeUndefined();
    expect(a[ATTR_COST_MATCH]).toBeUndefined();
    expect(a[ATTR_COST_UNPRICED_REASON]).toBeUndefined();
    // The span's own parts add up to its total: kept as the split, cache parts 0.
    expect(a[ATTR_COST_INPUT_USD]).toBe(REPORTED_PROMPT);
    expect(a[ATTR_COST_OUTPUT_USD]).toBe(REPORTED_COMPLETION);
    expect(a[ATTR_COST_CACHE_READ_USD]).toBe(0);
    expect(a[ATTR_COST_CACHE_WRITE_USD]).toBe(0);
  });

  it('hands the recorder a reported result: its origin, no key, no match, parts only when reported', () => {
    const recorder = new CapturingRecorder();
    const p = pipeline(
      new CostSpanProcessor({ priceBook: new PriceBook(), recorder, trustedCostAttributes: ['llm.cost.total'] }),
    );
    p.tracer.startSpan('with parts', { attributes: SPAN_ATTRIBUTES }).end();
    p.tracer
      .startSpan('total only', {
        attributes: {
          'gen_ai.operation.name': 'chat',
          'gen_ai.request.model': MODEL,
          'gen_ai.provider.name': 'openai',
          'gen_ai.usage.input_tokens': 10,
          'gen_ai.usage.output_tokens': 5,
          'gen_ai.usage.cost': 0.5,
          'gen_ai.usage.cost.source': 'provider',
        },
      })
      .end();
    expect(recorder.calls.map((c) => c.result)).toEqual([
      {
        kind: 'reported',
        costUsd: REPORTED_TOTAL,
        from: 'llm.cost.total',
        breakdown: { input: REPORTED_PROMPT, cacheRead: 0, cacheWrite: 0, output: REPORTED_COMPLETION },
      },
      { kind: 'reported', costUsd: 0.5, from: 'gen_ai.usage.cost' },
    ]);
    expect(p.byName('total only').attributes[ATTR_COST_INPUT_USD]).toBeUndefined();
  });

  it('is counted in the cost histogram and token counter under the request model, with no cache savings', async () => {
    const reader = new TestReader();
    meterProvider = new MeterProvider({ readers: [reader] });
    const p = pipeline(
      new CostSpanProcessor({
        priceBook: new PriceBook(),
        recorder: new CostMetrics({ meterProvider }),
        trustedCostAttributes: ['llm.cost.total'],
      }),
    );
    p.tracer.startSpan('chat gpt-4o', { attributes: SPAN_ATTRIBUTES }).end();

    const metrics = await collectMetrics(reader);
    const series = { 'gen_ai.provider.name': 'openai', 'gen_ai.request.model': MODEL, 'gen_ai.operation.name': 'chat' };
    const cost = histogramMetric(metrics, METRIC_COST);
    expect(cost.dataPoints).toHaveLength(1);
    expect(cost.dataPoints[0]!.attributes).toEqual(series);
    expect(cost.dataPoints[0]!.value.count).toBe(1);
    expect(cost.dataPoints[0]!.value.sum).toBe(REPORTED_TOTAL);

    const tokens = sumMetric(metrics, METRIC_TOKENS);
    const byType = Object.fromEntries(tokens.dataPoints.map((d) => [d.attributes['gen_ai.token.type'], d.value]));
    // 1500 input of which 1000 cache reads; 400 output (from the span's attributes).
    expect(byType).toEqual({ input: 500, cache_read: 1000, output: 400 });
    for (const point of tokens.dataPoints) {
      expect(point.attributes).toMatchObject(series);
    }

    // The reported prompt part includes the cache reads: there is no uncached rate to compare
    // them with, so no savings are claimed. Nor is the call unpriced.
    expect(metrics.get(METRIC_CACHE_SAVINGS)?.dataPoints ?? []).toEqual([]);
    expect(metrics.get(METRIC_UNPRICED_CALLS)?.dataPoints ?? []).toEqual([]);
  });
});
