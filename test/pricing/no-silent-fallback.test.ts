import { describe, expect, it } from 'vitest';
import { calcPrice } from '@pydantic/genai-prices';
import { parseLiteLLMTable } from '../../src/sources/litellm.js';
import { PriceTable } from '../../src/pricing/price-table.js';
import { PriceBook } from '../../src/pricing/price-book.js';
import { stripRevision } from '../../src/pricing/resolve.js';
import type { CostResult } from '../../src/pricing/types.js';
import { NO_SHARED_TABLE, SHARED_TABLE_NOTE, readSharedTable } from '../support/shared-table.js';

/**
 * Issue 9 §2: a service tier the table has no rate for is never billed at the standard price
 * under that tier's name; a provider-qualified id in LiteLLM's spelling resolves on the embedded
 * table to that provider's own price; a non-finite cost is never written.
 */

const priced = (r: CostResult) => {
  if (r.costUsd === null) throw new Error(`unpriced: ${r.reason}`);
  return r;
};
const close = (actual: number, expected: number) =>
  expect(Math.abs(actual - expected)).toBeLessThanOrEqual(Math.abs(expected) * 1e-11 + 1e-15);

describe.skipIf(NO_SHARED_TABLE)(
  `OpenAI's published batch rule against LiteLLM's explicit *_batches rates ${SHARED_TABLE_NOTE}`,
  () => {
    it('prices every OpenAI entry that lists batch rates the same with the rule as with the listed rates', () => {
      const raw = readSharedTable();
      const withBatch = Object.entries(raw).filter(
        ([, e]) => e.litellm_provider === 'openai' && typeof e.input_cost_per_token_batches === 'number',
      );
      // The snapshot lists batch rates for 52 OpenAI entries; the test must really look at them.
      expect(withBatch.length).toBeGreaterThanOrEqual(40);
      for (const [key, entry] of withBatch) {
        // The same entry with its batch rates removed: only the published rule can price the batch call.
        const stripped: Record<string, unknown> = {};
        for (const [field, value] of Object.entries(entry)) if (!field.endsWith('_batches')) stripped[field] = value;
        const book = new PriceBook({
          table: new PriceTable(parseLiteLLMTable({ [key]: stripped }, 'stripped').entries, 'stripped'),
          embedded: false,
        });
        const input = 10_000;
        const output = typeof entry.output_cost_per_token_batches === 'number' ? 2_000 : 0;
        const r = priced(book.price({ model: key, inputTokens: input, outputTokens: output, serviceTier: 'batch' }));
        const listed =
          input * (entry.input_cost_per_token_batches as number) +
          output * ((entry.output_cost_per_token_batches as number) ?? 0);
        close(r.costUsd, listed);
        // And not the standard price under the batch name.
        const standard =
          input * (entry.input_cost_per_token as number) + output * ((entry.output_cost_per_token as number) ?? 0);
        expect(r.costUsd).toBeLessThan(standard);
      }
    });

    it('leaves a tier the entry does not list unpriced for providers without a published rule (Azure priority)', () => {
      const raw = readSharedTable();
      const key = Object.keys(raw).find(
        (k) =>
          raw[k]!.litellm_provider === 'azure' &&
          typeof raw[k]!.input_cost_per_token === 'number' &&
          !Object.keys(raw[k]!).some((f) => f.endsWith('_priority')),
      );
      expect(key).toBeDefined();
      const book = new PriceBook({
        table: new PriceTable(parseLiteLLMTable(raw, 'litellm').entries, 'litellm'),
        embedded: false,
      });
      expect(book.price({ model: key!, inputTokens: 1_000, outputTokens: 10, serviceTier: 'priority' })).toEqual({
        costUsd: null,
        reason: 'unknown_service_tier',
      });
    });
  },
);

describe('service tiers with the embedded table (no tier rates at all)', () => {
  const book = new PriceBook();
  const usage = { inputTokens: 2_500, cacheReadTokens: 1_920, outputTokens: 300 };
  const theirs = { input_tokens: 2_500, cache_read_tokens: 1_920, output_tokens: 300 };

  it('prices an OpenAI batch call at half of the genai-prices standard price, cache reads included', () => {
    const standard = calcPrice(theirs, 'gpt-4o', { providerId: 'openai' });
    expect(standard).not.toBeNull();
    const r = priced(book.price({ model: 'gpt-4o', provider: 'openai', ...usage, serviceTier: 'batch' }));
    close(r.costUsd, standard!.total_price / 2);
    close(r.breakdown.cacheRead, (1_920 * 1.25e-6) / 2); // genai-prices gpt-4o cache_read_mtok 1.25
  });

  it('prices an Anthropic batch call at half of the genai-prices standard price', () => {
    const u = { inputTokens: 3_000, cacheReadTokens: 1_000, cacheWriteTokens: 500, outputTokens: 200 };
    const standard = calcPrice(
      { input_tokens: 3_000, cache_read_tokens: 1_000, cache_write_tokens: 500, output_tokens: 200 },
      'claude-sonnet-4-5',
      { providerId: 'anthropic' },
    );
    const r = priced(book.price({ model: 'claude-sonnet-4-5', provider: 'anthropic', ...u, serviceTier: 'batch' }));
    close(r.costUsd, standard!.total_price / 2);
  });

  it.each(['flex', 'priority'] as const)(
    'leaves an OpenAI %s call unpriced (unknown_service_tier), never at the standard price',
    (tier) => {
      expect(book.price({ model: 'gpt-4o', ...usage, serviceTier: tier })).toEqual({
        costUsd: null,
        reason: 'unknown_service_tier',
      });
    },
  );

  it('leaves a batch call of a provider without a published half-price rule unpriced', () => {
    expect(
      book.price({
        model: 'gemini-2.5-pro',
        provider: 'gcp.gemini',
        inputTokens: 1_000,
        outputTokens: 10,
        serviceTier: 'batch',
      }),
    ).toEqual({
      costUsd: null,
      reason: 'unknown_service_tier',
    });
  });

  it('still prices standard (and unstated) tiers at the standard price', () => {
    const standard = calcPrice(theirs, 'gpt-4o', { providerId: 'openai' })!.total_price;
    close(priced(book.price({ model: 'gpt-4o', ...usage, serviceTier: 'standard' })).costUsd, standard);
    close(priced(book.price({ model: 'gpt-4o', ...usage })).costUsd, standard);
  });
});

describe('provider-qualified ids in LiteLLM spelling on the embedded table', () => {
  const book = new PriceBook();
  const ours = { inputTokens: 10_000, cacheReadTokens: 2_000, outputTokens: 500 };
  const theirs = { input_tokens: 10_000, cache_read_tokens: 2_000, output_tokens: 500 };

  // [LiteLLM-spelled id, genai-prices provider id, the model id genai-prices is asked for]
  const cases: [string, string, string][] = [
    ['azure/gpt-4o', 'azure', 'gpt-4o'],
    ['azure/gpt-4o-mini', 'azure', 'gpt-4o-mini'],
    ['azure/o3-mini', 'azure', 'o3-mini'],
    ['bedrock/us.anthropic.claude-sonnet-4-5-20250929-v1:0', 'aws', 'us.anthropic.claude-sonnet-4-5-20250929-v1:0'],
    [
      'bedrock/global.anthropic.claude-sonnet-4-5-20250929-v1:0',
      'aws',
      'global.anthropic.claude-sonnet-4-5-20250929-v1:0',
    ],
    ['bedrock/amazon.nova-pro-v1:0', 'aws', 'amazon.nova-pro-v1:0'],
    ['vertex_ai/gemini-2.5-pro', 'google', 'gemini-2.5-pro'],
    ['vertex_ai/claude-sonnet-4-5@20250929', 'google', 'claude-sonnet-4-5@20250929'],
  ];

  it.each(cases)('prices %s at the price genai-prices gives provider %s', (id, providerId, model) => {
    const expected = calcPrice(theirs, model, { providerId });
    expect(expected, `genai-prices prices ${model} for ${providerId}`).not.toBeNull();
    const r = priced(book.price({ model: id, ...ours }));
    close(r.costUsd, expected!.total_price);
  });

  it('prices azure/gpt-4o like `--provider azure gpt-4o`', () => {
    const qualified = priced(book.price({ model: 'azure/gpt-4o', ...ours }));
    const byProvider = priced(book.price({ model: 'gpt-4o', provider: 'azure', ...ours }));
    expect(qualified.costUsd).toBe(byProvider.costUsd);
  });

  it('never prices a provider-qualified id at another provider’s price: Azure’s own o4-mini, not OpenAI’s', () => {
    // genai-prices lists o4-mini under Azure with its own cache-read rate ($0.28 per Mtok, OpenAI:
    // $0.275): the Azure id takes Azure's, the bare id OpenAI's.
    const azure = calcPrice(theirs, 'o4-mini', { providerId: 'azure' })!;
    const openai = calcPrice(theirs, 'o4-mini', { providerId: 'openai' })!;
    expect(Math.abs(azure.total_price - openai.total_price)).toBeGreaterThan(1e-9);
    close(priced(book.price({ model: 'azure/o4-mini', ...ours })).costUsd, azure.total_price);
    close(priced(book.price({ model: 'o4-mini', provider: 'azure.ai.openai', ...ours })).costUsd, azure.total_price);
    close(priced(book.price({ model: 'o4-mini', ...ours })).costUsd, openai.total_price);
  });

  it('leaves an id qualified by a region the embedded table does not price unpriced rather than sliding', () => {
    // `bedrock/ap-northeast-1/…` is a region with its own prices in LiteLLM; the embedded table
    // has no such region, and the global price is not that region's.
    expect(book.price({ model: 'bedrock/ap-northeast-1/anthropic.claude-instant-v1', ...ours }).costUsd).toBeNull();
  });
});

describe('a non-finite cost is never written', () => {
  const huge = new PriceBook({
    overrides: [{ key: 'huge-model', rates: { input: 1e308, output: 1e308 }, source: 'overrides' }],
    embedded: false,
  });

  it('leaves a call whose cost overflows to Infinity unpriced (invalid_price)', () => {
    expect(huge.price({ model: 'huge-model', inputTokens: 1_000, outputTokens: 10 })).toEqual({
      costUsd: null,
      reason: 'invalid_price',
    });
  });

  it('leaves a call whose parts are finite but whose sum overflows unpriced', () => {
    // 1 input token and 1 output token: each part 1e308, their sum Infinity.
    expect(huge.price({ model: 'huge-model', inputTokens: 1, outputTokens: 1 })).toEqual({
      costUsd: null,
      reason: 'invalid_price',
    });
  });

  it('still prices a finite huge cost', () => {
    expect(huge.price({ model: 'huge-model', inputTokens: 1, outputTokens: 0 }).costUsd).toBe(1e308);
  });
});

describe.skipIf(NO_SHARED_TABLE)(
  `every LiteLLM azure/, bedrock/ and vertex_ai/ key on the embedded table ${SHARED_TABLE_NOTE}`,
  () => {
    it('is either unpriced or priced exactly as genai-prices prices it for that provider', () => {
      const raw = readSharedTable();
      const book = new PriceBook();
      const providerIds: Record<string, string> = { azure: 'azure', bedrock: 'aws', vertex_ai: 'google' };
      const ours = { inputTokens: 10_000, outputTokens: 500 };
      const theirs = { input_tokens: 10_000, output_tokens: 500 };
      let pricedCount = 0;
      const wrong: string[] = [];
      for (const key of Object.keys(raw)) {
        const slash = key.indexOf('/');
        const providerId = providerIds[key.slice(0, slash)];
        if (providerId === undefined) continue;
        const r = book.price({ model: key, ...ours });
        if (r.costUsd === null) continue;
        pricedCount++;
        // genai-prices does not strip dated snapshots (`-2025-11-13`); ask it for the base id then.
        const rest = key.slice(slash + 1);
        const expected =
          calcPrice(theirs, rest, { providerId }) ?? calcPrice(theirs, stripRevision(rest) ?? rest, { providerId });
        if (expected === null || Math.abs(expected.total_price - r.costUsd) > 1e-12 + 1e-9 * expected.total_price) {
          wrong.push(`${key}: ours ${r.costUsd} (${r.pricingKey}), genai-prices ${expected?.total_price ?? 'none'}`);
        }
      }
      expect(wrong).toEqual([]);
      // The README's own example and its kin are among them.
      expect(pricedCount).toBeGreaterThanOrEqual(20);
    });
  },
);
