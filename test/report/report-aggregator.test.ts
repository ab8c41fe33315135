/**
 * The report's memory bounds: groups beyond the cap fold into one `(other)` group without losing
 * anything from the totals, and the top-traces candidates stay bounded while the heavy traces
 * survive. Calls are built from real OTLP/JSON spans priced by a PriceBook with a known entry.
 */
import { describe, expect, it } from 'vitest';
import { PriceBook } from '../../src/pricing/price-book.js';
import { forEachSpan } from '../../src/report/otlp-json.js';
import { SpanPricer } from '../../src/report/price-span.js';
import { ReportAggregator } from '../../src/report/report-aggregator.js';
import { TopTraces } from '../../src/report/top-traces.js';

const RATES = { input: 1e-6, output: 2e-6 };
const book = new PriceBook({
  embedded: false,
  overrides: [{ key: 'm1', provider: 'openai', rates: RATES, source: 'test' }],
});

function request(spans: { trace: number; user: string; input: number; output: number }[]): unknown {
  return {
    resourceSpans: [
      {
        resource: { attributes: [{ key: 'service.name', value: { stringValue: 'svc' } }] },
        scopeSpans: [
          {
            scope: { name: '@opentelemetry/instrumentation-openai', version: '0.21.0' },
            spans: spans.map((s, i) => ({
              traceId: s.trace.toString(16).padStart(32, '0'),
              spanId: (i + 1).toString(16).padStart(16, '0'),
              name: 'chat m1',
              startTimeUnixNano: '1793610000000000000',
              endTimeUnixNano: '1793610001000000000',
              attributes: [
                { key: 'gen_ai.system', value: { stringValue: 'openai' } },
                { key: 'gen_ai.request.model', value: { stringValue: 'm1' } },
                { key: 'gen_ai.usage.input_tokens', value: { intValue: String(s.input) } },
                { key: 'gen_ai.usage.output_tokens', value: { intValue: s.output } },
                { key: 'enduser.id', value: { stringValue: s.user } },
              ],
            })),
          },
        ],
      },
    ],
  };
}

function run(aggregator: ReportAggregator, data: unknown): void {
  const pricer = new SpanPricer({ pricer: book });
  forEachSpan(data, (span) => {
    const call = pricer.price(span);
    if (call !== undefined) aggregator.add(call);
  });
}

describe('ReportAggregator: bounded groups', () => {
  it('folds keys beyond maxGroups into (other) and keeps the totals exact', () => {
    const aggregator = new ReportAggregator({ by: ['attr:enduser.id'], maxGroups: 10 });
    const spans = Array.from({ length: 50 }, (_, i) => ({
      trace: i + 1,
      user: `u${i}`,
      input: 100 * (i + 1),
      output: 10,
    }));
    run(aggregator, request(spans));
    const result = aggregator.result();
    expect(result.groups).toHaveLength(11);
    const other = result.groups.find((g) => g.key['attr:enduser.id'] === '(other)');
    expect(other?.calls).toBe(40);
    const expected = spans.reduce((s, x) => s + x.input * RATES.input + x.output * RATES.output, 0);
    expect(result.total.cost_usd).toBeCloseTo(expected, 12);
    expect(result.groups.reduce((s, g) => s + g.cost_usd, 0)).toBeCloseTo(expected, 12);
    expect(result.total.calls).toBe(50);
  });
});

describe('TopTraces: bounded candidates', () => {
  it('keeps the most expensive traces among many more than its capacity', () => {
    const top = new TopTraces(3, 20);
    // 1,000 cheap single-call traces around three expensive ones whose calls are spread out.
    for (let i = 0; i < 1000; i++) {
      top.add(`cheap-${i}`, 0.001, 0, null);
      if (i % 100 === 0)
        for (const heavy of ['a', 'b', 'c'])
          top.add(`heavy-${heavy}`, heavy === 'a' ? 3 : heavy === 'b' ? 2 : 1, 0, null);
    }
    const result = top.result();
    expect(result.map((t) => t.trace_id)).toEqual(['heavy-a', 'heavy-b', 'heavy-c']);
    expect(result[0]?.cost_usd).toBeCloseTo(30, 9);
    expect(result[0]?.calls).toBe(10);
  });
});
