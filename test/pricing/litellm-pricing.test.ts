import { beforeAll, describe, expect, it } from 'vitest';
import { parseLiteLLMTable } from '../../src/sources/litellm.js';
import { PriceTable } from '../../src/pricing/price-table.js';
import { PriceBook } from '../../src/pricing/price-book.js';
import type { CostResult, NormalizedUsage } from '../../src/pricing/types.js';
import { NO_SHARED_TABLE, SHARED_TABLE_NOTE, readSharedTable } from '../support/shared-table.js';

/**
 * Table-driven tests over the real LiteLLM snapshot. Every expected number is computed here
 * from the raw JSON fields of the entry (never through the parser under test).
 */
describe.skipIf(NO_SHARED_TABLE)(`pricing with the LiteLLM table ${SHARED_TABLE_NOTE}`, () => {
  let raw: Record<string, Record<string, unknown>>;
  let book: PriceBook;

  /** A numeric field of a raw entry; fails the test when the snapshot lacks it. */
  const f = (key: string, field: string): number => {
    const v = raw[key]?.[field];
    expect(typeof v, `${key}.${field}`).toBe('number');
    return v as number;
  };
  const priced = (r: CostResult) => {
    if (r.costUsd === null) throw new Error(`unpriced: ${r.reason}`);
    return r;
  };
  const close = (actual: number, expected: number) =>
    expect(Math.abs(actual - expected)).toBeLessThanOrEqual(Math.abs(expected) * 1e-11 + 1e-15);

  const bookWithout = (...removed: string[]) => {
    const copy: Record<string, unknown> = { ...raw };
    for (const k of removed) delete copy[k];
    return new PriceBook({
      table: new PriceTable(parseLiteLLMTable(copy, 'litellm-test').entries, 'litellm-test'),
      embedded: false,
    });
  };

  beforeAll(() => {
    raw = readSharedTable();
    const { entries } = parseLiteLLMTable(raw, 'litellm@snapshot');
    book = new PriceBook({ table: new PriceTable(entries, 'litellm@snapshot'), embedded: false });
  });

  it('splits cache reads, 5-minute and 1-hour cache writes into their own rates', () => {
    const key = 'claude-opus-4-6';
    const usage: NormalizedUsage = {
      model: key,
      provider: 'anthropic',
      inputTokens: 10_000, // includes 2000 read + 3000 written (1000 of them with a 1h TTL)
      cacheReadTokens: 2_000,
      cacheWriteTokens: 3_000,
      cacheWrite1hTokens: 1_000,
      outputTokens: 500,
    };
    const r = priced(book.price(usage));
    close(r.breakdown.input, 5_000 * f(key, 'input_cost_per_token'));
    close(r.breakdown.cacheRead, 2_000 * f(key, 'cache_read_input_token_cost'));
    close(
      r.breakdown.cacheWrite,
      2_000 * f(key, 'cache_creation_input_token_cost') + 1_000 * f(key, 'cache_creation_input_token_cost_above_1hr'),
    );
    close(r.breakdown.output, 500 * f(key, 'output_cost_per_token'));
    close(r.costUsd, r.breakdown.input + r.breakdown.cacheRead + r.breakdown.cacheWrite + r.breakdown.output);
    expect(r).toMatchObject({ pricingKey: key, match: 'exact', source: 'litellm@snapshot' });
  });

  it('prices reasoning tokens at their own rate when the entry has one', () => {
    const key = Object.keys(raw).find(
      (k) =>
        typeof raw[k]!.output_cost_per_reasoning_token === 'number' &&
        raw[k]!.output_cost_per_reasoning_token !== raw[k]!.output_cost_per_token &&
        typeof raw[k]!.input_cost_per_token === 'number',
    );
    expect(key, 'an entry with a distinct reasoning rate').toBeDefined();
    const r = priced(book.price({ model: key!, inputTokens: 1_000, outputTokens: 800, reasoningTokens: 600 }));
    close(
      r.breakdown.output,
      200 * f(key!, 'output_cost_per_token') + 600 * f(key!, 'output_cost_per_reasoning_token'),
    );
    close(r.breakdown.input, 1_000 * f(key!, 'input_cost_per_token'));
  });

  it('prices reasoning as output when the entry has no reasoning rate', () => {
    const key = 'o3';
    expect(raw[key]!.output_cost_per_reasoning_token).toBeUndefined();
    const r = priced(book.price({ model: key, inputTokens: 100, outputTokens: 1_000, reasoningTokens: 900 }));
    close(r.breakdown.output, 1_000 * f(key, 'output_cost_per_token'));
  });

  it('bills a per-request fee once per call, with the input part', () => {
    const key = Object.keys(raw).find(
      (k) => typeof raw[k]!.input_cost_per_request === 'number' && typeof raw[k]!.input_cost_per_token === 'number',
    );
    expect(key, 'an entry with a per-request fee').toBeDefined();
    const r = priced(book.price({ model: key!, inputTokens: 1_000, outputTokens: 100 }));
    close(r.breakdown.input, 1_000 * f(key!, 'input_cost_per_token') + f(key!, 'input_cost_per_request'));
    close(r.breakdown.output, 100 * f(key!, 'output_cost_per_token'));
  });

  describe('long-context cliff (total input incl. cache strictly above the threshold)', () => {
    const key = 'anthropic.claude-sonnet-4-5-20250929-v1:0';
    const usageAt = (input: number): NormalizedUsage => ({
      model: key,
      provider: 'aws.bedrock',
      inputTokens: input,
      cacheReadTokens: 50_000,
      cacheWriteTokens: 10_000,
      outputTokens: 1_000,
    });

    it('bills every class at the base rate at exactly the threshold', () => {
      const r = priced(book.price(usageAt(200_000)));
      close(r.breakdown.input, 140_000 * f(key, 'input_cost_per_token'));
      close(r.breakdown.cacheRead, 50_000 * f(key, 'cache_read_input_token_cost'));
      close(r.breakdown.cacheWrite, 10_000 * f(key, 'cache_creation_input_token_cost'));
      close(r.breakdown.output, 1_000 * f(key, 'output_cost_per_token'));
    });

    it('bills every class at the tier rate one token above it', () => {
      const r = priced(book.price(usageAt(200_001)));
      close(r.breakdown.input, 140_001 * f(key, 'input_cost_per_token_above_200k_tokens'));
      close(r.breakdown.cacheRead, 50_000 * f(key, 'cache_read_input_token_cost_above_200k_tokens'));
      close(r.breakdown.cacheWrite, 10_000 * f(key, 'cache_creation_input_token_cost_above_200k_tokens'));
      close(r.breakdown.output, 1_000 * f(key, 'output_cost_per_token_above_200k_tokens'));
    });

    it('uses the 272k tier of GPT-5-class entries with its priority variant', () => {
      const k = Object.keys(raw).find(
        (x) => typeof raw[x]!.input_cost_per_token_above_272k_tokens_priority === 'number',
      );
      expect(k, 'an entry with a 272k priority tier').toBeDefined();
      const r = priced(book.price({ model: k!, inputTokens: 272_001, outputTokens: 10, serviceTier: 'priority' }));
      close(r.breakdown.input, 272_001 * f(k!, 'input_cost_per_token_above_272k_tokens_priority'));
      close(r.breakdown.output, 10 * f(k!, 'output_cost_per_token_above_272k_tokens_priority'));
      const atThreshold = priced(
        book.price({ model: k!, inputTokens: 272_000, outputTokens: 10, serviceTier: 'priority' }),
      );
      close(atThreshold.breakdown.input, 272_000 * f(k!, 'input_cost_per_token_priority'));
    });
  });

  describe('service tiers', () => {
    it('prices batch and priority at their own rates; an OpenAI batch cache read without a rate is half price', () => {
      const key = 'gpt-4o';
      const usage = { model: key, inputTokens: 1_000, cacheReadTokens: 400, outputTokens: 100 };
      const batch = priced(book.price({ ...usage, serviceTier: 'batch' }));
      close(batch.breakdown.input, 600 * f(key, 'input_cost_per_token_batches'));
      close(batch.breakdown.output, 100 * f(key, 'output_cost_per_token_batches'));
      // No `cache_read_input_token_cost_batches` in the entry: OpenAI's published rule (Batch API
      // = 50% of the standard price, cached input included) prices it, never the standard rate.
      expect(raw[key]!.cache_read_input_token_cost_batches).toBeUndefined();
      close(batch.breakdown.cacheRead, 400 * f(key, 'cache_read_input_token_cost') * 0.5);
      const priority = priced(book.price({ ...usage, serviceTier: 'priority' }));
      close(priority.breakdown.input, 600 * f(key, 'input_cost_per_token_priority'));
      close(priority.breakdown.cacheRead, 400 * f(key, 'cache_read_input_token_cost_priority'));
      close(priority.breakdown.output, 100 * f(key, 'output_cost_per_token_priority'));
    });

    it('prices flex at its own rates, Anthropic batch at half the standard rate, no missing tier as standard', () => {
      const flex = priced(book.price({ model: 'gpt-5', inputTokens: 1_000, outputTokens: 100, serviceTier: 'flex' }));
      close(
        flex.costUsd,
        1_000 * f('gpt-5', 'input_cost_per_token_flex') + 100 * f('gpt-5', 'output_cost_per_token_flex'),
      );
      expect(raw['claude-opus-4-6']!.input_cost_per_token_batches).toBeUndefined();
      const batch = priced(
        book.price({ model: 'claude-opus-4-6', inputTokens: 1_000, outputTokens: 100, serviceTier: 'batch' }),
      );
      close(
        batch.costUsd,
        0.5 *
          (1_000 * f('claude-opus-4-6', 'input_cost_per_token') + 100 * f('claude-opus-4-6', 'output_cost_per_token')),
      );
      // Anthropic publishes no flex tier and the entry has no flex rate: unpriced, with the reason.
      expect(raw['claude-opus-4-6']!.input_cost_per_token_flex).toBeUndefined();
      expect(
        book.price({ model: 'claude-opus-4-6', inputTokens: 1_000, outputTokens: 100, serviceTier: 'flex' }),
      ).toEqual({
        costUsd: null,
        reason: 'unknown_service_tier',
      });
    });
  });

  describe('Bedrock', () => {
    it('prices a geo-prefixed inference profile with its own (higher) entry when the table has one', () => {
      const key = 'us.anthropic.claude-sonnet-4-5-20250929-v1:0';
      const r = priced(book.price({ model: key, provider: 'aws.bedrock', inputTokens: 1_000, outputTokens: 100 }));
      expect(r.pricingKey).toBe(key);
      close(r.costUsd, 1_000 * f(key, 'input_cost_per_token') + 100 * f(key, 'output_cost_per_token'));
    });

    it('falls back to the plain model id for a geography the table lacks', () => {
      const base = 'anthropic.claude-3-7-sonnet-20250219-v1:0';
      const geo = `ca.${base}`;
      expect(raw[geo]).toBeUndefined();
      const r = priced(book.price({ model: geo, provider: 'aws.bedrock', inputTokens: 1_000, outputTokens: 100 }));
      expect(r).toMatchObject({ pricingKey: base, match: 'provider' });
      close(r.costUsd, 1_000 * f(base, 'input_cost_per_token') + 100 * f(base, 'output_cost_per_token'));
    });
  });

  describe('Azure', () => {
    it('prices an `azure/…` id exactly', () => {
      const r = priced(book.price({ model: 'azure/gpt-4o', inputTokens: 1_000, outputTokens: 100 }));
      expect(r).toMatchObject({ pricingKey: 'azure/gpt-4o', match: 'exact' });
      close(
        r.costUsd,
        1_000 * f('azure/gpt-4o', 'input_cost_per_token') + 100 * f('azure/gpt-4o', 'output_cost_per_token'),
      );
    });

    it('prices a bare model reported by provider `azure.ai.openai` with the Azure entry', () => {
      const r = priced(
        book.price({ model: 'gpt-4o', provider: 'azure.ai.openai', inputTokens: 1_000, outputTokens: 100 }),
      );
      expect(r).toMatchObject({ pricingKey: 'azure/gpt-4o', match: 'provider' });
    });
  });

  describe('Vertex AI', () => {
    it('prices `model@date` under the `vertex_ai/` prefix', () => {
      const key = 'vertex_ai/claude-sonnet-4-5@20250929';
      const r = priced(
        book.price({
          model: 'claude-sonnet-4-5@20250929',
          provider: 'gcp.vertex_ai',
          inputTokens: 1_000,
          outputTokens: 1,
        }),
      );
      expect(r).toMatchObject({ pricingKey: key, match: 'provider' });
      close(r.costUsd, 1_000 * f(key, 'input_cost_per_token') + f(key, 'output_cost_per_token'));
    });

    it('resolves a `@date` snapshot the table lacks to the undated vertex key', () => {
      const dated = 'vertex_ai/claude-opus-4-1@20250805';
      const base = 'vertex_ai/claude-opus-4-1';
      expect(raw[base]).toBeDefined();
      const b = bookWithout(dated);
      const r = priced(
        b.price({ model: 'claude-opus-4-1@20250805', provider: 'gcp.vertex_ai', inputTokens: 10, outputTokens: 10 }),
      );
      expect(r).toMatchObject({ pricingKey: base, match: 'revision' });
      close(r.costUsd, 10 * f(base, 'input_cost_per_token') + 10 * f(base, 'output_cost_per_token'));
    });

    it('treats Vertex `@default` as the version alias of the same model', () => {
      const r = book.resolve('claude-opus-4-6@default', 'vertex_ai');
      expect(r?.entry.key).toBe('vertex_ai/claude-opus-4-6@default');
      const b = bookWithout('vertex_ai/claude-opus-4-6@default');
      expect(b.resolve('claude-opus-4-6@default', 'vertex_ai')).toMatchObject({
        match: 'revision',
        entry: { key: 'vertex_ai/claude-opus-4-6' },
      });
    });
  });

  describe('never slides to a different model', () => {
    it('leaves gpt-4o-mini unpriced when only gpt-4o is known', () => {
      const b = bookWithout(...Object.keys(raw).filter((k) => k.startsWith('gpt-4o-mini')));
      expect(b.price({ model: 'gpt-4o-mini', inputTokens: 10, outputTokens: 10 })).toEqual({
        costUsd: null,
        reason: 'unknown_model',
      });
      expect(b.price({ model: 'gpt-4o-mini-2024-07-18', inputTokens: 10, outputTokens: 10 }).costUsd).toBeNull();
      expect(b.resolve('gpt-4o')?.entry.key).toBe('gpt-4o');
    });

    it('never prices gpt-5-pro as gpt-5, gpt-4.1 as gpt-4, claude-opus-4-65 as claude-opus-4-6', () => {
      const b = bookWithout(...Object.keys(raw).filter((k) => /^(gpt-5-pro|gpt-4\.1)/.test(k)));
      for (const model of ['gpt-5-pro', 'gpt-5-pro-2025-10-06', 'gpt-4.1', 'claude-opus-4-65']) {
        expect(b.resolve(model), model).toBeUndefined();
      }
      expect(b.resolve('gpt-5')?.entry.key).toBe('gpt-5');
      expect(b.resolve('gpt-4')?.entry.key).toBe('gpt-4');
    });

    it('reports unknown models as unknown_model', () => {
      expect(book.price({ model: 'no-such-model-xyz', inputTokens: 1, outputTokens: 1 })).toEqual({
        costUsd: null,
        reason: 'unknown_model',
      });
    });
  });
});
