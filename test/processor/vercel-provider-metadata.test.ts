/**
 * Vercel AI SDK 6 + @ai-sdk/anthropic / @ai-sdk/openai against the mock LLM: the 1-hour cache
 * writes and the service tier exist only in `ai.response.providerMetadata`. Priced from the shared
 * LiteLLM table; every expected cost is computed here from the raw JSON entry.
 */
import type { ReadableSpan } from '@opentelemetry/sdk-trace-base';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startMockLLM, usageDirective, type MockLLM } from '../../examples/mock-llm/index.js';
import { ATTR_COST_CACHE_WRITE_USD, ATTR_COST_SOURCE, ATTR_COST_USD } from '../../src/attributes.js';
import { parseLiteLLMTable } from '../../src/sources/litellm.js';
import { PriceBook } from '../../src/pricing/price-book.js';
import { PriceTable } from '../../src/pricing/price-table.js';
import { CostSpanProcessor } from '../../src/processor/cost-span-processor.js';
import { runScenario, setupVercelAI, type ScenarioId } from '../support/instrumentation-harness.js';
import { NO_SHARED_TABLE, readSharedTable, SHARED_TABLE_NOTE } from '../support/shared-table.js';

const SOURCE = 'litellm@test';
const METADATA = 'ai.response.providerMetadata';

type RawEntry = Record<string, unknown>;
function rate(key: string, field: string): number {
  const v = (readSharedTable()[key] as RawEntry | undefined)?.[field];
  if (typeof v !== 'number') throw new Error(`${key} has no numeric ${field}`);
  return v;
}

/** Same wiring as real-instrumentations.test.ts: the raw table through the LiteLLM parser, no embedded fallback. */
function newProcessor(): CostSpanProcessor {
  const { entries } = parseLiteLLMTable(readSharedTable(), SOURCE);
  return new CostSpanProcessor({
    priceBook: new PriceBook({ table: new PriceTable(entries, SOURCE), embedded: false }),
  });
}

const costOf = (s: ReadableSpan) => s.attributes[ATTR_COST_USD];
const priced = (spans: ReadableSpan[]) => spans.filter((s) => typeof costOf(s) === 'number');

function inferenceSpan(spans: ReadableSpan[]): ReadableSpan {
  const list = priced(spans);
  expect(list).toHaveLength(1);
  const span = list[0] as ReadableSpan;
  expect(span.name).toMatch(/\.do(Generate|Stream)$/);
  expect(span.attributes[ATTR_COST_SOURCE]).toBe(SOURCE);
  return span;
}

/** Nothing the processor added carries a string found in the metadata but not in the cost enums. */
function expectNoMetadataCopied(span: ReadableSpan): void {
  const metadata = span.attributes[METADATA];
  expect(typeof metadata).toBe('string');
  const ids = (metadata as string).match(/(?:resp|msg)_[A-Za-z0-9_]+/g) ?? [];
  for (const [key, value] of Object.entries(span.attributes)) {
    if (!key.startsWith('gen_ai.cost.') && key !== ATTR_COST_USD) continue;
    for (const id of ids) expect(String(value)).not.toContain(id);
  }
}

// Semconv totals; the mock splits Anthropic's raw input (input − cached − cacheWrite).
const ANTHROPIC_1H = { input: 3000, cached: 400, cacheWrite: 1000, cacheWrite1h: 600, output: 300, reasoning: 100 };
const OPENAI_PRIORITY = { input: 2000, cached: 1000, output: 300, reasoning: 100, serviceTier: 'priority' };

describe.skipIf(NO_SHARED_TABLE)(`Vercel ai.response.providerMetadata priced ${SHARED_TABLE_NOTE}`, () => {
  let llm: MockLLM;
  beforeAll(async () => {
    llm = await startMockLLM();
  });
  afterAll(async () => {
    await llm?.close();
  });

  describe('@ai-sdk/anthropic: 1-hour cache writes at the 1-hour rate', () => {
    const K = 'claude-sonnet-4-5';
    const u = ANTHROPIC_1H;
    const cacheWriteUsd = () =>
      (u.cacheWrite - u.cacheWrite1h) * rate(K, 'cache_creation_input_token_cost') +
      u.cacheWrite1h * rate(K, 'cache_creation_input_token_cost_above_1hr');
    const expected = () =>
      (u.input - u.cached - u.cacheWrite) * rate(K, 'input_cost_per_token') +
      u.cached * rate(K, 'cache_read_input_token_cost') +
      cacheWriteUsd() +
      u.output * rate(K, 'output_cost_per_token');

    it.each<ScenarioId>(['vercel-anthropic.generateText', 'vercel-anthropic.streamText'])('%s', async (id) => {
      const { spans } = await runScenario(id, { llm, usage: u, spanProcessors: [newProcessor()] });
      const span = inferenceSpan(spans);
      expect(span.attributes['ai.usage.inputTokenDetails.cacheWriteTokens']).toBe(u.cacheWrite);
      expect(costOf(span)).toBeCloseTo(expected(), 12);
      expect(span.attributes[ATTR_COST_CACHE_WRITE_USD]).toBeCloseTo(cacheWriteUsd(), 12);
      // The 1-hour rate is higher: an all-5-minute price would be lower by exactly the difference.
      const allFiveMinutes = expected() - cacheWriteUsd() + u.cacheWrite * rate(K, 'cache_creation_input_token_cost');
      expect(costOf(span) as number).toBeGreaterThan(allFiveMinutes);
      expectNoMetadataCopied(span);
    });
  });

  describe('@ai-sdk/openai Responses: the priority tier', () => {
    const K = 'gpt-4o';
    const u = OPENAI_PRIORITY;
    const expected = () =>
      (u.input - u.cached) * rate(K, 'input_cost_per_token_priority') +
      u.cached * rate(K, 'cache_read_input_token_cost_priority') +
      u.output * rate(K, 'output_cost_per_token_priority');

    it.each<ScenarioId>(['vercel-openai.responses.generateText', 'vercel-openai.responses.streamText'])(
      '%s',
      async (id) => {
        const { spans } = await runScenario(id, { llm, usage: u, spanProcessors: [newProcessor()] });
        const span = inferenceSpan(spans);
        expect(JSON.parse(span.attributes[METADATA] as string).openai.serviceTier).toBe('priority');
        expect(costOf(span)).toBeCloseTo(expected(), 12);
        expectNoMetadataCopied(span);
      },
    );

    it('prices at the standard tier when outputs are not recorded (no providerMetadata)', async () => {
      const h = await setupVercelAI({ spanProcessors: [newProcessor()] });
      try {
        const model = h.createOpenAI({ baseURL: llm.openaiBaseURL, apiKey: 'test' })(K);
        await h.ai.generateText({
          model,
          prompt: `Say hello. ${usageDirective(u)}`,
          maxRetries: 0,
          experimental_telemetry: { ...h.telemetry, recordOutputs: false },
        });
        await h.provider.forceFlush();
        const span = inferenceSpan(h.getSpans());
        expect(span.attributes[METADATA]).toBeUndefined();
        const standard =
          (u.input - u.cached) * rate(K, 'input_cost_per_token') +
          u.cached * rate(K, 'cache_read_input_token_cost') +
          u.output * rate(K, 'output_cost_per_token');
        expect(costOf(span)).toBeCloseTo(standard, 12);
      } finally {
        await h.shutdown();
      }
    });
  });
});
