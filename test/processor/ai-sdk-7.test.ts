/**
 * AI SDK 7: telemetry lives in `@ai-sdk/otel`. Both of its integrations, run for real (`ai` 7,
 * `@ai-sdk/openai` 4, `@ai-sdk/anthropic` 4, installed under the aliases `ai7`,
 * `ai-sdk-openai-4`, `ai-sdk-anthropic-4` beside v6) against the mock LLM:
 * - `OpenTelemetry` (the default): semconv spans `chat MODEL` (priced), `step N` and
 *   `invoke_agent MODEL` (wrappers that repeat the usage: rolled up, never priced);
 * - `LegacyOpenTelemetry` (v6's span shape): `ai.*.doGenerate/doStream` spans that carry BOTH
 *   `ai.usage.*` and `gen_ai.usage.*` keys; each token is read once.
 * Expected costs come from `@pydantic/genai-prices`' `calcPrice` (the processor's default table
 * is the one embedded in that package, so the two must agree), never from this package.
 */
import { context, type Tracer } from '@opentelemetry/api';
import { AsyncLocalStorageContextManager } from '@opentelemetry/context-async-hooks';
import { InMemorySpanExporter, SimpleSpanProcessor, type ReadableSpan } from '@opentelemetry/sdk-trace-base';
import { NodeTracerProvider } from '@opentelemetry/sdk-trace-node';
import { calcPrice } from '@pydantic/genai-prices';
import { generateText, streamText, type LanguageModel } from 'ai7';
import { LegacyOpenTelemetry, OpenTelemetry } from '@ai-sdk/otel';
import { createAnthropic } from 'ai-sdk-anthropic-4';
import { createOpenAI } from 'ai-sdk-openai-4';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startMockLLM, usageDirective, type MockDirective, type MockLLM } from '../../examples/mock-llm/index.js';
import {
  ATTR_COST_CACHE_READ_USD,
  ATTR_COST_CACHE_WRITE_USD,
  ATTR_COST_ROLLUP_USD,
  ATTR_COST_USD,
  ATTR_TIME_TO_FIRST_CHUNK,
} from '../../src/attributes.js';
import { CostSpanProcessor } from '../../src/processor/cost-span-processor.js';

/** genai-prices' price of `u` (semconv meaning: input includes cache reads and writes). */
function genaiPrice(model: string, providerId: string, u: MockDirective): number {
  const r = calcPrice(
    {
      input_tokens: u.input ?? 0,
      cache_read_tokens: u.cached ?? 0,
      cache_write_tokens: u.cacheWrite ?? 0,
      output_tokens: u.output ?? 0,
    },
    model,
    { providerId },
  );
  if (!r) throw new Error(`genai-prices does not price ${model}`);
  return r.total_price;
}

/** The total, and the cache-read and cache-write parts priced alone (a request of only those tokens). */
function expectedUsd(
  model: string,
  providerId: string,
  u: MockDirective,
): { total: number; cacheRead: number; cacheWrite: number } {
  const cached = u.cached ?? 0;
  const write = u.cacheWrite ?? 0;
  return {
    total: genaiPrice(model, providerId, u),
    cacheRead: cached > 0 ? genaiPrice(model, providerId, { input: cached, cached }) : 0,
    cacheWrite: write > 0 ? genaiPrice(model, providerId, { input: write, cacheWrite: write }) : 0,
  };
}

// Anthropic reports cache writes; OpenAI does not. Reasoning is part of output (priced at the
// output rate for these models, which is what the AI SDK 7 spans allow: they do not carry it).
const ANTHROPIC: MockDirective = { input: 1700, cached: 1000, cacheWrite: 500, output: 300 };
const OPENAI: MockDirective = { input: 2000, cached: 1200, output: 400, reasoning: 150 };

interface Case {
  name: string;
  model: (llm: MockLLM) => LanguageModel;
  key: string;
  providerId: string;
  usage: MockDirective;
}

const CASES: Case[] = [
  {
    name: 'anthropic messages, cache read + write',
    model: (llm) => createAnthropic({ baseURL: llm.anthropicV1BaseURL, apiKey: 'mock' })('claude-sonnet-4-5'),
    key: 'claude-sonnet-4-5',
    providerId: 'anthropic',
    usage: ANTHROPIC,
  },
  {
    name: 'openai responses, cache read + reasoning',
    model: (llm) => createOpenAI({ baseURL: llm.openaiBaseURL, apiKey: 'mock' })('gpt-5-mini'),
    key: 'gpt-5-mini',
    providerId: 'openai',
    usage: OPENAI,
  },
  {
    name: 'openai chat completions, cache read + reasoning',
    model: (llm) => createOpenAI({ baseURL: llm.openaiBaseURL, apiKey: 'mock' }).chat('gpt-5-mini'),
    key: 'gpt-5-mini',
    providerId: 'openai',
    usage: OPENAI,
  },
];

describe('AI SDK 7 (@ai-sdk/otel) spans are priced once, exactly', () => {
  let llm: MockLLM;
  let provider: NodeTracerProvider;
  let exporter: InMemorySpanExporter;
  let tracer: Tracer;

  beforeAll(async () => {
    llm = await startMockLLM();
    context.setGlobalContextManager(new AsyncLocalStorageContextManager().enable());
    exporter = new InMemorySpanExporter();
    provider = new NodeTracerProvider({
      spanProcessors: [new CostSpanProcessor(), new SimpleSpanProcessor(exporter)],
    });
    tracer = provider.getTracer('gen_ai');
  });
  afterAll(async () => {
    await provider?.shutdown();
    await llm?.close();
  });

  async function run(
    c: Case,
    stream: boolean,
    integration: OpenTelemetry | LegacyOpenTelemetry,
  ): Promise<ReadableSpan[]> {
    exporter.reset();
    const prompt = `Answer. ${usageDirective(c.usage)}`;
    // Per-call integrations take precedence over registered ones (the README shows registerTelemetry).
    const telemetry = { integrations: integration };
    if (stream) {
      const result = streamText({ model: c.model(llm), prompt, telemetry });
      for await (const _ of result.textStream) void _;
    } else {
      await generateText({ model: c.model(llm), prompt, telemetry });
    }
    await provider.forceFlush();
    return exporter.getFinishedSpans();
  }

  for (const c of CASES) {
    for (const stream of [false, true]) {
      const how = stream ? 'streamText' : 'generateText';

      it(`OpenTelemetry: ${c.name}, ${how}`, async () => {
        const spans = await run(c, stream, new OpenTelemetry({ tracer }));
        const expected = expectedUsd(c.key, c.providerId, c.usage);
        const priced = spans.filter((s) => typeof s.attributes[ATTR_COST_USD] === 'number');
        expect(priced.map((s) => s.name)).toEqual([`chat ${c.key}`]);
        const call = priced[0]!;
        expect(call.attributes[ATTR_COST_USD]).toBeCloseTo(expected.total, 12);
        expect(call.attributes[ATTR_COST_CACHE_READ_USD]).toBeCloseTo(expected.cacheRead, 12);
        expect(call.attributes[ATTR_COST_CACHE_WRITE_USD]).toBeCloseTo(expected.cacheWrite, 12);
        // invoke_agent repeats the usage: it gets the roll-up, not a second price.
        const agent = spans.find((s) => s.name.startsWith('invoke_agent'))!;
        expect(agent.attributes['gen_ai.usage.input_tokens']).toBe(c.usage.input);
        expect(agent.attributes[ATTR_COST_USD]).toBeUndefined();
        expect(agent.attributes[ATTR_COST_ROLLUP_USD]).toBeCloseTo(expected.total, 12);
        if (stream) {
          const seconds = call.attributes['gen_ai.client.operation.time_to_first_chunk'] as number;
          expect(seconds).toBeGreaterThan(0);
          expect(call.attributes[ATTR_TIME_TO_FIRST_CHUNK]).toBe(seconds);
        }
      });

      it(`LegacyOpenTelemetry (ai.* and gen_ai.* keys): ${c.name}, ${how}`, async () => {
        const spans = await run(c, stream, new LegacyOpenTelemetry({ tracer }));
        const expected = expectedUsd(c.key, c.providerId, c.usage);
        const priced = spans.filter((s) => typeof s.attributes[ATTR_COST_USD] === 'number');
        expect(priced.map((s) => s.name)).toEqual([stream ? 'ai.streamText.doStream' : 'ai.generateText.doGenerate']);
        const call = priced[0]!;
        // Both families are there, with the same counts: read once, priced once.
        expect(call.attributes['gen_ai.usage.input_tokens']).toBe(c.usage.input);
        expect(call.attributes['ai.usage.inputTokens']).toBe(c.usage.input);
        expect(call.attributes['ai.usage.inputTokenDetails.cacheReadTokens']).toBe(c.usage.cached);
        expect(call.attributes[ATTR_COST_USD]).toBeCloseTo(expected.total, 12);
        expect(call.attributes[ATTR_COST_CACHE_READ_USD]).toBeCloseTo(expected.cacheRead, 12);
        expect(call.attributes[ATTR_COST_CACHE_WRITE_USD]).toBeCloseTo(expected.cacheWrite, 12);
        const wrapper = spans.find((s) => s.name === (stream ? 'ai.streamText' : 'ai.generateText'))!;
        expect(wrapper.attributes[ATTR_COST_ROLLUP_USD]).toBeCloseTo(expected.total, 12);
        if (c.providerId === 'openai') {
          expect(call.attributes['ai.usage.outputTokenDetails.reasoningTokens']).toBe(c.usage.reasoning);
        }
      });
    }
  }
});
