/**
 * Prices in time: a call is priced at its own time. genai-prices dates some price changes
 * (`start_date` constraints); its own `calcPrice`, given the same timestamp, is the oracle for
 * every figure of the embedded table here. Negotiated prices begin on a date: an override with
 * an `effective_date` prices calls from that date on, the table before it.
 *
 * OpenAI's o3 is the worked example: genai-prices lists $10/$40 per million, then $2/$8 from
 * 2025-06-10 (UTC).
 */
import { calcPrice, findProvider } from '@pydantic/genai-prices';
import { trace } from '@opentelemetry/api';
import { BasicTracerProvider, InMemorySpanExporter, SimpleSpanProcessor } from '@opentelemetry/sdk-trace-base';
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { PriceBook } from '../../src/pricing/price-book.js';
import { parseInstant } from '../../src/pricing/price-at.js';
import { CostSpanProcessor } from '../../src/processor/cost-span-processor.js';
import { createPriceBook } from '../../src/sources/price-source.js';
import { CLI, ensureBuilt, runNode } from '../support/built.js';
import { tempDir } from '../sources/helpers.js';

const MODEL = 'o3';
/** The date genai-prices' o3 price changes, read from its data (not assumed). */
function changeDate(): string {
  const model = findProvider({ providerId: 'openai' })!.models.find((m) => m.id === MODEL)!;
  expect(Array.isArray(model.prices), 'o3 has dated prices in genai-prices').toBe(true);
  const dated = (model.prices as { constraint?: { type: string; start_date?: string } }[]).find(
    (p) => p.constraint?.type === 'start_date',
  );
  return dated!.constraint!.start_date!;
}

const USAGE = { inputTokens: 12_000, cacheReadTokens: 4_000, outputTokens: 1_500, reasoningTokens: 500 };
const THEIRS = { input_tokens: 12_000, cache_read_tokens: 4_000, output_tokens: 1_500 };
const theirPrice = (at: Date, model = MODEL, providerId = 'openai'): number => {
  const p = calcPrice(THEIRS, model, { providerId, timestamp: at });
  if (p === null) throw new Error(`genai-prices cannot price ${model}`);
  return p.total_price;
};
const close = (actual: number | null | undefined, expected: number, what: string): void => {
  expect(actual, what).not.toBeNull();
  expect(Math.abs(actual! - expected), `${what}: ${actual} vs ${expected}`).toBeLessThanOrEqual(
    Math.max(expected * 1e-9, 1e-12),
  );
};

/** The override of the test: a negotiated o3 price that begins on 2026-01-01 (USD per token). */
const NEGOTIATED = { input: 1.5e-6, cacheRead: 0.375e-6, output: 6e-6 };
const NEGOTIATED_FROM = '2026-01-01';
const OVERRIDES = {
  [MODEL]: {
    litellm_provider: 'openai',
    input_cost_per_token: NEGOTIATED.input,
    cache_read_input_token_cost: NEGOTIATED.cacheRead,
    output_cost_per_token: NEGOTIATED.output,
    effective_date: NEGOTIATED_FROM,
  },
};
const negotiatedPrice = (): number =>
  (USAGE.inputTokens - USAGE.cacheReadTokens) * NEGOTIATED.input +
  USAGE.cacheReadTokens * NEGOTIATED.cacheRead +
  USAGE.outputTokens * NEGOTIATED.output;

describe('the embedded table prices a call at its own time', () => {
  it('every genai-prices model with dated prices agrees with calcPrice before and after each date', () => {
    const book = new PriceBook();
    let compared = 0;
    for (const providerId of ['openai', 'anthropic', 'google', 'mistral', 'deepseek']) {
      for (const model of findProvider({ providerId })!.models) {
        if (!Array.isArray(model.prices)) continue;
        // Time-of-day prices (off-peak discounts) are deliberately not applied (docs/pricing.md).
        if (model.prices.some((p) => p.constraint?.type === 'time_of_date')) continue;
        if (!model.prices.some((p) => p.prices.input_mtok !== undefined)) continue;
        if (calcPrice(THEIRS, model.id, { providerId, timestamp: new Date() }) === null) continue;
        const starts = model.prices.flatMap((p) =>
          p.constraint?.type === 'start_date' ? [Date.parse(p.constraint.start_date)] : [],
        );
        for (const start of starts) {
          for (const at of [start - 1, start, start + 86_400_000]) {
            const ours = book.price({ ...USAGE, model: model.id, provider: providerId, at });
            close(
              ours.costUsd,
              theirPrice(new Date(at), model.id, providerId),
              `${providerId}/${model.id} at ${new Date(at).toISOString()}`,
            );
            compared++;
          }
        }
      }
    }
    expect(compared, 'dated models compared (o3, claude-*-4-6, gemini flash, mistral …)').toBeGreaterThanOrEqual(15);
  });

  it('o3 costs differ before and after its price change (the test would notice a single price)', () => {
    const date = Date.parse(changeDate());
    expect(theirPrice(new Date(date - 1))).toBeGreaterThan(theirPrice(new Date(date)) * 2);
  });

  it('parses ISO dates as midnight UTC and date-times without an offset as UTC', () => {
    expect(parseInstant('2025-06-10')).toBe(Date.UTC(2025, 5, 10));
    expect(parseInstant('2025-06-10T12:30:00')).toBe(Date.UTC(2025, 5, 10, 12, 30));
    expect(parseInstant('2025-06-10T14:30+02:00')).toBe(Date.UTC(2025, 5, 10, 12, 30));
    for (const bad of ['2025-02-30', '10/06/2025', 'yesterday', '', '2025-06-10T25:00Z'])
      expect(parseInstant(bad), bad).toBeUndefined();
  });
});

describe('llm-cost price --at DATE', () => {
  let cacheHome: string;
  beforeAll(() => {
    cacheHome = tempDir('prices-in-time');
    ensureBuilt();
  });
  const run = (args: string[], env: Record<string, string> = {}) =>
    runNode([CLI, ...args], { XDG_CACHE_HOME: cacheHome, ...env });
  const flags = [
    '--input',
    '12000',
    '--cache-read',
    '4000',
    '--output',
    '1500',
    '--reasoning',
    '500',
    '--provider',
    'openai',
    '--json',
  ];

  it("prices o3 before and after its price change at genai-prices' figure for that time", async () => {
    const date = changeDate();
    const dayBefore = new Date(Date.parse(date) - 86_400_000).toISOString().slice(0, 10);
    for (const at of [dayBefore, date, `${date}T00:00:00Z`, '2025-06-09T23:59:59Z']) {
      const r = await run(['price', MODEL, ...flags, '--at', at]);
      expect(r.stderr).toBe('');
      expect(r.code).toBe(0);
      const out = JSON.parse(r.stdout) as { cost_usd: number; at: string; rates: { input_per_mtok: number } };
      const ms = parseInstant(at)!;
      expect(out.at).toBe(new Date(ms).toISOString());
      close(out.cost_usd, theirPrice(new Date(ms)), `--at ${at}`);
      // The rates shown are the ones applied at that time.
      const model = findProvider({ providerId: 'openai' })!.models.find((m) => m.id === MODEL)!;
      const inForce = (model.prices as { constraint?: { start_date?: string }; prices: { input_mtok: number } }[])
        .filter((p) => p.constraint?.start_date === undefined || Date.parse(p.constraint.start_date) <= ms)
        .at(-1)!;
      expect(out.rates.input_per_mtok).toBeCloseTo(inForce.prices.input_mtok, 9);
    }
  });

  it('the table output says when it priced the call', async () => {
    const r = await run(['price', MODEL, '--input', '1000', '--at', '2025-06-01']);
    expect(r.code).toBe(0);
    expect(r.stdout).toMatch(/^priced at\s+2025-06-01T00:00:00\.000Z$/m);
    expect(r.stdout).toMatch(/input\s+\$0\.01000\s+1,000 uncached tokens\s+at \$10\.00\/M/);
  });

  it('refuses a date it cannot read, naming it', async () => {
    const r = await run(['price', MODEL, '--input', '10', '--at', '2025-13-01']);
    expect(r.code).toBe(1);
    expect(r.stderr.trim()).toBe(
      'llm-cost price: --at must be an ISO date (2025-06-10) or date-time (2025-06-10T12:00:00Z), ' +
        'got "2025-13-01" (see llm-cost price --help)',
    );
  });

  it('an override with an effective date applies from that date; the table before it', async () => {
    const dir = tempDir('prices-in-time-overrides');
    const path = join(dir, 'overrides.json');
    writeFileSync(path, JSON.stringify(OVERRIDES));
    const env = { OTEL_LLM_COST_OVERRIDES_PATH: path };
    const before = await run(['price', MODEL, ...flags, '--at', '2025-12-31T23:59:59Z'], env);
    expect(before.stderr).toBe('');
    const b = JSON.parse(before.stdout) as { cost_usd: number; source: string };
    close(b.cost_usd, theirPrice(new Date('2025-12-31T23:59:59Z')), 'before the effective date');
    expect(b.source).toMatch(/^genai-prices@/);
    const after = await run(['price', MODEL, ...flags, '--at', NEGOTIATED_FROM], env);
    const a = JSON.parse(after.stdout) as { cost_usd: number; source: string };
    close(a.cost_usd, negotiatedPrice(), 'from the effective date');
    expect(a.source).toBe(`overrides@${NEGOTIATED_FROM}`);
  });
});

describe('the processor prices each span at its start time', () => {
  const handles: { shutdown(): Promise<void> }[] = [];
  afterAll(async () => {
    for (const h of handles) await h.shutdown();
  });

  async function spansAt(starts: number[], options: ConstructorParameters<typeof CostSpanProcessor>[0]) {
    const exporter = new InMemorySpanExporter();
    const processor = new CostSpanProcessor(options);
    const provider = new BasicTracerProvider({ spanProcessors: [processor, new SimpleSpanProcessor(exporter)] });
    const tracer = provider.getTracer('@opentelemetry/instrumentation-openai', '0.21.0');
    for (const start of starts) {
      const span = tracer.startSpan(`chat ${MODEL}`, {
        startTime: new Date(start),
        attributes: {
          'gen_ai.operation.name': 'chat',
          'gen_ai.system': 'openai',
          'gen_ai.request.model': MODEL,
          'gen_ai.usage.input_tokens': USAGE.inputTokens,
          'gen_ai.usage.cache_read.input_tokens': USAGE.cacheReadTokens,
          'gen_ai.usage.output_tokens': USAGE.outputTokens,
        },
      });
      span.end(new Date(start + 2_000));
    }
    await provider.forceFlush();
    const spans = exporter.getFinishedSpans();
    await provider.shutdown();
    trace.disable();
    return spans;
  }

  it("spans that straddle genai-prices' o3 price change get the price of their own time", async () => {
    const date = Date.parse(changeDate());
    const starts = [date - 3_600_000, date - 1, date, date + 3_600_000];
    const spans = await spansAt(starts, { priceBook: new PriceBook() });
    expect(spans).toHaveLength(starts.length);
    spans.forEach((span, i) => {
      close(
        span.attributes['gen_ai.usage.cost_usd'] as number,
        theirPrice(new Date(starts[i]!)),
        `span started ${new Date(starts[i]!).toISOString()}`,
      );
      expect(span.attributes['gen_ai.cost.source']).toMatch(/^genai-prices@\d/);
    });
    expect(spans[0]!.attributes['gen_ai.usage.cost_usd']).not.toBe(spans[3]!.attributes['gen_ai.usage.cost_usd']);
  });

  it('an override with an effective date prices spans from that date; the table before', async () => {
    const handle = createPriceBook({ overrides: OVERRIDES });
    handles.push(handle);
    const from = Date.parse(NEGOTIATED_FROM);
    const starts = [from - 60_000, from, from + 86_400_000];
    const spans = await spansAt(starts, { priceBook: handle.priceBook });
    close(spans[0]!.attributes['gen_ai.usage.cost_usd'] as number, theirPrice(new Date(starts[0]!)), 'before');
    expect(spans[0]!.attributes['gen_ai.cost.source']).toMatch(/^genai-prices@/);
    for (const span of spans.slice(1)) {
      close(span.attributes['gen_ai.usage.cost_usd'] as number, negotiatedPrice(), 'from the date');
      expect(span.attributes['gen_ai.cost.source']).toBe(`overrides@${NEGOTIATED_FROM}`);
      expect(span.attributes['gen_ai.cost.pricing_key']).toBe(MODEL);
    }
  });

  it('an override without a table price before its date leaves earlier calls unpriced', async () => {
    const handle = createPriceBook({
      overrides: {
        'acme-model': { input_cost_per_token: 1e-6, output_cost_per_token: 2e-6, effective_date: '2026-03-01' },
      },
    });
    handles.push(handle);
    const book = handle.priceBook;
    expect(book.price({ model: 'acme-model', inputTokens: 10, outputTokens: 10, at: Date.UTC(2026, 1, 28) })).toEqual({
      costUsd: null,
      reason: 'unknown_model',
    });
    close(
      book.price({ model: 'acme-model', inputTokens: 10, outputTokens: 10, at: Date.UTC(2026, 2, 1) }).costUsd,
      10 * 1e-6 + 10 * 2e-6,
      'from the date',
    );
  });

  it('an override whose effective_date is not a date is refused with a warning naming it', () => {
    const handle = createPriceBook({
      overrides: { 'acme-model': { input_cost_per_token: 1e-6, effective_date: 'next monday' } },
    });
    handles.push(handle);
    expect(handle.priceBook.price({ model: 'acme-model', inputTokens: 10 })).toEqual({
      costUsd: null,
      reason: 'unknown_model',
    });
  });
});
