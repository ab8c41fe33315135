import { SpanStatusCode } from '@opentelemetry/api';
import { afterEach, describe, expect, it } from 'vitest';
import {
  ATTR_COST_CACHE_READ_USD,
  ATTR_COST_CACHE_WRITE_USD,
  ATTR_COST_INPUT_ACCOUNTING,
  ATTR_COST_INPUT_ACCOUNTING_REASON,
  ATTR_COST_INPUT_USD,
  ATTR_COST_MATCH,
  ATTR_COST_OUTPUT_USD,
  ATTR_COST_PRICING_KEY,
  ATTR_COST_ROLLUP_USD,
  ATTR_COST_SOURCE,
  ATTR_COST_UNPRICED_REASON,
  ATTR_COST_USD,
  ATTR_OPERATION_DURATION,
  ATTR_TIME_TO_FIRST_CHUNK,
} from '../../src/attributes.js';
import { CostSpanProcessor } from '../../src/processor/cost-span-processor.js';
import { markFirstChunk } from '../../src/processor/first-chunk.js';
import type { LlmCall } from '../../src/core/llm-call.js';
import { captureDiag, child, FIXTURE_RATES, FixturePricer, pipeline } from './helpers.js';

const T0 = 1_700_000_000_000; // epoch ms

function llmAttributes(extra = {}) {
  return {
    'gen_ai.operation.name': 'chat',
    'gen_ai.request.model': 'fixture-model',
    'gen_ai.provider.name': 'fixture',
    'gen_ai.usage.input_tokens': 1500,
    'gen_ai.usage.cache_read.input_tokens': 1000,
    'gen_ai.usage.cache_write.input_tokens': 200,
    'gen_ai.usage.output_tokens': 400,
    ...extra,
  };
}
/** 300 fresh + 1000 read + 200 written, 400 out, from the fixture entry. */
const EXPECTED = {
  input: 300 * FIXTURE_RATES.input,
  cacheRead: 1000 * FIXTURE_RATES.cacheRead,
  cacheWrite: 200 * FIXTURE_RATES.cacheWrite,
  output: 400 * FIXTURE_RATES.output,
};
const EXPECTED_TOTAL = EXPECTED.input + EXPECTED.cacheRead + EXPECTED.cacheWrite + EXPECTED.output;

let restoreDiag: (() => void) | undefined;
afterEach(() => restoreDiag?.());

describe('CostSpanProcessor: annotating inference spans', () => {
  it('writes cost, breakdown, pricing key, match, source, accounting and duration in onEnding', () => {
    const p = pipeline(new CostSpanProcessor({ priceBook: new FixturePricer() }));
    p.tracer.startSpan('chat fixture-model', { attributes: llmAttributes(), startTime: T0 }).end(T0 + 2500);
    const a = p.byName('chat fixture-model').attributes;
    expect(a[ATTR_COST_USD]).toBeCloseTo(EXPECTED_TOTAL, 15);
    expect(a[ATTR_COST_INPUT_USD]).toBeCloseTo(EXPECTED.input, 15);
    expect(a[ATTR_COST_CACHE_READ_USD]).toBeCloseTo(EXPECTED.cacheRead, 15);
    expect(a[ATTR_COST_CACHE_WRITE_USD]).toBeCloseTo(EXPECTED.cacheWrite, 15);
    expect(a[ATTR_COST_OUTPUT_USD]).toBeCloseTo(EXPECTED.output, 15);
    expect(a[ATTR_COST_PRICING_KEY]).toBe('fixture-model');
    expect(a[ATTR_COST_MATCH]).toBe('exact');
    expect(a[ATTR_COST_SOURCE]).toBe('fixture@1');
    expect(a[ATTR_COST_INPUT_ACCOUNTING]).toBe('inclusive');
    expect(a[ATTR_COST_INPUT_ACCOUNTING_REASON]).toBe('semconv');
    expect(a[ATTR_OPERATION_DURATION]).toBeCloseTo(2.5, 9);
    expect(a[ATTR_COST_UNPRICED_REASON]).toBeUndefined();
  });

  it('hands the call to the recorder after annotating', () => {
    const calls: LlmCall[] = [];
    const p = pipeline(
      new CostSpanProcessor({ priceBook: new FixturePricer(), recorder: { record: (c) => calls.push(c) } }),
    );
    p.tracer.startSpan('chat', { attributes: llmAttributes(), startTime: T0 }).end(T0 + 1000);
    expect(calls).toHaveLength(1);
    const call = calls[0] as LlmCall;
    expect(call.operation).toBe('chat');
    expect(call.durationSeconds).toBeCloseTo(1, 9);
    expect(call.usage).toMatchObject({
      model: 'fixture-model',
      inputTokens: 1500,
      cacheReadTokens: 1000,
      outputTokens: 400,
    });
    expect(call.result.costUsd).toBeCloseTo(EXPECTED_TOTAL, 15);
    expect(call.attributes[ATTR_COST_USD]).toBe(call.result.costUsd);
  });

  it.each([
    ['no_model', { 'gen_ai.system': 'openai', 'gen_ai.usage.input_tokens': 5, 'gen_ai.usage.output_tokens': 1 }],
    ['no_usage', { 'gen_ai.request.model': 'fixture-model', 'gen_ai.operation.name': 'chat' }],
    [
      'unknown_model',
      { 'gen_ai.request.model': 'nobody-knows', 'gen_ai.usage.input_tokens': 5, 'gen_ai.usage.output_tokens': 1 },
    ],
    [
      'invalid_usage',
      { 'gen_ai.request.model': 'fixture-model', 'gen_ai.usage.input_tokens': '5', 'gen_ai.usage.output_tokens': 1 },
    ],
  ])('marks %s, never a cost of 0', (reason, attributes) => {
    const p = pipeline(new CostSpanProcessor({ priceBook: new FixturePricer() }));
    p.tracer.startSpan('llm', { attributes }).end();
    const a = p.byName('llm').attributes;
    expect(a[ATTR_COST_UNPRICED_REASON]).toBe(reason);
    expect(a[ATTR_COST_USD]).toBeUndefined();
    expect(a[ATTR_OPERATION_DURATION]).toBeTypeOf('number');
  });

  it('leaves non-LLM spans untouched', () => {
    const pricer = new FixturePricer();
    const p = pipeline(new CostSpanProcessor({ priceBook: pricer }));
    p.tracer.startSpan('GET /users', { attributes: { 'http.request.method': 'GET' } }).end();
    expect(p.byName('GET /users').attributes).toEqual({ 'http.request.method': 'GET' });
    expect(pricer.calls).toHaveLength(0);
  });

  it('uses a cost the provider billed instead of re-pricing, and prices estimates itself', () => {
    const pricer = new FixturePricer();
    const p = pipeline(new CostSpanProcessor({ priceBook: pricer, trustedCostAttributes: ['llm.cost.total'] }));
    p.tracer
      .startSpan('llm', {
        attributes: llmAttributes({ 'llm.cost.total': 0.0123, 'llm.cost.prompt': 0.01, 'llm.cost.completion': 0.0023 }),
      })
      .end();
    p.tracer
      .startSpan('gw', {
        attributes: llmAttributes({ 'gen_ai.usage.cost': 0.5, 'gen_ai.usage.cost.source': 'provider' }),
      })
      .end();
    p.tracer.startSpan('estimate', { attributes: llmAttributes({ 'gen_ai.usage.cost': 0.5 }) }).end();
    p.tracer
      .startSpan('zero', {
        attributes: llmAttributes({ 'gen_ai.usage.cost': 0, 'gen_ai.usage.cost.source': 'provider' }),
      })
      .end();
    const a = p.byName('llm').attributes;
    expect(a[ATTR_COST_USD]).toBe(0.0123);
    expect(a[ATTR_COST_SOURCE]).toBe('reported');
    expect(a[ATTR_COST_INPUT_USD]).toBe(0.01);
    expect(a[ATTR_COST_OUTPUT_USD]).toBe(0.0023);
    expect(a[ATTR_COST_PRICING_KEY]).toBeUndefined();
    expect(p.byName('gw').attributes[ATTR_COST_USD]).toBe(0.5);
    expect(p.byName('gw').attributes[ATTR_COST_INPUT_USD]).toBeUndefined();
    // A cost without a billed provenance is someone's estimate: priced here, theirs kept as is.
    expect(p.byName('estimate').attributes[ATTR_COST_SOURCE]).toBe('fixture@1');
    expect(p.byName('estimate').attributes['gen_ai.usage.cost']).toBe(0.5);
    // A reported zero is not proof the call was free: priced from the table.
    expect(p.byName('zero').attributes[ATTR_COST_SOURCE]).toBe('fixture@1');
    expect(pricer.calls).toHaveLength(2);
  });
});

describe('CostSpanProcessor: time to first chunk', () => {
  it('converts markFirstChunk to seconds from span start', () => {
    const p = pipeline(new CostSpanProcessor({ priceBook: new FixturePricer() }));
    const span = p.tracer.startSpan('stream', { attributes: llmAttributes(), startTime: T0 });
    markFirstChunk(span, T0 + 350);
    markFirstChunk(span, T0 + 900); // only the first counts
    span.end(T0 + 2000);
    expect(p.byName('stream').attributes[ATTR_TIME_TO_FIRST_CHUNK]).toBeCloseTo(0.35, 6);
  });

  it('converts Vercel milliseconds and its first-chunk event; keeps an existing value', () => {
    const p = pipeline(new CostSpanProcessor({ priceBook: new FixturePricer() }));
    p.tracer.startSpan('ms', { attributes: llmAttributes({ 'ai.response.msToFirstChunk': 120 }) }).end();
    const ev = p.tracer.startSpan('ev', { attributes: llmAttributes(), startTime: T0 });
    ev.addEvent('ai.stream.firstChunk', T0 + 80);
    ev.end(T0 + 500);
    p.tracer
      .startSpan('set', {
        attributes: llmAttributes({ 'gen_ai.response.time_to_first_chunk': 0.2, 'ai.response.msToFirstChunk': 999 }),
      })
      .end();
    expect(p.byName('ms').attributes[ATTR_TIME_TO_FIRST_CHUNK]).toBeCloseTo(0.12, 9);
    expect(p.byName('ev').attributes[ATTR_TIME_TO_FIRST_CHUNK]).toBeCloseTo(0.08, 6);
    expect(p.byName('set').attributes[ATTR_TIME_TO_FIRST_CHUNK]).toBe(0.2);
  });

  it('writes no TTFT when none is derivable', () => {
    const p = pipeline(new CostSpanProcessor({ priceBook: new FixturePricer() }));
    p.tracer.startSpan('plain', { attributes: llmAttributes() }).end();
    expect(p.byName('plain').attributes[ATTR_TIME_TO_FIRST_CHUNK]).toBeUndefined();
  });
});

describe('CostSpanProcessor: roll-up', () => {
  it('sums priced descendants on every ancestor, without pricing aggregate spans', () => {
    const pricer = new FixturePricer();
    const p = pipeline(new CostSpanProcessor({ priceBook: pricer }));
    const request = p.tracer.startSpan('GET /ask');
    const agent = child(p.tracer, 'invoke_agent', request, {
      'gen_ai.operation.name': 'invoke_agent',
      'gen_ai.usage.input_tokens': 3000,
    });
    child(p.tracer, 'chat 1', agent, llmAttributes()).end();
    const tool = child(p.tracer, 'tool', agent, { 'gen_ai.operation.name': 'execute_tool' });
    child(p.tracer, 'chat 2', tool, llmAttributes({ 'gen_ai.usage.output_tokens': 10 })).end();
    child(p.tracer, 'chat unknown', tool, llmAttributes({ 'gen_ai.request.model': 'nobody' })).end();
    tool.end();
    agent.end();
    request.end();

    const cost1 = p.byName('chat 1').attributes[ATTR_COST_USD] as number;
    const cost2 = p.byName('chat 2').attributes[ATTR_COST_USD] as number;
    expect(cost1).toBeCloseTo(EXPECTED_TOTAL, 15);
    expect(cost2).toBeCloseTo(EXPECTED_TOTAL - 390 * FIXTURE_RATES.output, 15);
    expect(p.byName('tool').attributes[ATTR_COST_ROLLUP_USD]).toBeCloseTo(cost2, 12);
    expect(p.byName('invoke_agent').attributes[ATTR_COST_ROLLUP_USD]).toBeCloseTo(cost1 + cost2, 12);
    expect(p.byName('GET /ask').attributes[ATTR_COST_ROLLUP_USD]).toBeCloseTo(cost1 + cost2, 12);
    // The agent span repeats usage but is never priced: the trace's cost is its calls' cost.
    expect(p.byName('invoke_agent').attributes[ATTR_COST_USD]).toBeUndefined();
    const priced = p
      .spans()
      .map((s) => s.attributes[ATTR_COST_USD])
      .filter((c): c is number => typeof c === 'number');
    expect(priced.reduce((x, y) => x + y, 0)).toBeCloseTo(cost1 + cost2, 12);
    expect(pricer.calls).toHaveLength(3);
  });

  it('is off with rollup: false', () => {
    const p = pipeline(new CostSpanProcessor({ priceBook: new FixturePricer(), rollup: false }));
    const root = p.tracer.startSpan('root');
    child(p.tracer, 'chat', root, llmAttributes()).end();
    root.end();
    expect(p.byName('root').attributes[ATTR_COST_ROLLUP_USD]).toBeUndefined();
  });

  it('loses a child that ends after its parent, and evicts the oldest slot past the cap (diag once)', () => {
    const d = captureDiag();
    restoreDiag = d.restore;
    const p = pipeline(new CostSpanProcessor({ priceBook: new FixturePricer(), maxPendingRollups: 2 }));
    const parents = [0, 1, 2].map((i) => p.tracer.startSpan(`parent ${i}`));
    for (const [i, parent] of parents.entries()) child(p.tracer, `chat ${i}`, parent, llmAttributes()).end();
    for (const parent of parents) parent.end();
    expect(p.byName('parent 0').attributes[ATTR_COST_ROLLUP_USD]).toBeUndefined();
    expect(p.byName('parent 1').attributes[ATTR_COST_ROLLUP_USD]).toBeCloseTo(EXPECTED_TOTAL, 12);
    expect(p.byName('parent 2').attributes[ATTR_COST_ROLLUP_USD]).toBeCloseTo(EXPECTED_TOTAL, 12);
    expect(d.messages.filter((m) => m.includes('evicting'))).toHaveLength(1);

    const early = p.tracer.startSpan('early parent');
    const late = child(p.tracer, 'late chat', early, llmAttributes());
    early.end();
    late.end();
    expect(p.byName('early parent').attributes[ATTR_COST_ROLLUP_USD]).toBeUndefined();
    expect(p.byName('late chat').attributes[ATTR_COST_USD]).toBeCloseTo(EXPECTED_TOTAL, 15);
  });
});

describe('CostSpanProcessor: never throws into span.end()', () => {
  it('survives a throwing pricer and recorder, reporting each cause once', () => {
    const d = captureDiag();
    restoreDiag = d.restore;
    const p = pipeline(
      new CostSpanProcessor({
        priceBook: {
          price: () => {
            throw new Error('boom');
          },
        },
        recorder: {
          record: () => {
            throw new Error('bang');
          },
        },
      }),
    );
    for (let i = 0; i < 3; i++) {
      const span = p.tracer.startSpan(`llm ${i}`, { attributes: llmAttributes() });
      span.setStatus({ code: SpanStatusCode.OK });
      expect(() => span.end()).not.toThrow();
    }
    expect(p.spans()).toHaveLength(3);
    expect(d.messages.filter((m) => m.includes('annotating a span failed'))).toHaveLength(1);
  });

  it('survives hostile attribute values', () => {
    const p = pipeline(new CostSpanProcessor({ priceBook: new FixturePricer() }));
    const hostile = [Number.NaN, -1, 1e300, '12', [1, 2], true, Number.POSITIVE_INFINITY];
    for (const [i, v] of hostile.entries()) {
      p.tracer
        .startSpan(`h${i}`, {
          attributes: {
            'gen_ai.request.model': 'fixture-model',
            'gen_ai.usage.input_tokens': v as never,
            'gen_ai.usage.output_tokens': v as never,
            'ai.response.msToFirstChunk': v as never,
            'gen_ai.usage.cost': v as never,
            'openai.response.service_tier': v as never,
          },
        })
        .end();
    }
    for (const s of p.spans()) {
      expect(s.attributes[ATTR_COST_UNPRICED_REASON]).toBe('invalid_usage');
      expect(s.attributes[ATTR_TIME_TO_FIRST_CHUNK]).toBeUndefined();
    }
  });
});

describe('CostSpanProcessor: options and lifecycle', () => {
  it('corrects a bad maxPendingRollups and a bad override with diag.warn', () => {
    const d = captureDiag();
    restoreDiag = d.restore;
    new CostSpanProcessor({
      priceBook: new FixturePricer(),
      maxPendingRollups: -3,
      inputAccounting: { providers: { anthropic: 'sometimes' as never, openai: 'inclusive' } },
    });
    expect(d.messages.some((m) => m.includes('maxPendingRollups') && m.includes('10000'))).toBe(true);
    expect(d.messages.some((m) => m.includes("providers['anthropic']"))).toBe(true);
  });

  it('applies a per-provider override', () => {
    const p = pipeline(
      new CostSpanProcessor({
        priceBook: new FixturePricer(),
        inputAccounting: { providers: { fixture: 'additive' } },
      }),
    );
    p.tracer.startSpan('llm', { attributes: llmAttributes({ 'gen_ai.usage.input_tokens': 300 }) }).end();
    const a = p.byName('llm').attributes;
    expect(a[ATTR_COST_INPUT_ACCOUNTING]).toBe('additive');
    expect(a[ATTR_COST_INPUT_ACCOUNTING_REASON]).toBe('override');
    expect(a[ATTR_COST_USD]).toBeCloseTo(EXPECTED_TOTAL, 15);
  });

  it('shuts down and flushes idempotently', async () => {
    const processor = new CostSpanProcessor({ priceBook: new FixturePricer() });
    await processor.forceFlush();
    const first = processor.shutdown();
    expect(processor.shutdown()).toBe(first);
    await first;
    await processor.forceFlush();
  });
});
