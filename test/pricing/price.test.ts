import { describe, expect, it } from 'vitest';
import { priceCall } from '../../src/pricing/price.js';
import { PriceBook } from '../../src/pricing/price-book.js';
import { PriceTable } from '../../src/pricing/price-table.js';
import { parseLiteLLMTable } from '../../src/sources/litellm.js';
import type { PriceEntry } from '../../src/pricing/types.js';

// A fixture entry this test writes itself (rates in USD per token).
const entry: PriceEntry = {
  key: 'fixture-model',
  rates: { input: 3e-6, output: 15e-6, cacheRead: 0.3e-6, cacheWrite5m: 3.75e-6, cacheWrite1h: 6e-6 },
  source: 'fixture',
};

describe('usage validation', () => {
  it.each([
    ['negative input', { inputTokens: -1, outputTokens: 1 }],
    ['NaN output', { inputTokens: 1, outputTokens: Number.NaN }],
    ['infinite input', { inputTokens: Number.POSITIVE_INFINITY }],
    ['cache parts larger than input', { inputTokens: 100, cacheReadTokens: 80, cacheWriteTokens: 30 }],
    ['1h writes larger than all writes', { inputTokens: 100, cacheWriteTokens: 10, cacheWrite1hTokens: 20 }],
    ['reasoning larger than output', { inputTokens: 1, outputTokens: 10, reasoningTokens: 11 }],
    ['a string count', { inputTokens: '12' as unknown as number }],
  ])('%s is invalid_usage', (_name, usage) => {
    expect(priceCall(entry, usage)).toBe('invalid_usage');
    expect(new PriceBook({ overrides: [entry], embedded: false }).price({ model: 'fixture-model', ...usage })).toEqual({
      costUsd: null,
      reason: 'invalid_usage',
    });
  });

  it('reports no_usage when nothing was counted, and no_model without a model', () => {
    expect(priceCall(entry, {})).toBe('no_usage');
    expect(priceCall(entry, { inputTokens: 0, outputTokens: 0 })).toBe('no_usage');
    const book = new PriceBook({ overrides: [entry], embedded: false });
    expect(book.price({ inputTokens: 5 })).toEqual({ costUsd: null, reason: 'no_model' });
    expect(book.price({ model: 'fixture-model' })).toEqual({ costUsd: null, reason: 'no_usage' });
  });

  it('never throws, even on a hostile usage object', () => {
    const hostile = new Proxy(
      { model: 'fixture-model' },
      {
        get: (t, k) =>
          k === 'inputTokens'
            ? {
                valueOf: () => {
                  throw new Error('x');
                },
              }
            : (t as Record<string | symbol, unknown>)[k],
      },
    );
    const book = new PriceBook({ overrides: [entry], embedded: false });
    expect(() => book.price(hostile as never)).not.toThrow();
  });
});

describe('breakdown', () => {
  it('adds up to the total without float noise', () => {
    const book = new PriceBook({
      overrides: [{ ...entry, rates: { input: 0.1e-6, output: 0.2e-6 } }],
      embedded: false,
    });
    const r = book.price({ model: 'fixture-model', inputTokens: 1_000_000, outputTokens: 1_000_000 });
    if (r.costUsd === null) throw new Error(r.reason);
    expect(r.costUsd).toBe(0.3); // 0.1 + 0.2 without the trailing 4e-17
    const b = r.breakdown;
    expect(Math.abs(b.input + b.cacheRead + b.cacheWrite + b.output - r.costUsd)).toBeLessThanOrEqual(
      r.costUsd * 1e-12,
    );
  });

  it('a 1-hour count alone means every write had a 1-hour TTL', () => {
    const b = priceCall(entry, { inputTokens: 1_000, cacheWrite1hTokens: 1_000 });
    expect(b).toEqual({ input: 0, cacheRead: 0, cacheWrite: 1_000 * 6e-6, output: 0 });
  });
});

describe('LiteLLM parsing', () => {
  it('skips sample_spec and price-less entries, rejects wrong types naming the field', () => {
    const { entries, rejected } = parseLiteLLMTable(
      {
        sample_spec: { input_cost_per_token: 0, output_cost_per_token: 0 },
        'image-only': { output_cost_per_image: 0.04, litellm_provider: 'openai' },
        'placeholder-zero': { input_cost_per_token: 0, output_cost_per_token: 0, litellm_provider: 'openrouter' },
        'ollama/llama3': { input_cost_per_token: 0, output_cost_per_token: 0, litellm_provider: 'ollama' },
        'bad-type': { input_cost_per_token: '0.1', output_cost_per_token: 1e-6 },
        'bad-negative': { input_cost_per_token: 1e-6, cache_read_input_token_cost_priority: -1 },
        ok: {
          input_cost_per_token: 1e-6,
          output_cost_per_token: 2e-6,
          input_cost_per_token_above_128k_tokens: 2e-6,
          input_cost_per_token_above_1m_tokens: 4e-6,
          input_cost_per_token_above_272k_tokens_priority: 5e-6,
          cache_creation_input_token_cost_above_1hr: 3e-6,
          input_cost_per_token_batches: 0.5e-6,
          litellm_provider: 'bedrock_converse',
        },
      },
      'fixture',
    );
    expect(entries.map((e) => e.key)).toEqual(['ollama/llama3', 'ok']);
    expect(rejected).toEqual([
      { key: 'bad-type', reason: expect.stringContaining('input_cost_per_token') },
      { key: 'bad-negative', reason: expect.stringContaining('cache_read_input_token_cost_priority') },
    ]);
    const ok = entries[1]!;
    expect(ok).toMatchObject({
      provider: 'bedrock',
      rates: { input: 1e-6, output: 2e-6, cacheWrite1h: 3e-6 },
      serviceTiers: { batch: { input: 0.5e-6 } },
      longContext: [
        { above: 128_000, rates: { input: 2e-6 } },
        { above: 272_000, rates: {}, serviceTiers: { priority: { input: 5e-6 } } },
        { above: 1_000_000, rates: { input: 4e-6 } },
      ],
    });
    const book = new PriceBook({ table: new PriceTable(entries, 'fixture'), embedded: false });
    expect(book.price({ model: 'ollama/llama3', inputTokens: 10, outputTokens: 10 }).costUsd).toBe(0);
    expect(book.price({ model: 'placeholder-zero', inputTokens: 10, outputTokens: 10 })).toEqual({
      costUsd: null,
      reason: 'unknown_model',
    });
  });
});
