/**
 * The one-call setup against a real OTLP/HTTP receiver on loopback:
 * 1. the docs/metrics.md quick start, run as written (in a child process, `otel-llm-cost`
 *    mapped to src/), exports annotated spans and cost metrics to OTEL_EXPORTER_OTLP_ENDPOINT;
 * 2. in-process, the same helper with a price book: span cost and metric cost agree.
 */
import { execFile } from 'node:child_process';
import { mkdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { join, relative } from 'node:path';
import { promisify } from 'node:util';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { context, diag, DiagLogLevel, metrics, propagation, trace, type DiagLogger } from '@opentelemetry/api';
import { NodeSDK } from '@opentelemetry/sdk-node';
import { calcPrice } from '@pydantic/genai-prices';
import { ATTR_COST_UNPRICED_REASON, ATTR_COST_USD } from '../src/attributes.js';
import { llmCostNodeSDKOptions } from '../src/setup.js';
import type { CostResult, NormalizedUsage } from '../src/pricing/types.js';
import { startOtlpReceiver, type OtlpReceiver, type ReceivedMetric } from './support/otlp-receiver.js';

const ROOT = join(import.meta.dirname, '..');
const DOC = join(ROOT, 'docs', 'metrics.md');

/** The ```ts block right after the `<!-- quickstart` marker in docs/metrics.md. */
function quickStart(): string {
  const doc = readFileSync(DOC, 'utf8');
  const match = /<!-- quickstart[^>]*-->\s*```ts\n([\s\S]*?)```/.exec(doc);
  if (!match) throw new Error('no quickstart block in docs/metrics.md');
  return match[1]!;
}

/** $3/M input, $0.30/M cache read, $15/M output; only `gpt-4o` is known. */
const testPricer = {
  price(usage: NormalizedUsage): CostResult {
    if (usage.model !== 'gpt-4o') return { costUsd: null, reason: 'unknown_model' };
    const cacheRead = usage.cacheReadTokens ?? 0;
    const input = ((usage.inputTokens ?? 0) - cacheRead) * 3e-6;
    const read = cacheRead * 0.3e-6;
    const output = (usage.outputTokens ?? 0) * 15e-6;
    return {
      costUsd: input + read + output,
      breakdown: { input, cacheRead: read, cacheWrite: 0, output },
      pricingKey: 'gpt-4o',
      match: 'exact',
      source: 'test',
    };
  },
};

const LLM_ATTRIBUTES = {
  'gen_ai.operation.name': 'chat',
  'gen_ai.provider.name': 'openai',
  'gen_ai.request.model': 'gpt-4o',
  'gen_ai.usage.input_tokens': 1000,
  'gen_ai.usage.output_tokens': 200,
};

const metricNamed = (r: OtlpReceiver, name: string): ReceivedMetric[] => r.metrics().filter((m) => m.name === name);

let receiver: OtlpReceiver;
beforeEach(async () => {
  receiver = await startOtlpReceiver();
});
afterEach(async () => {
  await receiver.close();
});

describe('docs/metrics.md quick start', () => {
  it('is the quick start of the README, line for line', () => {
    const readme = readFileSync(join(ROOT, 'README.md'), 'utf8');
    expect(/<!-- quickstart[^>]*-->\s*```ts\n([\s\S]*?)```/.exec(readme)?.[1]).toBe(quickStart());
  });

  it('is at most 15 lines of code', () => {
    const lines = quickStart().split('\n').filter((l) => l.trim() !== '');
    expect(lines.length).toBeLessThanOrEqual(15);
    expect(quickStart()).toContain('...llmCostNodeSDKOptions()');
  });

  it('runs as written and prices with the embedded table and exports spans and cost metrics over OTLP', async () => {
    const dir = join(ROOT, 'node_modules', '.cache', 'otel-llm-cost-quickstart');
    mkdirSync(dir, { recursive: true });
    const file = join(dir, `quickstart-${process.pid}.mts`);
    const src = relative(dir, join(ROOT, 'src', 'index.js')).replaceAll('\\', '/');
    // The snippet unchanged except for where the package resolves from, then a workload:
    // one LLM span, a wait for a periodic export, and a shutdown that flushes both signals.
    writeFileSync(
      file,
      quickStart().replace("from 'otel-llm-cost'", `from '${src}'`) +
        `
import { trace as __trace } from '@opentelemetry/api';
const __span = __trace.getTracer('quickstart-test').startSpan('chat gpt-4o', { attributes: ${JSON.stringify(LLM_ATTRIBUTES)} });
__span.end();
await new Promise((r) => setTimeout(r, 700));
await sdk.shutdown();
`,
    );
    try {
      const { stderr } = await promisify(execFile)(process.execPath, ['--import', 'tsx', file], {
        cwd: ROOT,
        env: {
          ...process.env,
          OTEL_EXPORTER_OTLP_ENDPOINT: receiver.url,
          OTEL_METRIC_EXPORT_INTERVAL: '200',
          OTEL_LOG_LEVEL: 'error',
        },
        timeout: 45_000,
      });
      expect(receiver.rejected).toEqual([]);
      const span = receiver.spans().find((s) => s.name === 'chat gpt-4o');
      expect(span, `spans: ${JSON.stringify(receiver.spans().map((s) => s.name))}\n${stderr}`).toBeDefined();
      expect(span!.resource['service.name']).toBe('my-llm-app');
      // With no options the embedded table (from @pydantic/genai-prices) prices gpt-4o offline;
      // the expectation comes from genai-prices' own calculator, an independent oracle.
      const oracle = calcPrice({ input_tokens: 1000, output_tokens: 200 }, 'gpt-4o', { providerId: 'openai' });
      expect(oracle).not.toBeNull();
      expect(span!.attributes[ATTR_COST_UNPRICED_REASON]).toBeUndefined();
      const cost = span!.attributes[ATTR_COST_USD];
      expect(cost).toBeCloseTo(oracle!.total_price, 12);

      // A periodic export happened before shutdown (OTEL_METRIC_EXPORT_INTERVAL was honoured).
      expect(receiver.metricRequests.length).toBeGreaterThanOrEqual(2);
      const tokens = metricNamed(receiver, 'gen_ai.cost.tokens').at(-1);
      expect(tokens?.dataPoints.map((p) => [p.attributes['gen_ai.token.type'], p.value]).sort()).toEqual([
        ['input', 1000],
        ['output', 200],
      ]);
      expect(metricNamed(receiver, 'gen_ai.cost.call.duration').at(-1)?.dataPoints[0]?.count).toBe(1);
      expect(metricNamed(receiver, 'gen_ai.usage.cost').at(-1)?.dataPoints[0]?.sum).toBeCloseTo(cost as number, 12);
    } finally {
      rmSync(file, { force: true });
    }
  });
});

describe('llmCostNodeSDKOptions in process', () => {
  let sdk: NodeSDK | undefined;
  const savedEnv = { ...process.env };

  afterEach(async () => {
    await sdk?.shutdown();
    sdk = undefined;
    // NodeSDK does not unregister globals on shutdown: clear them for the next test.
    trace.disable();
    metrics.disable();
    context.disable();
    propagation.disable();
    diag.disable();
    process.env = { ...savedEnv };
  });

  it('prices through the processor and reports the same cost on the span and the metric', async () => {
    process.env.OTEL_EXPORTER_OTLP_ENDPOINT = receiver.url;
    sdk = new NodeSDK({
      serviceName: 'setup-test',
      ...llmCostNodeSDKOptions({
        processor: { priceBook: testPricer },
        metrics: { dimensions: ['app.feature'] },
        metricExportIntervalMillis: 100,
      }),
    });
    sdk.start();
    const tracer = trace.getTracer('setup-test');
    tracer
      .startSpan('chat gpt-4o', { attributes: { ...LLM_ATTRIBUTES, 'gen_ai.usage.cache_read.input_tokens': 400, 'app.feature': 'search' } })
      .end();
    tracer.startSpan('chat mystery', { attributes: { ...LLM_ATTRIBUTES, 'gen_ai.request.model': 'mystery-model' } }).end();
    await receiver.waitFor((r) => metricNamed(r, 'gen_ai.cost.unpriced_calls').length > 0);
    await sdk.shutdown();
    sdk = undefined;

    // 600 uncached × $3/M + 400 read × $0.30/M + 200 out × $15/M
    const expected = 600 * 3e-6 + 400 * 0.3e-6 + 200 * 15e-6;
    const span = receiver.spans().find((s) => s.name === 'chat gpt-4o')!;
    expect(span.attributes[ATTR_COST_USD]).toBeCloseTo(expected, 12);
    expect(receiver.spans().find((s) => s.name === 'chat mystery')!.attributes[ATTR_COST_UNPRICED_REASON]).toBe('unknown_model');

    const cost = metricNamed(receiver, 'gen_ai.usage.cost').at(-1)!;
    expect(cost.unit).toBe('USD');
    expect(cost.resource['service.name']).toBe('setup-test');
    expect(cost.dataPoints).toHaveLength(1);
    expect(cost.dataPoints[0]!.sum).toBeCloseTo(expected, 12);
    expect(cost.dataPoints[0]!.explicitBounds?.[0]).toBe(0.00001);
    expect(cost.dataPoints[0]!.attributes).toEqual({
      'gen_ai.provider.name': 'openai',
      'gen_ai.request.model': 'gpt-4o',
      'gen_ai.operation.name': 'chat',
      'app.feature': 'search',
    });
    const savings = metricNamed(receiver, 'gen_ai.cost.cache_savings').at(-1)!;
    expect(savings.dataPoints[0]!.value).toBeCloseTo(400 * (3e-6 - 0.3e-6), 12);
    const unpriced = metricNamed(receiver, 'gen_ai.cost.unpriced_calls').at(-1)!;
    expect(unpriced.dataPoints[0]!.attributes['gen_ai.request.model']).toBe('mystery-model');
  });

  it('returns the cost processor before the export processor, and no reader when metrics are off', () => {
    const withMetrics = llmCostNodeSDKOptions();
    expect(withMetrics.spanProcessors.map((p) => p.constructor.name)).toEqual(['CostSpanProcessor', 'BatchSpanProcessor']);
    expect(withMetrics.metricReaders?.map((r) => r.constructor.name)).toEqual(['PeriodicExportingMetricReader']);
    const off = llmCostNodeSDKOptions({ metrics: false });
    expect(off).not.toHaveProperty('metricReaders');
    expect(off.spanProcessors).toHaveLength(2);
    void Promise.all([...withMetrics.spanProcessors, ...off.spanProcessors].map((p) => p.shutdown()));
    void Promise.all(withMetrics.metricReaders!.map((r) => r.shutdown()));
  });

  it('corrects an invalid export interval with a warning', async () => {
    const warnings: string[] = [];
    const logger: DiagLogger = {
      error() {},
      warn: (m: string) => void warnings.push(m),
      info() {},
      debug() {},
      verbose() {},
    };
    diag.setLogger(logger, DiagLogLevel.WARN);
    const { spanProcessors, metricReaders } = llmCostNodeSDKOptions({ metricExportIntervalMillis: -5 });
    expect(warnings.some((w) => w.includes('metricExportIntervalMillis'))).toBe(true);
    await Promise.all([...spanProcessors.map((p) => p.shutdown()), ...metricReaders!.map((r) => r.shutdown())]);
  });
});
