/**
 * End to end through the real processor: spans on a real TracerProvider, CostSpanProcessor with
 * a CostMetrics recorder on a real MeterProvider. What users rely on: the metric agrees with the
 * span attribute, wrapper spans that repeat their child's usage are not counted twice, and
 * streaming TTFT reaches the TTFT histogram.
 */
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { context, trace } from '@opentelemetry/api';
import { MeterProvider, type HistogramMetricData, type SumMetricData } from '@opentelemetry/sdk-metrics';
import { BasicTracerProvider, InMemorySpanExporter, SimpleSpanProcessor } from '@opentelemetry/sdk-trace-base';
import { ATTR_COST_USD } from '../../src/attributes.js';
import { CostSpanProcessor } from '../../src/processor/cost-span-processor.js';
import { CostMetrics } from '../../src/metrics/cost-metrics.js';
import type { CostResult, NormalizedUsage } from '../../src/pricing/types.js';
import { TestReader, collectMetrics } from '../support/metric-reader.js';

/** $2/M uncached input, $0.20/M cache read, $2.50/M cache write, $10/M output, for `m-known`. */
const pricer = {
  price(usage: NormalizedUsage): CostResult {
    if (usage.model !== 'm-known') return { costUsd: null, reason: 'unknown_model' };
    const read = usage.cacheReadTokens ?? 0;
    const write = usage.cacheWriteTokens ?? 0;
    const parts = {
      input: ((usage.inputTokens ?? 0) - read - write) * 2e-6,
      cacheRead: read * 0.2e-6,
      cacheWrite: write * 2.5e-6,
      output: (usage.outputTokens ?? 0) * 10e-6,
    };
    return {
      costUsd: parts.input + parts.cacheRead + parts.cacheWrite + parts.output,
      breakdown: parts,
      pricingKey: 'm-known',
      match: 'exact',
      source: 'test',
    };
  },
};

let reader: TestReader;
let meterProvider: MeterProvider;
let spans: InMemorySpanExporter;
let tracerProvider: BasicTracerProvider;

beforeEach(() => {
  reader = new TestReader();
  meterProvider = new MeterProvider({ readers: [reader] });
  spans = new InMemorySpanExporter();
  tracerProvider = new BasicTracerProvider({
    spanProcessors: [
      new CostSpanProcessor({ priceBook: pricer, recorder: new CostMetrics({ meterProvider }) }),
      new SimpleSpanProcessor(spans),
    ],
  });
});

afterEach(async () => {
  await tracerProvider.shutdown();
  await meterProvider.shutdown();
});

describe('metrics recorded through CostSpanProcessor', () => {
  it('records the same cost on the histogram as on the span, tokens by type included', async () => {
    const tracer = tracerProvider.getTracer('app');
    tracer
      .startSpan('chat m-known', {
        attributes: {
          'gen_ai.operation.name': 'chat',
          'gen_ai.provider.name': 'openai',
          'gen_ai.request.model': 'm-known',
          'gen_ai.usage.input_tokens': 1000,
          'gen_ai.usage.cache_read.input_tokens': 600,
          'gen_ai.usage.output_tokens': 50,
        },
      })
      .end();
    const spanCost = spans.getFinishedSpans()[0]!.attributes[ATTR_COST_USD] as number;
    expect(spanCost).toBeCloseTo(400 * 2e-6 + 600 * 0.2e-6 + 50 * 10e-6, 12);

    const all = await collectMetrics(reader);
    const cost = all.get('gen_ai.usage.cost') as HistogramMetricData;
    expect(cost.dataPoints[0]!.value.sum).toBeCloseTo(spanCost, 15);
    expect(cost.dataPoints[0]!.attributes['gen_ai.request.model']).toBe('m-known');
    const tokens = all.get('gen_ai.cost.tokens') as SumMetricData;
    expect(Object.fromEntries(tokens.dataPoints.map((p) => [p.attributes['gen_ai.token.type'], p.value]))).toEqual({
      input: 400,
      cache_read: 600,
      output: 50,
    });
  });

  it('does not count a Vercel AI SDK wrapper span that repeats its child’s usage', async () => {
    const tracer = tracerProvider.getTracer('ai');
    const usage = {
      'ai.usage.inputTokens': 300,
      'ai.usage.outputTokens': 30,
      'ai.model.id': 'm-known',
      'ai.model.provider': 'openai.chat',
    };
    const parent = tracer.startSpan('ai.generateText', {
      attributes: { 'ai.operationId': 'ai.generateText', ...usage },
    });
    const child = tracer.startSpan(
      'ai.generateText.doGenerate',
      {
        attributes: {
          'ai.operationId': 'ai.generateText.doGenerate',
          'gen_ai.system': 'openai.chat',
          'gen_ai.request.model': 'm-known',
          'gen_ai.usage.input_tokens': 300,
          'gen_ai.usage.output_tokens': 30,
          ...usage,
        },
      },
      trace.setSpan(context.active(), parent),
    );
    child.end();
    parent.end();

    const all = await collectMetrics(reader);
    const cost = all.get('gen_ai.usage.cost') as HistogramMetricData;
    expect(cost.dataPoints).toHaveLength(1);
    expect(cost.dataPoints[0]!.value.count).toBe(1);
    expect(cost.dataPoints[0]!.value.sum).toBeCloseTo(300 * 2e-6 + 30 * 10e-6, 12);
    const duration = all.get('gen_ai.cost.call.duration') as HistogramMetricData;
    expect(duration.dataPoints.reduce((n, p) => n + p.value.count, 0)).toBe(1);
  });

  it('counts an unknown model as unpriced and records its TTFT', async () => {
    const tracer = tracerProvider.getTracer('app');
    tracer
      .startSpan('chat m-unknown', {
        attributes: {
          'gen_ai.operation.name': 'chat',
          'gen_ai.provider.name': 'openai',
          'gen_ai.request.model': 'm-unknown',
          'gen_ai.usage.input_tokens': 10,
          'gen_ai.usage.output_tokens': 5,
          'gen_ai.response.time_to_first_chunk': 0.25,
        },
      })
      .end();
    const all = await collectMetrics(reader);
    expect(all.has('gen_ai.usage.cost')).toBe(false);
    const unpriced = all.get('gen_ai.cost.unpriced_calls') as SumMetricData;
    expect(unpriced.dataPoints[0]!.attributes).toMatchObject({
      'gen_ai.cost.unpriced_reason': 'unknown_model',
      'gen_ai.request.model': 'm-unknown',
    });
    const ttft = all.get('gen_ai.cost.call.time_to_first_chunk') as HistogramMetricData;
    expect(ttft.dataPoints[0]!.value.sum).toBeCloseTo(0.25);
  });
});
