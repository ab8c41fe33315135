/**
 * `llm-cost report` prices each span at its own time: spans made with the real OpenTelemetry JS
 * SDK (as `@opentelemetry/instrumentation-openai` 0.21 writes them, no cost attributes) whose
 * start times straddle genai-prices' o3 price change (2025-06-10), serialized by the real OTLP/JSON
 * serializer, one request per line like the Collector's `file` exporter. Expected figures: the
 * sum, per day, of genai-prices' own `calcPrice` at each span's start time.
 */
import { calcPrice, findProvider } from '@pydantic/genai-prices';
import { JsonTraceSerializer } from '@opentelemetry/otlp-transformer';
import { resourceFromAttributes } from '@opentelemetry/resources';
import { BasicTracerProvider, InMemorySpanExporter, SimpleSpanProcessor } from '@opentelemetry/sdk-trace-base';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
import { ensureBuilt, runCli } from './helpers.js';

const MODEL = 'o3';

function changeDate(): number {
  const model = findProvider({ providerId: 'openai' })!.models.find((m) => m.id === MODEL)!;
  const dated = (model.prices as { constraint?: { type: string; start_date?: string } }[]).find(
    (p) => p.constraint?.type === 'start_date',
  );
  return Date.parse(dated!.constraint!.start_date!);
}

interface Call {
  startMs: number;
  input: number;
  output: number;
}

async function writeSample(calls: Call[]): Promise<string> {
  const exporter = new InMemorySpanExporter();
  const provider = new BasicTracerProvider({
    resource: resourceFromAttributes({ 'service.name': 'chat-api' }),
    spanProcessors: [new SimpleSpanProcessor(exporter)],
  });
  const tracer = provider.getTracer('@opentelemetry/instrumentation-openai', '0.21.0');
  for (const c of calls) {
    const span = tracer.startSpan(`chat ${MODEL}`, {
      startTime: new Date(c.startMs),
      attributes: {
        'gen_ai.operation.name': 'chat',
        'gen_ai.system': 'openai',
        'gen_ai.request.model': MODEL,
        'gen_ai.usage.input_tokens': c.input,
        'gen_ai.usage.output_tokens': c.output,
      },
    });
    span.end(new Date(c.startMs + 1_500));
  }
  await provider.forceFlush();
  const spans = exporter.getFinishedSpans();
  await provider.shutdown();
  // Two lines, as two batches of a BatchSpanProcessor.
  const half = Math.ceil(spans.length / 2);
  const lines = [spans.slice(0, half), spans.slice(half)].map((batch) =>
    new TextDecoder().decode(JsonTraceSerializer.serializeRequest(batch)),
  );
  const path = join(mkdtempSync(join(tmpdir(), 'report-time-')), 'traces.jsonl');
  writeFileSync(path, `${lines.join('\n')}\n`);
  return path;
}

const theirs = (c: Call): number =>
  calcPrice({ input_tokens: c.input, output_tokens: c.output }, MODEL, {
    providerId: 'openai',
    timestamp: new Date(c.startMs),
  })!.total_price;

describe('llm-cost report prices each span at its own time', () => {
  beforeAll(() => ensureBuilt());

  it('spans on both sides of a genai-prices price change: each day at its own price', async () => {
    const date = changeDate();
    const calls: Call[] = [
      { startMs: date - 5 * 3_600_000, input: 10_000, output: 2_000 },
      { startMs: date - 1_000, input: 3_000, output: 700 },
      { startMs: date + 1_000, input: 10_000, output: 2_000 },
      { startMs: date + 7 * 3_600_000, input: 50_000, output: 400 },
    ];
    const file = await writeSample(calls);
    const r = await runCli(['report', file, '--by', 'day', '--format', 'json']);
    expect(r.stderr).toBe('');
    expect(r.code).toBe(0);
    const out = JSON.parse(r.stdout) as {
      groups: { key: { day: string }; calls: number; cost_usd: number }[];
      total: { cost_usd: number };
    };
    const day = (ms: number) => new Date(ms).toISOString().slice(0, 10);
    const expected = new Map<string, { calls: number; cost: number }>();
    for (const c of calls) {
      const e = expected.get(day(c.startMs)) ?? { calls: 0, cost: 0 };
      e.calls++;
      e.cost += theirs(c);
      expected.set(day(c.startMs), e);
    }
    expect(expected.size).toBe(2);
    expect(out.groups.map((g) => g.key.day).sort()).toEqual([...expected.keys()].sort());
    for (const g of out.groups) {
      const e = expected.get(g.key.day)!;
      expect(g.calls).toBe(e.calls);
      expect(g.cost_usd).toBeCloseTo(e.cost, 10);
    }
    const total = calls.reduce((s, c) => s + theirs(c), 0);
    expect(out.total.cost_usd).toBeCloseTo(total, 10);
    // Same tokens priced at one price for all would differ: the test sees the change.
    const flat = calls.reduce(
      (s, c) =>
        s +
        calcPrice({ input_tokens: c.input, output_tokens: c.output }, MODEL, {
          providerId: 'openai',
          timestamp: new Date(date),
        })!.total_price,
      0,
    );
    expect(Math.abs(out.total.cost_usd - flat)).toBeGreaterThan(0.01);
  });

  it('a dated override (also under --reprice): the contract price from its date, the table before', async () => {
    const date = changeDate();
    const calls: Call[] = [
      { startMs: date + 86_400_000, input: 8_000, output: 1_000 },
      { startMs: date + 3 * 86_400_000, input: 8_000, output: 1_000 },
    ];
    const file = await writeSample(calls);
    const from = new Date(date + 2 * 86_400_000).toISOString().slice(0, 10);
    const dir = mkdtempSync(join(tmpdir(), 'report-time-overrides-'));
    const overrides = join(dir, 'overrides.json');
    writeFileSync(
      overrides,
      JSON.stringify({
        [MODEL]: {
          litellm_provider: 'openai',
          input_cost_per_token: 1e-6,
          output_cost_per_token: 4e-6,
          effective_date: from,
        },
      }),
    );
    for (const field of ['cost_usd', 'repriced_cost_usd'] as const) {
      const args = field === 'cost_usd' ? [] : ['--reprice'];
      const r = await runCli(['report', file, '--by', 'day', ...args, '--format', 'json'], {
        env: { OTEL_LLM_COST_OVERRIDES_PATH: overrides },
      });
      expect(r.stderr).toBe('');
      const out = JSON.parse(r.stdout) as { groups: ({ key: { day: string } } & Record<typeof field, number>)[] };
      const byDay = new Map(out.groups.map((g) => [g.key.day, g[field]]));
      expect(byDay.get(new Date(calls[0]!.startMs).toISOString().slice(0, 10)), field).toBeCloseTo(
        theirs(calls[0]!),
        10,
      );
      expect(byDay.get(new Date(calls[1]!.startMs).toISOString().slice(0, 10)), field).toBeCloseTo(
        8_000 * 1e-6 + 1_000 * 4e-6,
        10,
      );
    }
  });
});
