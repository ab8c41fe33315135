import { afterEach, describe, expect, it } from 'vitest';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { CostMetrics } from '../src/metrics/cost-metrics.js';
import { PriceBook } from '../src/pricing/price-book.js';
import { CostSpanProcessor } from '../src/processor/cost-span-processor.js';
import { createPriceBook } from '../src/sources/price-source.js';
import { llmCostNodeSDKOptions } from '../src/setup.js';
import { DiagOnce } from '../src/diag.js';
import { captureDiag } from './processor/helpers.js';

/**
 * What a user filtering the log relies on (docs/architecture.md, "Logging" and "Options"): every
 * message of the package starts with `otel-llm-cost: `, a bad option is named once with what was
 * expected and the value used instead, and a repeated cause is reported once.
 */
let restore: (() => void) | undefined;
afterEach(() => {
  restore?.();
  restore = undefined;
});

describe('logging: one prefix, one wording for bad options', () => {
  it('every constructor reports bad options under otel-llm-cost:, each once, with the default used', async () => {
    const d = captureDiag();
    restore = d.restore;
    const dir = mkdtempSync(join(tmpdir(), 'otel-llm-cost-diag-'));
    try {
      const missing = join(dir, 'no-such-prices.json');
      const processor = new CostSpanProcessor({
        priceBook: new PriceBook(),
        maxPendingRollups: -3,
        maxTrackedSpans: 1.5,
        dimensions: ['enduser.id'],
        trustedCostAttributes: 'cost' as never,
        inputAccounting: { providers: { anthropic: 'sometimes' as never } },
        interop: { phoenix: true } as never,
      });
      new CostMetrics({ cardinalityLimit: 0 });
      new PriceBook({ memoSize: -1 });
      const source = createPriceBook({ fetchTimeoutMs: -5, pricesPath: missing });
      await source.shutdown();
      await processor.shutdown();

      expect(d.messages, d.messages.join('\n')).toHaveLength(9);
      for (const m of d.messages) expect(m.startsWith('otel-llm-cost: '), m).toBe(true);
      const about = (name: string) => d.messages.filter((m) => m.includes(name));
      expect(
        about('option maxPendingRollups=-3 is invalid (a positive integer is expected); using 10000'),
      ).toHaveLength(1);
      expect(about('option maxTrackedSpans=1.5 is invalid (a positive integer is expected)')).toHaveLength(1);
      expect(
        about('option CostMetricsOptions.cardinalityLimit=0 is invalid (a positive integer is expected); using 100'),
      ).toHaveLength(1);
      expect(about('option memoSize=-1 is invalid (a positive integer is expected); using 2048')).toHaveLength(1);
      expect(about('option fetchTimeoutMs=-5 is invalid (an integer from 1 to')).toHaveLength(1);
      expect(about('trustedCostAttributes')).toHaveLength(1);
      expect(about("providers['anthropic']")).toHaveLength(1);
      expect(about("unknown interop target 'phoenix'")).toHaveLength(1);
      expect(about(`could not load prices from ${missing}`)).toHaveLength(1);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });

  it('metricExportIntervalMillis is checked when metrics are exported', async () => {
    const d = captureDiag();
    restore = d.restore;
    const exporter = { export: () => {}, shutdown: () => Promise.resolve(), forceFlush: () => Promise.resolve() };
    const { metricReaders, spanProcessors } = llmCostNodeSDKOptions({
      metricExportIntervalMillis: 0,
      metricExporter: exporter as never,
      traceExporter: { export: () => {}, shutdown: () => Promise.resolve() },
    });
    expect(metricReaders).toHaveLength(1);
    await Promise.all(spanProcessors.map((p) => p.shutdown()));
    expect(d.messages).toEqual([
      'otel-llm-cost: option metricExportIntervalMillis=0 is invalid (a positive number is expected); ' +
        'using the default',
    ]);
  });
});

describe('DiagOnce', () => {
  it('reports a cause once, again after it is forgotten, and names the component of a failed step', () => {
    const d = captureDiag();
    restore = d.restore;
    const once = new DiagOnce('CostSpanExporter');
    expect(once.warn('fetch:timeout', 'could not fetch')).toBe(true);
    expect(once.warn('fetch:timeout', 'could not fetch')).toBe(false);
    expect(once.warn('fetch:http_status', 'could not fetch (503)')).toBe(true);
    once.forget((cause) => cause === 'fetch:timeout');
    expect(once.warn('fetch:timeout', 'could not fetch')).toBe(true);
    once.error('pricing a span', new Error('boom'));
    once.error('pricing a span', new Error('boom'));
    expect(d.messages).toEqual([
      'otel-llm-cost: could not fetch',
      'otel-llm-cost: could not fetch (503)',
      'otel-llm-cost: could not fetch',
      'otel-llm-cost: pricing a span failed in CostSpanExporter; further failures of this kind are not reported',
    ]);
  });
});
