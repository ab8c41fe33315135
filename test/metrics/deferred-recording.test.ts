/**
 * CostMetrics does not call the metrics SDK on the span path: counters are cumulative totals
 * reported by observable counters, histogram values are buffered and replayed into the SDK's
 * histograms by the batch observable callback at collection time (docs/metrics.md, "How
 * recording stays cheap"). These tests hold it to what synchronous instruments gave: every
 * value recorded before a collection is in it, exactly, for every reader and every provider.
 */
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import {
  metrics,
  type Attributes,
  type Histogram,
  type Meter,
  type MeterProvider as ApiMeterProvider,
} from '@opentelemetry/api';
import {
  AggregationTemporality,
  DataPointType,
  InMemoryMetricExporter,
  MeterProvider,
  PeriodicExportingMetricReader,
  type HistogramMetricData,
  type MetricData,
  type SumMetricData,
} from '@opentelemetry/sdk-metrics';
import { CostMetrics } from '../../src/metrics/cost-metrics.js';
import { DEFAULT_PENDING_CAPACITY } from '../../src/metrics/pending-histogram-values.js';
import { MAX_SERIES } from '../../src/metrics/call-series.js';
import {
  COST_BUCKETS_USD,
  LATENCY_BUCKETS_SECONDS,
  METRIC_CALL_DURATION,
  METRIC_COST,
  METRIC_TIME_TO_FIRST_CHUNK,
  METRIC_TOKENS,
  METRIC_UNPRICED_CALLS,
  METRIC_CACHE_SAVINGS,
} from '../../src/metrics/instruments.js';
import type { LlmCall } from '../../src/core/llm-call.js';
import { TestReader, collectMetrics, histogramMetric, metricsByName } from '../support/metric-reader.js';

/** The value of the one data point of histogram `name`. */
function histogramPoint(all: Map<string, MetricData>, name: string) {
  const m = histogramMetric(all, name);
  expect(m.dataPoints).toHaveLength(1);
  return m.dataPoints[0]!.value;
}

function tokensByType(all: Map<string, MetricData>): Record<string, number> {
  const m = all.get(METRIC_TOKENS) as SumMetricData;
  return Object.fromEntries(m.dataPoints.map((p) => [String(p.attributes['gen_ai.token.type']), p.value]));
}

/** A priced call whose cost, TTFT and duration vary with `i`, so order and bucket errors show. */
function call(i: number, overrides: Partial<LlmCall> = {}): LlmCall {
  return {
    usage: {
      model: 'gpt-4o',
      provider: 'openai',
      inputTokens: 100 + i,
      cacheReadTokens: 40,
      outputTokens: 10 + (i % 7),
    },
    result: {
      kind: 'priced',
      costUsd: 0.0001 * ((i * 37) % 101) + 0.00003 * i,
      breakdown: { input: 0.0002, cacheRead: 0.00001, cacheWrite: 0, output: 0.0003 },
      pricingKey: 'gpt-4o',
      match: 'exact',
      source: 'test',
    },
    operation: 'chat',
    ttftSeconds: 0.01 * ((i * 13) % 97),
    durationSeconds: 0.05 * ((i * 29) % 89),
    attributes: {},
    ...overrides,
  };
}

/**
 * The reference: the same values recorded straight into synchronous SDK histograms with the
 * same boundaries, as CostMetrics did before it buffered them, collected at the same points.
 */
function referenceHistograms() {
  const reader = new TestReader();
  const provider = new MeterProvider({ readers: [reader] });
  const meter = provider.getMeter('reference');
  const cost = meter.createHistogram('cost', { advice: { explicitBucketBoundaries: [...COST_BUCKETS_USD] } });
  const ttft = meter.createHistogram('ttft', { advice: { explicitBucketBoundaries: [...LATENCY_BUCKETS_SECONDS] } });
  const duration = meter.createHistogram('duration', {
    advice: { explicitBucketBoundaries: [...LATENCY_BUCKETS_SECONDS] },
  });
  return {
    record(c: LlmCall) {
      cost.record(c.result.costUsd as number);
      ttft.record(c.ttftSeconds!);
      duration.record(c.durationSeconds);
    },
    async collect() {
      const all = await collectMetrics(reader);
      return {
        cost: histogramPoint(all, 'cost'),
        ttft: histogramPoint(all, 'ttft'),
        duration: histogramPoint(all, 'duration'),
      };
    },
    shutdown: () => provider.shutdown(),
  };
}

/** A MeterProvider whose histograms count the records that reach the SDK. */
function countingProvider(inner: ApiMeterProvider): { provider: ApiMeterProvider; records: () => number } {
  let records = 0;
  const wrapMeter = (meter: Meter): Meter =>
    new Proxy(meter, {
      get(target, prop, receiver) {
        if (prop === 'createHistogram') {
          return (...args: Parameters<Meter['createHistogram']>): Histogram => {
            const histogram = target.createHistogram(...args);
            return {
              record(value: number, attributes?: Attributes) {
                records++;
                histogram.record(value, attributes);
              },
            };
          };
        }
        const value = Reflect.get(target, prop, receiver) as unknown;
        return typeof value === 'function' ? (value as (...a: unknown[]) => unknown).bind(target) : value;
      },
    });
  return { provider: { getMeter: (...args) => wrapMeter(inner.getMeter(...args)) }, records: () => records };
}

let reader: TestReader;
let provider: MeterProvider;

beforeEach(() => {
  reader = new TestReader();
  provider = new MeterProvider({ readers: [reader] });
});

afterEach(async () => {
  await provider.shutdown();
  metrics.disable();
});

describe('histogram values are replayed at collection', () => {
  it('every value recorded between collections lands, with the exact count, sum, min, max and buckets', async () => {
    const recorder = new CostMetrics({ meterProvider: provider });
    const reference = referenceHistograms();
    const calls = Array.from({ length: 1234 }, (_, i) => call(i));
    // Three collections, values recorded before each: a cumulative reader sees all so far.
    for (const [from, to] of [
      [0, 500],
      [500, 501],
      [501, 1234],
    ] as const) {
      for (let i = from; i < to; i++) {
        recorder.record(calls[i]!);
        reference.record(calls[i]!);
      }
      const all = await collectMetrics(reader);
      const expected = await reference.collect();
      expect(histogramPoint(all, METRIC_COST)).toEqual(expected.cost);
      expect(histogramPoint(all, METRIC_TIME_TO_FIRST_CHUNK)).toEqual(expected.ttft);
      expect(histogramPoint(all, METRIC_CALL_DURATION)).toEqual(expected.duration);
      expect(histogramPoint(all, METRIC_COST).count).toBe(to);
    }
    await reference.shutdown();
  });

  it('a collection with nothing new recorded reports the same cumulative points', async () => {
    const recorder = new CostMetrics({ meterProvider: provider });
    recorder.record(call(1));
    const first = histogramPoint(await collectMetrics(reader), METRIC_COST);
    const second = histogramPoint(await collectMetrics(reader), METRIC_COST);
    expect(second).toEqual(first);
    expect(second.count).toBe(1);
  });

  it('a delta reader gets only the values recorded since its last collection', async () => {
    const deltaReader = new TestReader({ temporality: AggregationTemporality.DELTA });
    const deltaProvider = new MeterProvider({ readers: [deltaReader] });
    const recorder = new CostMetrics({ meterProvider: deltaProvider });
    for (let i = 0; i < 10; i++) recorder.record(call(i));
    expect(histogramPoint(await collectMetrics(deltaReader), METRIC_COST).count).toBe(10);
    for (let i = 0; i < 3; i++) recorder.record(call(i));
    const all = await collectMetrics(deltaReader);
    expect(histogramPoint(all, METRIC_COST).count).toBe(3);
    expect(tokensByType(all)).toEqual({ input: 3 * 60 + 3, cache_read: 120, output: 30 + 3 });
    await deltaProvider.shutdown();
  });

  it('reaches a push exporter on forceFlush and on shutdown', async () => {
    const exporter = new InMemoryMetricExporter(AggregationTemporality.CUMULATIVE);
    const periodic = new PeriodicExportingMetricReader({ exporter, exportIntervalMillis: 60_000 });
    const pushProvider = new MeterProvider({ readers: [periodic] });
    const recorder = new CostMetrics({ meterProvider: pushProvider });
    recorder.record(call(1));
    await pushProvider.forceFlush();
    let exported = exporter.getMetrics();
    expect(histogramPoint(metricsByName(exported[exported.length - 1]!), METRIC_COST).count).toBe(1);
    recorder.record(call(2));
    await pushProvider.shutdown();
    exported = exporter.getMetrics();
    const last = metricsByName(exported[exported.length - 1]!);
    expect(histogramPoint(last, METRIC_COST).count).toBe(2);
    expect(tokensByType(last).cache_read).toBe(80);
  });
});

describe('the pending buffer is bounded', () => {
  it('replays synchronously on the record that fills it, and nothing is lost or doubled', async () => {
    const counting = countingProvider(provider);
    const recorder = new CostMetrics({ meterProvider: counting.provider });
    // Each call pushes three values (cost, TTFT, duration).
    const callsToFill = Math.ceil(DEFAULT_PENDING_CAPACITY / 3);
    for (let i = 0; i < callsToFill - 1; i++) recorder.record(call(i));
    expect(counting.records()).toBe(0); // nothing reached the SDK on the span path yet
    recorder.record(call(callsToFill - 1));
    // The push that filled the buffer replayed it; the call's later values wait for the next.
    expect(counting.records()).toBe(DEFAULT_PENDING_CAPACITY);
    for (let i = 0; i < 10; i++) recorder.record(call(i));
    expect(counting.records()).toBe(DEFAULT_PENDING_CAPACITY);

    const all = await collectMetrics(reader);
    expect(counting.records()).toBe((callsToFill + 10) * 3);
    expect(histogramPoint(all, METRIC_COST).count).toBe(callsToFill + 10);
    expect(histogramPoint(all, METRIC_CALL_DURATION).count).toBe(callsToFill + 10);
  });

  it('with no reader collecting, SDK records happen once per capacity values (memory stays bounded)', () => {
    const counting = countingProvider(new MeterProvider());
    const recorder = new CostMetrics({ meterProvider: counting.provider });
    const calls = DEFAULT_PENDING_CAPACITY * 2;
    for (let i = 0; i < calls; i++) recorder.record(call(i, { ttftSeconds: undefined }));
    // Two values per call; at most one buffer's worth is pending at any time.
    expect(calls * 2 - counting.records()).toBeLessThan(DEFAULT_PENDING_CAPACITY);
  });

  it('caps the number of series; further combinations share the SDK overflow series', async () => {
    const recorder = new CostMetrics({ meterProvider: provider, dimensions: ['enduser.id'], cardinalityLimit: 10_000 });
    for (let u = 0; u < MAX_SERIES + 50; u++) recorder.record(call(u, { attributes: { 'enduser.id': `user-${u}` } }));
    const cost = (await collectMetrics(reader)).get(METRIC_COST) as HistogramMetricData;
    const overflow = cost.dataPoints.filter((p) => p.attributes['otel.metric.overflow'] === true);
    expect(overflow).toHaveLength(1);
    expect(overflow[0]!.value.count).toBe(50);
    expect(cost.dataPoints.reduce((n, p) => n + p.value.count, 0)).toBe(MAX_SERIES + 50);
  });
});

describe('counters are cumulative totals reported at collection', () => {
  it('stay exact across several collections', async () => {
    const recorder = new CostMetrics({ meterProvider: provider });
    const unpriced: LlmCall = {
      ...call(0),
      result: { kind: 'unpriced', costUsd: null, reason: 'unknown_model' },
      usage: { model: 'mystery', provider: 'openai', inputTokens: 7, outputTokens: 3 },
    };
    let input = 0;
    let output = 0;
    let calls = 0;
    for (let round = 1; round <= 4; round++) {
      for (let i = 0; i < round * 5; i++) {
        const c = call(calls++);
        recorder.record(c);
        input += c.usage.inputTokens! - 40;
        output += c.usage.outputTokens!;
      }
      recorder.record(unpriced);
      const all = await collectMetrics(reader);
      const byType = Object.fromEntries(
        (all.get(METRIC_TOKENS) as SumMetricData).dataPoints
          .filter((p) => p.attributes['gen_ai.request.model'] === 'gpt-4o')
          .map((p) => [p.attributes['gen_ai.token.type'], p.value]),
      );
      expect(byType).toEqual({ input, cache_read: 40 * calls, output });
      const unpricedSum = all.get(METRIC_UNPRICED_CALLS) as SumMetricData;
      expect(unpricedSum.isMonotonic).toBe(true);
      expect(unpricedSum.dataPoints.map((p) => p.value)).toEqual([round]);
      // 40 reads × ($0.0002 / (100 + i − 40)) − $0.00001 per call: summed in record order.
      expect((all.get(METRIC_CACHE_SAVINGS) as SumMetricData).dataPoints[0]!.value).toBeGreaterThan(0);
    }
  });

  it('keep their names, units, descriptions and monotonicity', async () => {
    const recorder = new CostMetrics({ meterProvider: provider });
    recorder.record(call(1));
    recorder.record({ ...call(2), result: { kind: 'unpriced', costUsd: null, reason: 'no_model' } });
    const all = await collectMetrics(reader);
    for (const [name, unit] of [
      [METRIC_TOKENS, '{token}'],
      [METRIC_CACHE_SAVINGS, 'USD'],
      [METRIC_UNPRICED_CALLS, '{call}'],
    ] as const) {
      const m = all.get(name) as SumMetricData;
      expect(m.dataPointType).toBe(DataPointType.SUM);
      expect(m.isMonotonic).toBe(true);
      expect(m.descriptor.unit).toBe(unit);
      expect(m.descriptor.description.length).toBeGreaterThan(10);
    }
  });
});

describe('readers and providers', () => {
  it('two readers on one provider each see every value, whatever order they collect in', async () => {
    const a = new TestReader();
    const b = new TestReader();
    const shared = new MeterProvider({ readers: [a, b] });
    const recorder = new CostMetrics({ meterProvider: shared });
    for (let i = 0; i < 5; i++) recorder.record(call(i));
    expect(histogramPoint(await collectMetrics(a), METRIC_COST).count).toBe(5);
    for (let i = 0; i < 3; i++) recorder.record(call(i));
    const fromB = await collectMetrics(b); // B collects for the first time: all 8
    expect(histogramPoint(fromB, METRIC_COST).count).toBe(8);
    expect(tokensByType(fromB).cache_read).toBe(8 * 40);
    const fromA = await collectMetrics(a); // A sees the 3 that B's collection replayed
    expect(histogramPoint(fromA, METRIC_COST).count).toBe(8);
    expect(histogramPoint(fromA, METRIC_COST)).toEqual(histogramPoint(fromB, METRIC_COST));
    expect(tokensByType(fromA)).toEqual(tokensByType(fromB));
    await shared.shutdown();
  });

  it('follows a global provider swap: each provider keeps what was recorded while it was current', async () => {
    const recorder = new CostMetrics();
    const readerB = new TestReader();
    const providerB = new MeterProvider({ readers: [readerB] });

    metrics.setGlobalMeterProvider(provider);
    for (let i = 0; i < 4; i++) recorder.record(call(i));
    metrics.disable();
    metrics.setGlobalMeterProvider(providerB);
    for (let i = 0; i < 6; i++) recorder.record(call(i));

    // A was not collected before the swap: its pending values were replayed into it on the swap.
    const fromA = await collectMetrics(reader);
    expect(histogramPoint(fromA, METRIC_COST).count).toBe(4);
    expect(tokensByType(fromA).cache_read).toBe(4 * 40);
    const fromB = await collectMetrics(readerB);
    expect(histogramPoint(fromB, METRIC_COST).count).toBe(6);
    expect(tokensByType(fromB).cache_read).toBe(6 * 40);

    // Back to A: its totals continue from where they were, B's stay frozen.
    metrics.disable();
    metrics.setGlobalMeterProvider(provider);
    recorder.record(call(9));
    expect(histogramPoint(await collectMetrics(reader), METRIC_COST).count).toBe(5);
    expect(tokensByType(await collectMetrics(reader)).cache_read).toBe(5 * 40);
    expect(histogramPoint(await collectMetrics(readerB), METRIC_COST).count).toBe(6);
    await providerB.shutdown();
  });
});
