import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { DiagLogLevel, diag, metrics, type DiagLogger } from '@opentelemetry/api';
import { MeterProvider } from '@opentelemetry/sdk-metrics';
import { CostMetrics } from '../../src/metrics/cost-metrics.js';
import {
  COST_BUCKETS_USD,
  LATENCY_BUCKETS_SECONDS,
  METRIC_CACHE_SAVINGS,
  METRIC_CACHE_WRITE_PREMIUM,
  METRIC_CALL_DURATION,
  METRIC_COST,
  METRIC_TIME_TO_FIRST_CHUNK,
  METRIC_TOKENS,
  METRIC_UNPRICED_CALLS,
} from '../../src/metrics/instruments.js';
import type { LlmCall } from '../../src/core/llm-call.js';
import { calcPrice } from '@pydantic/genai-prices';
import { TestReader, collectMetrics, histogramMetric, sumMetric } from '../support/metric-reader.js';

/** Anthropic-style call through Vercel AI SDK: 1700 input = 200 fresh + 1000 read + 500 write. */
function pricedCall(overrides: Partial<LlmCall> = {}): LlmCall {
  return {
    usage: {
      model: 'claude-sonnet-4-5-20250929',
      provider: 'anthropic',
      inputTokens: 1700,
      cacheReadTokens: 1000,
      cacheWriteTokens: 500,
      outputTokens: 300,
      reasoningTokens: 100,
    },
    result: {
      kind: 'priced',
      costUsd: 0.0075,
      // $3/M input, $0.30/M cache read, $3.75/M cache write, $15/M output
      breakdown: { input: 0.0006, cacheRead: 0.0003, cacheWrite: 0.001875, output: 0.0045 },
      pricingKey: 'claude-sonnet-4-5',
      match: 'revision',
      source: 'litellm@test',
    },
    operation: 'chat',
    ttftSeconds: 0.42,
    durationSeconds: 2.5,
    attributes: { 'enduser.id': 'alice', 'app.feature': 'search' },
    ...overrides,
  };
}

function unpricedCall(model: string | undefined, reason: 'unknown_model' | 'no_usage' = 'unknown_model'): LlmCall {
  return {
    usage: { model, provider: 'openai', inputTokens: 10, outputTokens: 5 },
    result: { kind: 'unpriced', costUsd: null, reason },
    operation: 'chat',
    durationSeconds: 1,
    attributes: {},
  };
}

class CapturingLogger implements DiagLogger {
  readonly warnings: string[] = [];
  error(): void {}
  warn(message: string): void {
    this.warnings.push(message);
  }
  info(): void {}
  debug(): void {}
  verbose(): void {}
}

let reader: TestReader;
let provider: MeterProvider;
let logger: CapturingLogger;

beforeEach(() => {
  reader = new TestReader();
  provider = new MeterProvider({ readers: [reader] });
  logger = new CapturingLogger();
  diag.setLogger(logger, DiagLogLevel.WARN);
});

afterEach(async () => {
  await provider.shutdown();
  metrics.disable();
  diag.disable();
});

describe('cost histogram gen_ai.usage.cost', () => {
  it('records the cost in USD with dollar-sized buckets from instrument advice', async () => {
    const recorder = new CostMetrics({ meterProvider: provider });
    recorder.record(pricedCall());
    recorder.record(pricedCall({ result: { ...(pricedCall().result as object), costUsd: 1.7 } as LlmCall['result'] }));

    const cost = histogramMetric(await collectMetrics(reader), METRIC_COST);
    expect(cost.descriptor.unit).toBe('USD');
    expect(cost.dataPoints).toHaveLength(1);
    const point = cost.dataPoints[0]!;
    expect(point.value.count).toBe(2);
    expect(point.value.sum).toBeCloseTo(1.7075, 10);
    expect(point.value.buckets.boundaries).toEqual([...COST_BUCKETS_USD]);
    // 0.0075 falls in (0.005, 0.01]; 1.7 in (1, 2.5].
    const counts = point.value.buckets.counts;
    expect(counts[COST_BUCKETS_USD.indexOf(0.01)]).toBe(1);
    expect(counts[COST_BUCKETS_USD.indexOf(2.5)]).toBe(1);
    expect(counts.reduce((a, b) => a + b, 0)).toBe(2);
  });

  it('keys priced calls by pricing key, provider and operation only by default', async () => {
    new CostMetrics({ meterProvider: provider }).record(pricedCall());
    const cost = histogramMetric(await collectMetrics(reader), METRIC_COST);
    expect(cost.dataPoints[0]!.attributes).toEqual({
      'gen_ai.provider.name': 'anthropic',
      'gen_ai.request.model': 'claude-sonnet-4-5',
      'gen_ai.operation.name': 'chat',
    });
  });

  it('accepts custom bucket boundaries and corrects invalid ones with a warning', async () => {
    new CostMetrics({ meterProvider: provider, costBucketBoundaries: [0.01, 1] }).record(pricedCall());
    new CostMetrics({ meterProvider: provider, costBucketBoundaries: [1, 0.5] });
    expect(logger.warnings.some((w) => w.includes('costBucketBoundaries'))).toBe(true);
    const cost = histogramMetric(await collectMetrics(reader), METRIC_COST);
    expect(cost.dataPoints[0]!.value.buckets.boundaries).toEqual([0.01, 1]);
  });

  it('does not use the semconv client metric names that instrumentations already emit', async () => {
    new CostMetrics({ meterProvider: provider }).record(pricedCall());
    const names = [...(await collectMetrics(reader)).keys()];
    expect(names.sort()).toEqual(
      [
        METRIC_CACHE_SAVINGS,
        METRIC_CACHE_WRITE_PREMIUM,
        METRIC_CALL_DURATION,
        METRIC_COST,
        METRIC_TIME_TO_FIRST_CHUNK,
        METRIC_TOKENS,
      ].sort(),
    );
    for (const name of names) expect(name.startsWith('gen_ai.client.')).toBe(false);
  });
});

describe('tokens by type', () => {
  it('splits usage into disjoint types that add up to input + output', async () => {
    new CostMetrics({ meterProvider: provider }).record(pricedCall());
    const tokens = sumMetric(await collectMetrics(reader), METRIC_TOKENS);
    expect(tokens.isMonotonic).toBe(true);
    const byType: Record<string, number> = Object.fromEntries(
      tokens.dataPoints.map((p) => [String(p.attributes['gen_ai.token.type']), p.value]),
    );
    expect(byType).toEqual({ input: 200, cache_read: 1000, cache_write: 500, output: 200, reasoning: 100 });
    expect(Object.values(byType).reduce((a, b) => a + b, 0)).toBe(1700 + 300);
  });

  it('records tokens of unpriced calls too', async () => {
    new CostMetrics({ meterProvider: provider }).record(unpricedCall('my-finetune'));
    const tokens = sumMetric(await collectMetrics(reader), METRIC_TOKENS);
    const byType = Object.fromEntries(tokens.dataPoints.map((p) => [p.attributes['gen_ai.token.type'], p.value]));
    expect(byType).toEqual({ input: 10, output: 5 });
    expect(tokens.dataPoints[0]!.attributes['gen_ai.request.model']).toBe('my-finetune');
  });
});

describe('cache savings', () => {
  it('estimates what cache reads saved at the call’s uncached input rate', async () => {
    new CostMetrics({ meterProvider: provider }).record(pricedCall());
    const savings = sumMetric(await collectMetrics(reader), METRIC_CACHE_SAVINGS);
    expect(savings.descriptor.unit).toBe('USD');
    // 1000 reads × $3/M − $0.0003 actually paid
    expect(savings.dataPoints[0]!.value).toBeCloseTo(0.0027, 10);
  });

  it('records nothing when the call had no uncached input to derive the rate from', async () => {
    const call = pricedCall();
    call.usage = { ...call.usage, inputTokens: 1500 };
    new CostMetrics({ meterProvider: provider }).record(call);
    expect((await collectMetrics(reader)).has(METRIC_CACHE_SAVINGS)).toBe(false);
  });
});

describe('cache write premium', () => {
  it('estimates what cache writes cost above the uncached input rate (the other side of the savings)', async () => {
    // The fixture's breakdown is genai-prices' claude-sonnet-4-5 prices: take the expectation from there.
    const price = (u: { input_tokens: number; cache_write_tokens?: number }) =>
      calcPrice(u, 'claude-sonnet-4-5', { providerId: 'anthropic' })!.total_price;
    const expected = price({ input_tokens: 500, cache_write_tokens: 500 }) - price({ input_tokens: 500 });
    expect(expected).toBeGreaterThan(0);
    new CostMetrics({ meterProvider: provider }).record(pricedCall());
    const premium = sumMetric(await collectMetrics(reader), METRIC_CACHE_WRITE_PREMIUM);
    expect(premium.descriptor.unit).toBe('USD');
    expect(premium.dataPoints[0]!.value).toBeCloseTo(expected, 12);
    expect(premium.dataPoints[0]!.attributes['gen_ai.request.model']).toBe('claude-sonnet-4-5');
  });

  it('records nothing for a call without cache writes', async () => {
    const call = pricedCall();
    call.usage = { ...call.usage, inputTokens: 1200, cacheWriteTokens: 0 };
    new CostMetrics({ meterProvider: provider }).record(call);
    expect((await collectMetrics(reader)).has(METRIC_CACHE_WRITE_PREMIUM)).toBe(false);
  });
});

describe('time to first chunk and duration', () => {
  it('records seconds on distinct histograms with latency buckets', async () => {
    const recorder = new CostMetrics({ meterProvider: provider });
    recorder.record(pricedCall());
    recorder.record(unpricedCall('x'));
    const all = await collectMetrics(reader);
    const ttft = histogramMetric(all, METRIC_TIME_TO_FIRST_CHUNK);
    expect(ttft.descriptor.unit).toBe('s');
    expect(ttft.dataPoints).toHaveLength(1); // the unpriced call did not stream
    expect(ttft.dataPoints[0]!.value.sum).toBeCloseTo(0.42);
    expect(ttft.dataPoints[0]!.value.buckets.boundaries).toEqual([...LATENCY_BUCKETS_SECONDS]);
    const duration = histogramMetric(all, METRIC_CALL_DURATION);
    expect(duration.dataPoints.map((p) => p.value.sum).sort()).toEqual([1, 2.5]);
  });
});

describe('unpriced calls', () => {
  it('counts calls that could not be priced by reason, without a cost point', async () => {
    const recorder = new CostMetrics({ meterProvider: provider });
    recorder.record(unpricedCall('mystery-1'));
    recorder.record(unpricedCall('mystery-1'));
    recorder.record(unpricedCall('gpt-4o', 'no_usage'));
    const all = await collectMetrics(reader);
    expect(all.has(METRIC_COST)).toBe(false);
    const unpriced = sumMetric(all, METRIC_UNPRICED_CALLS);
    const points = unpriced.dataPoints.map((p) => [
      p.attributes['gen_ai.cost.unpriced_reason'],
      p.attributes['gen_ai.request.model'],
      p.value,
    ]);
    expect(points.sort()).toEqual([
      ['no_usage', 'gpt-4o', 1],
      ['unknown_model', 'mystery-1', 2],
    ]);
  });
});

describe('cardinality', () => {
  it('caps distinct raw model values; later ones collapse to _other with one warning', async () => {
    const recorder = new CostMetrics({ meterProvider: provider, cardinalityLimit: 2 });
    for (const model of ['a', 'b', 'c', 'd', 'a']) recorder.record(unpricedCall(model));
    const unpriced = sumMetric(await collectMetrics(reader), METRIC_UNPRICED_CALLS);
    const byModel = Object.fromEntries(unpriced.dataPoints.map((p) => [p.attributes['gen_ai.request.model'], p.value]));
    expect(byModel).toEqual({ a: 2, b: 1, _other: 2 });
    expect(logger.warnings.filter((w) => w.includes('gen_ai.request.model'))).toHaveLength(1);
  });

  it('cuts very long attribute values (an untrusted model id) to 128 characters', async () => {
    const recorder = new CostMetrics({ meterProvider: provider });
    recorder.record(unpricedCall('m'.repeat(100_000)));
    recorder.record(pricedCall({ attributes: { 'app.feature': 'x' } }));
    const unpriced = sumMetric(await collectMetrics(reader), METRIC_UNPRICED_CALLS);
    expect(unpriced.dataPoints[0]!.attributes['gen_ai.request.model']).toBe('m'.repeat(128));
  });

  it('adds opt-in span attributes as dimensions, each capped', async () => {
    const recorder = new CostMetrics({
      meterProvider: provider,
      dimensions: ['enduser.id', 'app.feature', 'absent.key'],
      cardinalityLimit: 2,
    });
    for (const user of ['alice', 'bob', 'carol']) {
      recorder.record(pricedCall({ attributes: { 'enduser.id': user, 'app.feature': 'search', 'not.listed': 'x' } }));
    }
    const cost = histogramMetric(await collectMetrics(reader), METRIC_COST);
    const users = cost.dataPoints.map((p) => p.attributes['enduser.id']).sort();
    expect(users).toEqual(['_other', 'alice', 'bob']);
    for (const p of cost.dataPoints) {
      expect(p.attributes['app.feature']).toBe('search');
      expect(p.attributes).not.toHaveProperty('not.listed');
      expect(p.attributes).not.toHaveProperty('absent.key');
    }
    expect(logger.warnings.filter((w) => w.includes('enduser.id'))).toHaveLength(1);
  });

  it('corrects an invalid limit or dimension list with a warning', async () => {
    const recorder = new CostMetrics({
      meterProvider: provider,
      cardinalityLimit: 0,
      dimensions: 'enduser.id' as unknown as string[],
    });
    expect(logger.warnings.some((w) => w.includes('cardinalityLimit'))).toBe(true);
    expect(logger.warnings.some((w) => w.includes('dimensions'))).toBe(true);
    recorder.record(pricedCall());
    const cost = histogramMetric(await collectMetrics(reader), METRIC_COST);
    expect(cost.dataPoints[0]!.attributes).not.toHaveProperty('enduser.id');
    expect(cost.dataPoints[0]!.attributes['gen_ai.request.model']).toBe('claude-sonnet-4-5');
  });
});

describe('global MeterProvider', () => {
  it('records on a provider registered after the recorder was built and first used', async () => {
    const recorder = new CostMetrics();
    recorder.record(pricedCall()); // no provider yet: a no-op, and no error
    metrics.setGlobalMeterProvider(provider);
    recorder.record(pricedCall());
    const cost = histogramMetric(await collectMetrics(reader), METRIC_COST);
    expect(cost.dataPoints[0]!.value.count).toBe(1);
  });

  it('a meter taken from the global API too early stays a no-op (why the lookup is lazy)', async () => {
    const early = metrics.getMeter('early').createCounter('early.counter');
    metrics.setGlobalMeterProvider(provider);
    early.add(1);
    expect((await collectMetrics(reader)).has('early.counter')).toBe(false);
  });
});

describe('never throws on the span path', () => {
  it('survives odd and hostile input', async () => {
    const recorder = new CostMetrics({ meterProvider: provider, dimensions: ['k'] });
    const odd: unknown[] = [
      undefined,
      null,
      {},
      { usage: null, result: null, durationSeconds: NaN, attributes: null },
      {
        usage: { inputTokens: -5, outputTokens: Infinity },
        result: { costUsd: NaN, breakdown: null },
        durationSeconds: -1,
        attributes: { k: ['array'] },
      },
      { usage: { inputTokens: '10' }, result: { costUsd: null }, durationSeconds: 1, attributes: { k: { nested: 1 } } },
      { usage: {}, result: { costUsd: 0.01, pricingKey: 42 }, ttftSeconds: 'soon', durationSeconds: 1, attributes: {} },
    ];
    for (const call of odd) expect(() => recorder.record(call as LlmCall)).not.toThrow();
    const all = await collectMetrics(reader);
    // The odd-but-valid parts were still recorded: a priced cost of 0.01 and unpriced calls.
    expect(histogramMetric(all, METRIC_COST).dataPoints[0]!.value.sum).toBeCloseTo(0.01);
    const unpriced = sumMetric(all, METRIC_UNPRICED_CALLS);
    expect(unpriced.dataPoints.reduce((a, p) => a + p.value, 0)).toBeGreaterThan(0);
    // No negative or non-finite value reached an instrument.
    for (const metric of all.values()) {
      for (const p of metric.dataPoints) {
        const v = typeof p.value === 'number' ? p.value : ((p.value as { sum?: number }).sum ?? 0);
        expect(Number.isFinite(v) && v >= 0).toBe(true);
      }
    }
  });

  it('survives a MeterProvider that throws, and warns once', () => {
    const broken = {
      getMeter: () => {
        throw new Error('boom');
      },
    };
    const recorder = new CostMetrics({ meterProvider: broken });
    expect(() => recorder.record(pricedCall())).not.toThrow();
    expect(() => recorder.record(pricedCall())).not.toThrow();
    expect(logger.warnings.filter((w) => w.includes('could not record'))).toHaveLength(1);
  });
});
