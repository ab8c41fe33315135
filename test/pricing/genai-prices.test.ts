import { readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { calcPrice, findProvider } from '@pydantic/genai-prices';
import type { ModelInfo, Usage } from '@pydantic/genai-prices';
import { GENAI_PRICES_VERSION, loadEmbeddedEntries } from '../../src/pricing/genai-prices.js';
import { PriceBook, embeddedPriceTable } from '../../src/pricing/price-book.js';
import type { NormalizedUsage, PriceEntry } from '../../src/pricing/types.js';

/**
 * The embedded default must price like genai-prices itself: its own `calcPrice` is the oracle.
 */
const VENDORS = [
  'openai',
  'anthropic',
  'google',
  'x-ai',
  'mistral',
  'deepseek',
  'groq',
  'aws',
  'azure',
  'together',
  'perplexity',
];

const MIXES: { name: string; ours: NormalizedUsage; theirs: Usage }[] = [
  {
    name: 'plain',
    ours: { inputTokens: 1_000, outputTokens: 200 },
    theirs: { input_tokens: 1_000, output_tokens: 200 },
  },
  {
    name: 'cache read + write',
    ours: { inputTokens: 5_000, cacheReadTokens: 3_000, cacheWriteTokens: 1_000, outputTokens: 100 },
    theirs: { input_tokens: 5_000, cache_read_tokens: 3_000, cache_write_tokens: 1_000, output_tokens: 100 },
  },
  {
    name: '1h cache writes',
    ours: { inputTokens: 4_000, cacheWriteTokens: 2_000, cacheWrite1hTokens: 500, outputTokens: 10 },
    theirs: { input_tokens: 4_000, cache_write_tokens: 2_000, cache_write_1h_tokens: 500, output_tokens: 10 },
  },
  {
    name: 'long context above 200k',
    ours: { inputTokens: 250_000, cacheReadTokens: 20_000, outputTokens: 1_000 },
    theirs: { input_tokens: 250_000, cache_read_tokens: 20_000, output_tokens: 1_000 },
  },
  {
    name: 'exactly 200k',
    ours: { inputTokens: 200_000, outputTokens: 1 },
    theirs: { input_tokens: 200_000, output_tokens: 1 },
  },
];

describe('embedded genai-prices table', () => {
  it('embeds the installed package version', () => {
    const main = createRequire(import.meta.url).resolve('@pydantic/genai-prices');
    const pkg = JSON.parse(readFileSync(join(dirname(main), '..', 'package.json'), 'utf8')) as { version: string };
    expect(GENAI_PRICES_VERSION).toBe(pkg.version);
    expect(embeddedPriceTable().source).toBe(`genai-prices@${pkg.version}`);
  });

  it('is built once per process', () => {
    expect(loadEmbeddedEntries()).toBe(loadEmbeddedEntries());
    expect(embeddedPriceTable()).toBe(embeddedPriceTable());
  });

  it('hands out entries no caller can change (one shared copy per process)', () => {
    const entries = loadEmbeddedEntries();
    const gpt = entries.find((e) => e.key === 'gpt-4o');
    expect(gpt).toBeDefined();
    const rate = gpt!.rates.input;
    expect(() => (entries as PriceEntry[]).push(gpt!)).toThrow(TypeError);
    expect(() => {
      (gpt!.rates as { input: number }).input = 0;
    }).toThrow(TypeError);
    expect(loadEmbeddedEntries().find((e) => e.key === 'gpt-4o')!.rates.input).toBe(rate);
    expect(new PriceBook().price({ model: 'gpt-4o', inputTokens: 1_000_000 }).costUsd).toBeCloseTo(
      rate! * 1_000_000,
      9,
    );
  });

  it('agrees with genai-prices calcPrice on real models and usage mixes', () => {
    const book = new PriceBook();
    const now = new Date();
    let compared = 0;
    let tiered = 0;
    let withRequestFee = 0;
    const models = new Set<string>();
    for (const providerId of VENDORS) {
      const provider = findProvider({ providerId });
      expect(provider?.id, providerId).toBe(providerId);
      let taken = 0;
      const hasTier = (m: ModelInfo) =>
        (Array.isArray(m.prices) ? m.prices.map((p) => p.prices) : [m.prices]).some((p) =>
          Object.values(p).some((v) => typeof v === 'object'),
        );
      // Tiered (long-context) models first, so the cliff is compared too.
      const ordered = [...provider!.models].sort((a, b) => Number(hasTier(b)) - Number(hasTier(a)));
      for (const model of ordered) {
        if (taken >= 6) break;
        // Excluded: conditional prices that change with the time of day (off-peak discounts,
        // deliberately not applied). Per-search, image or audio-hour prices only apply to usage
        // these mixes do not report. Per-request fees (`requests_kcount`) are compared.
        if (Array.isArray(model.prices) && model.prices.some((p) => p.constraint?.type === 'time_of_date')) continue;
        const prices = Array.isArray(model.prices) ? model.prices : [{ prices: model.prices }];
        if (!prices.some((p) => p.prices.input_mtok !== undefined)) continue;
        // A few ids are not accepted by their own match rule (e.g. mistral `codestral`), so
        // calcPrice cannot price them by id: nothing to compare against.
        if (calcPrice(MIXES[0]!.theirs, model.id, { providerId, timestamp: now }) === null) continue;
        const resolved = book.resolve(model.id, providerId);
        expect(resolved, `${providerId}/${model.id}`).toBeDefined();
        taken++;
        if (resolved!.entry.longContext) tiered++;
        if (prices.some((p) => p.prices.requests_kcount !== undefined)) withRequestFee++;
        models.add(`${providerId}/${model.id}`);
        for (const mix of MIXES) {
          const theirs = calcPrice(mix.theirs, model.id, { providerId, timestamp: now });
          expect(theirs, `${providerId}/${model.id}`).not.toBeNull();
          const ours = book.price({ ...mix.ours, model: model.id, provider: providerId });
          if (ours.costUsd === null) throw new Error(`${providerId}/${model.id} ${mix.name}: ${ours.reason}`);
          const tol = Math.max(theirs!.total_price * 1e-9, 1e-12);
          expect(
            Math.abs(ours.costUsd - theirs!.total_price),
            `${providerId}/${model.id} ${mix.name}`,
          ).toBeLessThanOrEqual(tol);
          compared++;
        }
      }
    }
    expect(models.size).toBeGreaterThanOrEqual(30);
    expect(tiered, 'models with a long-context cliff among those compared').toBeGreaterThan(0);
    expect(withRequestFee, 'models with a per-request fee among those compared').toBeGreaterThan(0);
    expect(compared).toBe(models.size * MIXES.length);
  });
});
