import { describe, expect, it } from 'vitest';
import {
  BasicTracerProvider,
  InMemorySpanExporter,
  SimpleSpanProcessor,
  type ReadableSpan,
} from '@opentelemetry/sdk-trace-base';
import {
  ATTR_COST_ROLLUP_USD,
  ATTR_COST_SOURCE,
  ATTR_COST_USD,
  ATTR_TIME_TO_FIRST_CHUNK,
} from '../../src/attributes.js';
import { CostSpanExporter } from '../../src/processor/cost-span-exporter.js';
import { markFirstChunk } from '../../src/processor/first-chunk.js';
import type { LlmCall } from '../../src/core/llm-call.js';
import { MeterProvider } from '@opentelemetry/sdk-metrics';
import { CostMetrics } from '../../src/metrics/cost-metrics.js';
import { CostSpanProcessor } from '../../src/processor/cost-span-processor.js';
import { collectMetrics, TestReader } from '../support/metric-reader.js';
import { child, FIXTURE_RATES, FixturePricer } from './helpers.js';

const LLM = {
  'gen_ai.request.model': 'fixture-model',
  'gen_ai.usage.input_tokens': 100,
  'gen_ai.usage.output_tokens': 10,
};
const EXPECTED = 100 * FIXTURE_RATES.input + 10 * FIXTURE_RATES.output;

/** The exporter wrapper behind one batch processor, and a second, plain exporter beside it. */
function setup() {
  const wrapped = new InMemorySpanExporter();
  const other = new InMemorySpanExporter();
  const calls: LlmCall[] = [];
  const exporter = new CostSpanExporter(wrapped, {
    priceBook: new FixturePricer(),
    recorder: { record: (c) => calls.push(c) },
  });
  // No CostSpanProcessor: this is the setup for SDKs without onEnding.
  const provider = new BasicTracerProvider({
    spanProcessors: [new SimpleSpanProcessor(exporter), new SimpleSpanProcessor(other)],
  });
  return { tracer: provider.getTracer('t'), wrapped, other, calls, exporter };
}

const find = (spans: ReadableSpan[], name: string) => spans.find((s) => s.name === name) as ReadableSpan;

describe('CostSpanExporter', () => {
  it('enriches a copy before delegating and leaves the spans other exporters see untouched', () => {
    const { tracer, wrapped, other, calls } = setup();
    const t0 = Date.now();
    const span = tracer.startSpan('chat', { attributes: LLM, startTime: t0 });
    markFirstChunk(span, t0 + 40);
    span.end(t0 + 100);
    const enriched = find(wrapped.getFinishedSpans(), 'chat');
    expect(enriched.attributes[ATTR_COST_USD]).toBeCloseTo(EXPECTED, 15);
    expect(enriched.attributes[ATTR_COST_SOURCE]).toBe('fixture@1');
    expect(enriched.attributes[ATTR_TIME_TO_FIRST_CHUNK]).toBeCloseTo(0.04, 6);
    expect(enriched.spanContext().spanId).toBe(span.spanContext().spanId);
    expect(enriched.duration).toEqual([0, 100_000_000]);
    const original = find(other.getFinishedSpans(), 'chat');
    expect(original.attributes[ATTR_COST_USD]).toBeUndefined();
    expect(original).not.toBe(enriched);
    expect(calls).toHaveLength(1);
  });

  it('rolls up within the batch it sees', async () => {
    const wrapped = new InMemorySpanExporter();
    const exporter = new CostSpanExporter(wrapped, { priceBook: new FixturePricer() });
    const provider = new BasicTracerProvider({ spanProcessors: [] });
    const tracer = provider.getTracer('t');
    const collected: ReadableSpan[] = [];
    const root = tracer.startSpan('root');
    const mid = child(tracer, 'mid', root);
    const a = child(tracer, 'a', mid, LLM);
    const b = child(tracer, 'b', root, LLM);
    for (const s of [a, b, mid, root]) {
      s.end();
      collected.push(s as unknown as ReadableSpan);
    }
    await new Promise<void>((resolve) => exporter.export(collected, () => resolve()));
    const out = wrapped.getFinishedSpans();
    expect(find(out, 'mid').attributes[ATTR_COST_ROLLUP_USD]).toBeCloseTo(EXPECTED, 12);
    expect(find(out, 'root').attributes[ATTR_COST_ROLLUP_USD]).toBeCloseTo(2 * EXPECTED, 12);
    // Ancestors outside the batch are not reachable: a lone child gets its cost, nobody a roll-up.
    await new Promise<void>((resolve) => exporter.export([collected[0] as ReadableSpan], () => resolve()));
    expect(wrapped.getFinishedSpans().at(-1)?.attributes[ATTR_COST_ROLLUP_USD]).toBeUndefined();
  });

  it('delegates shutdown once', async () => {
    const { exporter } = setup();
    const first = exporter.shutdown();
    expect(exporter.shutdown()).toBe(first);
    await first;
  });
});

describe('CostSpanProcessor and CostSpanExporter configured together', () => {
  async function run(limit?: number) {
    const reader = new TestReader();
    const meterProvider = new MeterProvider({ readers: [reader] });
    const recorder = new CostMetrics({ meterProvider });
    const memory = new InMemorySpanExporter();
    const provider = new BasicTracerProvider({
      ...(limit !== undefined ? { spanLimits: { attributeCountLimit: limit } } : {}),
      spanProcessors: [
        new CostSpanProcessor({ priceBook: new FixturePricer(), recorder }),
        new SimpleSpanProcessor(new CostSpanExporter(memory, { priceBook: new FixturePricer(), recorder })),
      ],
    });
    provider
      .getTracer('t')
      .startSpan('chat', {
        attributes: {
          'gen_ai.request.model': 'fixture-model',
          'gen_ai.usage.input_tokens': 100,
          'gen_ai.usage.output_tokens': 10,
        },
      })
      .end();
    const metrics = await collectMetrics(reader);
    const hist = metrics.get('gen_ai.usage.cost') as { dataPoints: { value: { count: number; sum: number } }[] };
    await meterProvider.shutdown();
    return { span: memory.getFinishedSpans()[0]!, count: hist.dataPoints.reduce((s, p) => s + p.value.count, 0) };
  }

  it('records each call once: the exporter sees the span is enriched already', async () => {
    const { span, count } = await run();
    expect(count).toBe(1);
    expect(span.attributes['gen_ai.usage.cost_usd']).toBeCloseTo(
      100 * FIXTURE_RATES.input + 10 * FIXTURE_RATES.output,
      15,
    );
  });

  it('records each call once even when the attribute limit left only the total on the span', async () => {
    // 3 attributes of the span + 1 free slot: only gen_ai.usage.cost_usd is kept.
    const { span, count } = await run(4);
    expect(Object.keys(span.attributes)).toContain('gen_ai.usage.cost_usd');
    expect(span.attributes['gen_ai.cost.source']).toBeUndefined();
    expect(count).toBe(1);
  });
});
