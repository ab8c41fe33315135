/**
 * The terminal summary of a demo run. Everything in it is read from what the product produced:
 * the attributes `CostSpanProcessor` wrote on the finished spans, the token counts read by the
 * package's own `readUsage`, and the `CostMetrics` instruments (cache savings). Nothing is priced
 * again here.
 */
import type { Attributes } from '@opentelemetry/api';
import type { ResourceMetrics } from '@opentelemetry/sdk-metrics';
import type { ReadableSpan } from '@opentelemetry/sdk-trace-base';
import {
  ATTR_COST_CACHE_READ_USD,
  ATTR_COST_PRICING_KEY,
  ATTR_COST_ROLLUP_USD,
  ATTR_COST_SOURCE,
  ATTR_COST_UNPRICED_REASON,
  ATTR_COST_USD,
  ATTR_TIME_TO_FIRST_CHUNK,
  METRIC_CACHE_SAVINGS,
  type NormalizedUsage,
} from 'otel-llm-cost';
// Not part of the public API: the demo reads token counts exactly as the processor does.
import { readUsage } from '../../src/conventions/read-usage.js';
import { normalizeProvider } from '../../src/pricing/providers.js';

/** Attribute the demo puts on each step span, to name the LLM calls beneath it. */
export const ATTR_STEP = 'demo.agent.step';

export interface SummaryInput {
  spans: readonly ReadableSpan[];
  metrics: ResourceMetrics;
  agentSpanName: string;
  /** Where spans and metrics were exported, if anywhere. */
  exportedTo: string | undefined;
}

/** One LLM call as the product reported it. */
interface CallRow {
  step: string;
  via: string;
  model: string;
  pricingKey: string | undefined;
  usage: NormalizedUsage;
  ttftS: number | undefined;
  costUsd: number | undefined;
  unpricedReason: string | undefined;
  source: string | undefined;
}

const UNPRICED_WHY: Record<string, string> = {
  unknown_model: 'no price table entry matches this model; price it with `pricing.overrides` or `pricing.aliases`',
  no_usage: 'the instrumentation recorded no token counts on the span',
  no_model: 'the span names no model',
  invalid_usage: 'the token counts on the span are unusable',
};

const SCOPE_LABELS: Record<string, string> = {
  '@opentelemetry/instrumentation-openai': 'otel openai',
  '@traceloop/instrumentation-anthropic': 'traceloop anthropic',
  ai: 'vercel ai',
};

export function renderSummary(input: SummaryInput): string {
  const byId = new Map(input.spans.map((s) => [s.spanContext().spanId, s]));
  const stepOf = (span: ReadableSpan): string => {
    for (let s: ReadableSpan | undefined = span; s; s = byId.get(s.parentSpanContext?.spanId ?? '')) {
      const step = s.attributes[ATTR_STEP];
      if (typeof step === 'string') return step;
    }
    return '?';
  };

  const rows: CallRow[] = input.spans
    .filter((s) => s.attributes[ATTR_COST_USD] !== undefined || s.attributes[ATTR_COST_UNPRICED_REASON] !== undefined)
    .sort((a, b) => compareHrTime(a.startTime, b.startTime))
    .map((span) => {
      const a = span.attributes;
      const scope = span.instrumentationScope;
      const usage = readUsage(a, { scopeName: scope.name, scopeVersion: scope.version, normalizeProvider }).usage;
      return {
        step: stepOf(span),
        via: SCOPE_LABELS[scope.name] ?? scope.name,
        model: usage.model ?? '?',
        pricingKey: str(a, ATTR_COST_PRICING_KEY),
        usage,
        ttftS: num(a, ATTR_TIME_TO_FIRST_CHUNK),
        costUsd: num(a, ATTR_COST_USD),
        unpricedReason: str(a, ATTR_COST_UNPRICED_REASON),
        source: str(a, ATTR_COST_SOURCE),
      };
    });

  const out: string[] = [];
  out.push('', `LLM calls (${rows.length}) — cost as written on each span by CostSpanProcessor`, '');
  out.push(
    ...table(
      [
        'step',
        'instrumentation',
        'model',
        'priced as',
        'input',
        'cache read',
        'cache write',
        'output',
        'reasoning',
        'TTFT',
        'cost',
      ],
      rows.map((r) => [
        r.step,
        r.via,
        r.model,
        r.pricingKey ?? '-',
        tokens(r.usage.inputTokens),
        tokens(r.usage.cacheReadTokens),
        tokens(r.usage.cacheWriteTokens),
        tokens(r.usage.outputTokens),
        tokens(r.usage.reasoningTokens),
        r.ttftS === undefined ? '-' : `${Math.round(r.ttftS * 1000)} ms`,
        r.costUsd === undefined ? `unpriced` : usd(r.costUsd),
      ]),
      [4, 5, 6, 7, 8, 9, 10],
    ),
  );
  out.push('  input includes cache reads and writes, output includes reasoning (OpenTelemetry GenAI meaning);');
  out.push('  TTFT only where the instrumentation records it (the Vercel AI SDK does) or the app calls markFirstChunk');

  const priced = rows.filter((r) => r.costUsd !== undefined);
  const models = new Map<string, { calls: number; input: number; output: number; cost: number }>();
  for (const r of priced) {
    const m = models.get(r.pricingKey!) ?? { calls: 0, input: 0, output: 0, cost: 0 };
    m.calls += 1;
    m.input += r.usage.inputTokens ?? 0;
    m.output += r.usage.outputTokens ?? 0;
    m.cost += r.costUsd!;
    models.set(r.pricingKey!, m);
  }
  const total = priced.reduce((sum, r) => sum + r.costUsd!, 0);
  const modelRows = [...models].sort((a, b) => b[1].cost - a[1].cost);
  out.push('', 'Totals by model', '');
  out.push(
    ...table(
      ['model', 'calls', 'input', 'output', 'cost', 'share'],
      [
        ...modelRows.map(([key, m]) => [
          key,
          String(m.calls),
          tokens(m.input),
          tokens(m.output),
          usd(m.cost),
          pct(m.cost, total),
        ]),
        ['total', String(priced.length), '', '', usd(total), ''],
      ],
      [1, 2, 3, 4, 5],
    ),
  );
  const sources = [...new Set(priced.map((r) => r.source).filter((s) => s !== undefined))];
  if (sources.length > 0) out.push(`  prices: ${sources.join(', ')}`);

  const agent = input.spans.find((s) => s.name === input.agentSpanName);
  const rollup = agent === undefined ? undefined : num(agent.attributes, ATTR_COST_ROLLUP_USD);
  if (agent !== undefined) {
    out.push(
      '',
      `Request span "${input.agentSpanName}" (trace ${agent.spanContext().traceId})`,
      `  ${ATTR_COST_ROLLUP_USD} = ${rollup === undefined ? '-' : usd(rollup)}  ` +
        '(every priced call beneath it, rolled up by the processor)',
    );
  }

  const savings = cacheSavingsByModel(input.metrics);
  const cacheRead = rows.reduce((sum, r) => sum + (r.usage.cacheReadTokens ?? 0), 0);
  const cacheWrite = rows.reduce((sum, r) => sum + (r.usage.cacheWriteTokens ?? 0), 0);
  const saved = [...savings.values()].reduce((a, b) => a + b, 0);
  out.push('', 'Prompt caching', '');
  out.push(`  ${tokens(cacheRead)} tokens read from cache, ${tokens(cacheWrite)} written to it`);
  out.push(
    `  saved ${usd(saved)} against paying the uncached input rate for the cache reads (${METRIC_CACHE_SAVINGS})`,
  );
  if (savings.size > 0) {
    out.push(
      ...table(
        ['model', 'saved'],
        [...savings].sort((a, b) => b[1] - a[1]).map(([model, v]) => [model, usd(v)]),
        [1],
      ).map((line) => `  ${line}`),
    );
  }
  const readCost = input.spans.reduce((sum, s) => sum + (num(s.attributes, ATTR_COST_CACHE_READ_USD) ?? 0), 0);
  if (readCost > 0) out.push(`  (the cache reads themselves cost ${usd(readCost)})`);

  const unpriced = rows.filter((r) => r.costUsd === undefined);
  out.push('', `Could not be priced (${unpriced.length})`, '');
  if (unpriced.length === 0) out.push('  none');
  for (const r of unpriced) {
    const reason = r.unpricedReason ?? '?';
    out.push(`  ${r.step}: ${r.model} via ${r.via}`);
    out.push(`    ${ATTR_COST_UNPRICED_REASON} = ${reason}: ${UNPRICED_WHY[reason] ?? 'see docs/processor.md'}`);
    out.push(`    left out of the totals above (never counted as $0)`);
  }

  out.push('');
  if (input.exportedTo !== undefined) {
    out.push(`Spans and metrics exported over OTLP to ${input.exportedTo}`);
  } else {
    out.push('Not exported: set OTEL_EXPORTER_OTLP_ENDPOINT (e.g. http://localhost:4318) to send spans and metrics');
    out.push(
      'to a Collector; `docker compose -f collector-config/docker-compose.yaml up -d` ' +
        'starts one with Jaeger and Grafana.',
    );
  }
  out.push('');
  return out.join('\n');
}

/** Sum of the cache-savings counter per model (`gen_ai.request.model` = the pricing key). */
function cacheSavingsByModel(metrics: ResourceMetrics): Map<string, number> {
  const out = new Map<string, number>();
  for (const scope of metrics.scopeMetrics) {
    for (const metric of scope.metrics) {
      if (metric.descriptor.name !== METRIC_CACHE_SAVINGS) continue;
      for (const point of metric.dataPoints) {
        const model = String(point.attributes['gen_ai.request.model'] ?? '?');
        if (typeof point.value === 'number') out.set(model, (out.get(model) ?? 0) + point.value);
      }
    }
  }
  return out;
}

/** Left-aligned columns, right-aligned where `right` says, two spaces apart. */
function table(header: string[], rows: string[][], right: number[]): string[] {
  const widths = header.map((h, i) => Math.max(h.length, ...rows.map((r) => (r[i] ?? '').length)));
  const line = (cells: string[]): string =>
    '  ' +
    cells
      .map((c, i) => (right.includes(i) ? c.padStart(widths[i]!) : c.padEnd(widths[i]!)))
      .join('  ')
      .trimEnd();
  return [line(header), line(widths.map((w) => '-'.repeat(w))), ...rows.map(line)];
}

function usd(value: number): string {
  // Six decimals: a small call costs fractions of a cent.
  return `$${value.toFixed(6)}`;
}

function pct(part: number, whole: number): string {
  return whole > 0 ? `${((part / whole) * 100).toFixed(1)}%` : '';
}

function tokens(n: number | undefined): string {
  return n === undefined || n === 0 ? '-' : n.toLocaleString('en-US');
}

function num(a: Attributes, key: string): number | undefined {
  const v = a[key];
  return typeof v === 'number' ? v : undefined;
}

function str(a: Attributes, key: string): string | undefined {
  const v = a[key];
  return typeof v === 'string' ? v : undefined;
}

function compareHrTime(a: [number, number], b: [number, number]): number {
  return a[0] - b[0] || a[1] - b[1];
}
