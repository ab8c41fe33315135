/**
 * The processor behind the real instrumentation packages, against the local mock LLM, priced
 * from the shared LiteLLM table. Every expected cost is computed here from the raw JSON entry.
 */
import type { ReadableSpan } from '@opentelemetry/sdk-trace-base';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startMockLLM, type MockLLM } from '../../examples/mock-llm/index.js';
import {
  ATTR_COST_INPUT_ACCOUNTING,
  ATTR_COST_INPUT_ACCOUNTING_REASON,
  ATTR_COST_ROLLUP_USD,
  ATTR_COST_SOURCE,
  ATTR_COST_UNPRICED_REASON,
  ATTR_COST_USD,
  ATTR_OPERATION_DURATION,
  ATTR_TIME_TO_FIRST_CHUNK,
} from '../../src/attributes.js';
import { parseLiteLLMTable } from '../../src/sources/litellm.js';
import { PriceBook } from '../../src/pricing/price-book.js';
import { PriceTable } from '../../src/pricing/price-table.js';
import { CostSpanProcessor } from '../../src/processor/cost-span-processor.js';
import { runScenario, setupTraceloopAnthropic, type ScenarioId } from '../support/instrumentation-harness.js';
import { pipeline } from './helpers.js';
import { NO_SHARED_TABLE, readSharedTable, SHARED_TABLE_PATH } from '../support/shared-table.js';

// Found by test/support/shared-table.ts: skipped when missing, a failure under CI=true.
const HAVE_TABLE = !NO_SHARED_TABLE;
const TABLE_PATH = SHARED_TABLE_PATH ?? '';

type RawEntry = Record<string, unknown>;
const raw: Record<string, RawEntry> = HAVE_TABLE ? readSharedTable() : {};
const SOURCE = 'litellm@test';

function rate(entry: RawEntry, field: string): number {
  const v = entry[field];
  if (typeof v !== 'number') throw new Error(`entry has no numeric ${field}`);
  return v;
}

/** Semconv usage → USD from the raw LiteLLM fields (standard tier, under every long-context threshold). */
function expectedCost(
  key: string,
  u: { input: number; cacheRead?: number; cacheWrite?: number; output: number },
  tier = '',
): number {
  const e = raw[key] as RawEntry;
  const read = u.cacheRead ?? 0;
  const write = u.cacheWrite ?? 0;
  const suffix = tier === '' ? '' : `_${tier}`;
  return (
    (u.input - read - write) * rate(e, `input_cost_per_token${suffix}`) +
    (read > 0 ? read * rate(e, `cache_read_input_token_cost${suffix}`) : 0) +
    (write > 0 ? write * rate(e, 'cache_creation_input_token_cost') : 0) +
    u.output * rate(e, `output_cost_per_token${suffix}`)
  );
}

function newProcessor(): CostSpanProcessor {
  const { entries } = parseLiteLLMTable(raw, SOURCE);
  return new CostSpanProcessor({
    priceBook: new PriceBook({ table: new PriceTable(entries, SOURCE), embedded: false }),
  });
}

const costOf = (s: ReadableSpan) => s.attributes[ATTR_COST_USD];
const priced = (spans: ReadableSpan[]) => spans.filter((s) => typeof costOf(s) === 'number');
const sum = (spans: ReadableSpan[]) => priced(spans).reduce((acc, s) => acc + (costOf(s) as number), 0);

// OpenAI has no cache writes; Anthropic reports them. Reasoning is part of output everywhere.
const OPENAI_USAGE = { input: 2000, cached: 1000, output: 300, reasoning: 100 };
const ANTHROPIC_USAGE = { input: 2000, cached: 1000, cacheWrite: 500, output: 300, reasoning: 100 };

describe.skipIf(!HAVE_TABLE)('real instrumentations + mock LLM + LiteLLM table', () => {
  let llm: MockLLM;
  beforeAll(async () => {
    llm = await startMockLLM();
  });
  afterAll(async () => {
    await llm?.close();
  });

  describe('@opentelemetry/instrumentation-openai 0.21 (records no cache detail)', () => {
    it.each<ScenarioId>([
      'otel-openai.chat',
      'otel-openai.chat.stream',
      'otel-openai.responses',
      'otel-openai.responses.stream',
    ])('%s: priced from input/output only', async (id) => {
      const { spans } = await runScenario(id, { llm, usage: OPENAI_USAGE, spanProcessors: [newProcessor()] });
      const [span] = priced(spans);
      expect(priced(spans)).toHaveLength(1);
      expect(costOf(span as ReadableSpan)).toBeCloseTo(expectedCost('gpt-4o', { input: 2000, output: 300 }), 12);
      expect(span?.attributes[ATTR_COST_SOURCE]).toBe(SOURCE);
      expect(span?.attributes[ATTR_OPERATION_DURATION]).toBeGreaterThan(0);
      expect(span?.attributes[ATTR_TIME_TO_FIRST_CHUNK]).toBeUndefined();
    });
  });

  describe('@arizeai/openinference-instrumentation-openai', () => {
    it.each<ScenarioId>(['openinference-openai.chat', 'openinference-openai.responses'])(
      '%s: cache reads inside the prompt count',
      async (id) => {
        const { spans } = await runScenario(id, { llm, usage: OPENAI_USAGE, spanProcessors: [newProcessor()] });
        expect(priced(spans)).toHaveLength(1);
        const span = priced(spans)[0] as ReadableSpan;
        expect(costOf(span)).toBeCloseTo(expectedCost('gpt-4o', { input: 2000, cacheRead: 1000, output: 300 }), 12);
        expect(span.attributes[ATTR_COST_INPUT_ACCOUNTING]).toBe('inclusive');
        expect(span.attributes[ATTR_COST_INPUT_ACCOUNTING_REASON]).toBe('profile');
      },
    );

    it('openinference-openai.chat.stream: records no usage, reported as such', async () => {
      const { spans } = await runScenario('openinference-openai.chat.stream', {
        llm,
        usage: OPENAI_USAGE,
        spanProcessors: [newProcessor()],
      });
      expect(priced(spans)).toHaveLength(0);
      expect(spans[0]?.attributes[ATTR_COST_UNPRICED_REASON]).toBe('no_usage');
    });
  });

  describe('@traceloop/instrumentation-anthropic 0.27 + @anthropic-ai/sdk 0.60 (input excludes cache)', () => {
    it.each<ScenarioId>([
      'traceloop-anthropic.messages',
      'traceloop-anthropic.messages.stream',
      'traceloop-anthropic.messages.sdk-stream',
    ])('%s: cache reads and writes added to the raw input', async (id) => {
      const { spans } = await runScenario(id, { llm, usage: ANTHROPIC_USAGE, spanProcessors: [newProcessor()] });
      expect(priced(spans)).toHaveLength(1);
      const span = priced(spans)[0] as ReadableSpan;
      expect(span.attributes['gen_ai.usage.input_tokens']).toBe(500); // raw Anthropic count
      expect(costOf(span)).toBeCloseTo(
        expectedCost('claude-sonnet-4-5', { input: 2000, cacheRead: 1000, cacheWrite: 500, output: 300 }),
        12,
      );
      expect(span.attributes[ATTR_COST_INPUT_ACCOUNTING]).toBe('additive');
      expect(span.attributes[ATTR_COST_INPUT_ACCOUNTING_REASON]).toBe('profile');
    });

    it('rolls two calls up to a manual parent, leaving a plain sibling untouched', async () => {
      const h = await setupTraceloopAnthropic({ spanProcessors: [newProcessor()] });
      try {
        const client = new h.Anthropic({ baseURL: llm.anthropicBaseURL, apiKey: 'test', maxRetries: 0 });
        const ask = (usage: object) =>
          client.messages.create({
            model: 'claude-sonnet-4-5',
            max_tokens: 64,
            messages: [{ role: 'user', content: `hi usage:${JSON.stringify(usage)}` }],
          });
        await h.tracer.startActiveSpan('agent run', async (root) => {
          await ask(ANTHROPIC_USAGE);
          await ask({ input: 400, output: 50 });
          h.tracer.startSpan('load config', { attributes: { 'app.step': 'config' } }).end();
          root.end();
        });
        const spans = h.getSpans();
        const expected =
          expectedCost('claude-sonnet-4-5', { input: 2000, cacheRead: 1000, cacheWrite: 500, output: 300 }) +
          expectedCost('claude-sonnet-4-5', { input: 400, output: 50 });
        expect(priced(spans)).toHaveLength(2);
        expect(sum(spans)).toBeCloseTo(expected, 12);
        const root = spans.find((s) => s.name === 'agent run') as ReadableSpan;
        expect(root.attributes[ATTR_COST_ROLLUP_USD]).toBeCloseTo(expected, 12);
        expect(costOf(root)).toBeUndefined();
        expect(spans.find((s) => s.name === 'load config')?.attributes).toEqual({ 'app.step': 'config' });
      } finally {
        await h.shutdown();
      }
    });
  });

  describe('Vercel AI SDK 6 (experimental_telemetry): only doGenerate/doStream are priced', () => {
    it.each<[ScenarioId, string, typeof OPENAI_USAGE | typeof ANTHROPIC_USAGE]>([
      ['vercel-openai.responses.generateText', 'gpt-4o', OPENAI_USAGE],
      ['vercel-openai.responses.streamText', 'gpt-4o', OPENAI_USAGE],
      ['vercel-openai.chat.generateText', 'gpt-4o', OPENAI_USAGE],
      ['vercel-openai.chat.streamText', 'gpt-4o', OPENAI_USAGE],
      ['vercel-anthropic.generateText', 'claude-sonnet-4-5', ANTHROPIC_USAGE],
      ['vercel-anthropic.streamText', 'claude-sonnet-4-5', ANTHROPIC_USAGE],
    ])('%s', async (id, key, usage) => {
      const { spans } = await runScenario(id, { llm, usage, spanProcessors: [newProcessor()] });
      const expected = expectedCost(key, {
        input: usage.input,
        cacheRead: usage.cached,
        cacheWrite: 'cacheWrite' in usage ? usage.cacheWrite : 0,
        output: usage.output,
      });
      const inference = priced(spans);
      expect(inference).toHaveLength(1);
      expect(inference[0]?.name).toMatch(/\.do(Generate|Stream)$/);
      expect(costOf(inference[0] as ReadableSpan)).toBeCloseTo(expected, 12);
      // The wrapper span repeats the usage but is not priced again: the trace costs one call.
      expect(sum(spans)).toBeCloseTo(expected, 12);
      const wrapper = spans.find((s) => s.name === 'ai.generateText' || s.name === 'ai.streamText') as ReadableSpan;
      expect(wrapper.attributes[ATTR_COST_ROLLUP_USD]).toBeCloseTo(expected, 12);
      expect(wrapper.attributes[ATTR_COST_UNPRICED_REASON]).toBeUndefined();
      if (id.endsWith('streamText')) {
        const ms = inference[0]?.attributes['ai.response.msToFirstChunk'] as number;
        expect(ms).toBeGreaterThan(0);
        expect(inference[0]?.attributes[ATTR_TIME_TO_FIRST_CHUNK]).toBeCloseTo(ms / 1000, 9);
      } else {
        expect(inference[0]?.attributes[ATTR_TIME_TO_FIRST_CHUNK]).toBeUndefined();
      }
    });
  });

  describe('with no options', () => {
    it('prices from the LiteLLM table named by OTEL_LLM_COST_PRICES_PATH and stops its timer on shutdown', async () => {
      const saved = process.env.OTEL_LLM_COST_PRICES_PATH;
      process.env.OTEL_LLM_COST_PRICES_PATH = TABLE_PATH;
      try {
        const processor = new CostSpanProcessor();
        await processor.ready();
        const { spans } = await runScenario('otel-openai.chat', {
          llm,
          usage: OPENAI_USAGE,
          spanProcessors: [processor],
        });
        const span = priced(spans)[0] as ReadableSpan;
        expect(costOf(span)).toBeCloseTo(expectedCost('gpt-4o', { input: 2000, output: 300 }), 12);
        expect(span.attributes[ATTR_COST_SOURCE]).toMatch(/^litellm:litellm-model_prices_and_context_window\.json@/);
        await processor.shutdown(); // idempotent: the harness shut it down already
      } finally {
        if (saved === undefined) delete process.env.OTEL_LLM_COST_PRICES_PATH;
        else process.env.OTEL_LLM_COST_PRICES_PATH = saved;
      }
    });
  });

  describe('hand-made spans', () => {
    it('prices deprecated semconv and Traceloop legacy names', () => {
      const p = pipeline(newProcessor());
      p.tracer
        .startSpan('legacy', {
          attributes: {
            'gen_ai.system': 'openai',
            'gen_ai.request.model': 'gpt-4o',
            'gen_ai.usage.prompt_tokens': 1200,
            'gen_ai.usage.completion_tokens': 80,
            'llm.usage.total_tokens': 1280,
          },
        })
        .end();
      expect(costOf(p.byName('legacy'))).toBeCloseTo(expectedCost('gpt-4o', { input: 1200, output: 80 }), 12);
    });

    it('prices the service tier the response reports', () => {
      const p = pipeline(newProcessor());
      p.tracer
        .startSpan('priority', {
          attributes: {
            'gen_ai.provider.name': 'openai',
            'gen_ai.request.model': 'gpt-4o',
            'gen_ai.usage.input_tokens': 1000,
            'gen_ai.usage.output_tokens': 100,
            'openai.request.service_tier': 'auto',
            'openai.response.service_tier': 'priority',
          },
        })
        .end();
      expect(costOf(p.byName('priority'))).toBeCloseTo(
        expectedCost('gpt-4o', { input: 1000, output: 100 }, 'priority'),
        12,
      );
    });

    it('marks bad values invalid_usage and an unknown model unknown_model', () => {
      const p = pipeline(newProcessor());
      p.tracer
        .startSpan('bad', {
          attributes: {
            'gen_ai.request.model': 'gpt-4o',
            'gen_ai.usage.input_tokens': -4,
            'gen_ai.usage.output_tokens': 1,
          },
        })
        .end();
      p.tracer
        .startSpan('unknown', {
          attributes: {
            'gen_ai.request.model': 'gpt-4o-nonexistent-x',
            'gen_ai.usage.input_tokens': 4,
            'gen_ai.usage.output_tokens': 1,
          },
        })
        .end();
      expect(p.byName('bad').attributes[ATTR_COST_UNPRICED_REASON]).toBe('invalid_usage');
      expect(p.byName('unknown').attributes[ATTR_COST_UNPRICED_REASON]).toBe('unknown_model');
      expect(costOf(p.byName('unknown'))).toBeUndefined();
    });
  });
});
