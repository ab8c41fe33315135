import { beforeAll, describe, expect, it } from 'vitest';
import { calcPrice } from '@pydantic/genai-prices';
import { parseLiteLLMTable } from '../../src/sources/litellm.js';
import { PriceTable } from '../../src/pricing/price-table.js';
import { PriceBook } from '../../src/pricing/price-book.js';
import type { CostResult, NormalizedUsage } from '../../src/pricing/types.js';
import { NO_SHARED_TABLE, SHARED_TABLE_NOTE, readSharedTable } from '../support/shared-table.js';

/**
 * Issue 9 §4: the billing rules a mutation run showed no test would notice changing. Each expected
 * figure is computed here from the raw LiteLLM entry's fields or taken from genai-prices.
 */

const priced = (r: CostResult) => {
  if (r.costUsd === null) throw new Error(`unpriced: ${r.reason}`);
  return r;
};
const close = (actual: number, expected: number) =>
  expect(Math.abs(actual - expected)).toBeLessThanOrEqual(Math.abs(expected) * 1e-11 + 1e-15);

describe.skipIf(NO_SHARED_TABLE)(`billing rules on real LiteLLM entries ${SHARED_TABLE_NOTE}`, () => {
  let raw: Record<string, Record<string, unknown>>;
  let book: PriceBook;
  const f = (key: string, field: string): number => {
    const v = raw[key]?.[field];
    expect(typeof v, `${key}.${field}`).toBe('number');
    return v as number;
  };
  const bookOf = (keys: string[]) => {
    const subset: Record<string, unknown> = {};
    for (const k of keys) subset[k] = raw[k];
    return new PriceBook({
      table: new PriceTable(parseLiteLLMTable(subset, 'subset').entries, 'subset'),
      embedded: false,
    });
  };

  beforeAll(() => {
    raw = readSharedTable();
    book = new PriceBook({
      table: new PriceTable(parseLiteLLMTable(raw, 'litellm').entries, 'litellm'),
      embedded: false,
    });
  });

  describe('audio tokens', () => {
    const key = 'gpt-4o-audio-preview';
    // 500 text + 1,000 audio tokens in; 100 text + 500 audio tokens out.
    const usage: NormalizedUsage = {
      model: key,
      inputTokens: 1_500,
      inputAudioTokens: 1_000,
      outputTokens: 600,
      outputAudioTokens: 500,
    };

    it('prices audio input and output at their own rates, as parts of input and output', () => {
      const r = priced(book.price(usage));
      const input = 500 * f(key, 'input_cost_per_token') + 1_000 * f(key, 'input_cost_per_audio_token');
      const output = 100 * f(key, 'output_cost_per_token') + 500 * f(key, 'output_cost_per_audio_token');
      close(r.breakdown.input, input);
      close(r.breakdown.output, output);
      close(r.costUsd, input + output);
      // The audio rates really differ from the text ones (so dropping one changes the figure).
      expect(f(key, 'input_cost_per_audio_token')).toBeGreaterThan(f(key, 'input_cost_per_token'));
      expect(f(key, 'output_cost_per_audio_token')).toBeGreaterThan(f(key, 'output_cost_per_token'));
    });

    it('agrees with genai-prices on the same usage', () => {
      const theirs = calcPrice(
        { input_tokens: 1_500, input_audio_tokens: 1_000, output_tokens: 600, output_audio_tokens: 500 },
        'gpt-4o-audio-preview',
        { providerId: 'openai' },
      );
      expect(theirs).not.toBeNull();
      const ours = priced(new PriceBook().price({ ...usage, provider: 'openai' }));
      close(ours.costUsd, theirs!.total_price);
    });
  });

  describe('above a long-context cliff, a class the tier does not price keeps its base rate', () => {
    // Every entry with a cliff and a class that has a base rate but no tier rate (14 in the
    // 2026-07-24 snapshot: 12 here, 1-hour cache writes of Claude Sonnet 4/4.5 and xAI fast cache
    // reads; and Gemini TTS audio input, below).
    const classes: Array<
      [field: string, part: 'cacheRead' | 'cacheWrite' | 'input', usage: (above: number) => NormalizedUsage]
    > = [
      ['cache_read_input_token_cost', 'cacheRead', (above) => ({ inputTokens: above + 1_000, cacheReadTokens: 1_000 })],
      [
        'cache_creation_input_token_cost_above_1hr',
        'cacheWrite',
        (above) => ({ inputTokens: above + 1_000, cacheWriteTokens: 1_000, cacheWrite1hTokens: 1_000 }),
      ],
    ];

    it('for every such gap in the snapshot', () => {
      let checked = 0;
      for (const [key, entry] of Object.entries(raw)) {
        if (key === 'sample_spec') continue;
        const tiers = new Set(
          Object.keys(entry)
            .map((k) => /_above_(\d+)k_tokens$/.exec(k)?.[1])
            .filter((t): t is string => t !== undefined),
        );
        for (const t of tiers) {
          const above = Number(t) * 1_000;
          for (const [field, part, makeUsage] of classes) {
            const base = entry[field];
            if (typeof base !== 'number' || base <= 0 || entry[`${field}_above_${t}k_tokens`] !== undefined) continue;
            const r = priced(book.price({ model: key, ...makeUsage(above) }));
            close(r.breakdown[part], 1_000 * base);
            // And the rest of the call is at the tier rate (proof the cliff applied).
            close(r.breakdown.input, above * f(key, `input_cost_per_token_above_${t}k_tokens`));
            checked++;
          }
        }
      }
      expect(checked).toBeGreaterThanOrEqual(12);
    });

    it('for audio input of Gemini TTS above 200k', () => {
      const key = 'gemini-2.5-pro-preview-tts';
      expect(raw[key]!.input_cost_per_audio_token_above_200k_tokens).toBeUndefined();
      const r = priced(book.price({ model: key, inputTokens: 201_000, inputAudioTokens: 1_000, outputTokens: 0 }));
      close(
        r.breakdown.input,
        200_000 * f(key, 'input_cost_per_token_above_200k_tokens') + 1_000 * f(key, 'input_cost_per_audio_token'),
      );
    });
  });

  describe('model resolution edge cases', () => {
    it.each(['gpt-4o-128', 'gpt-4o-05-13', 'gpt-4o-exp-13-45', 'gpt-4o-00'])(
      'leaves %s unpriced: not a revision of gpt-4o',
      (id) => {
        expect(book.price({ model: id, inputTokens: 10, outputTokens: 1 })).toEqual({
          costUsd: null,
          reason: 'unknown_model',
        });
        expect(new PriceBook().price({ model: id, inputTokens: 10, outputTokens: 1 })).toEqual({
          costUsd: null,
          reason: 'unknown_model',
        });
      },
    );

    it('resolves the dated id of an `-exp` model to it', () => {
      const key = 'openrouter/deepseek/deepseek-v3.2-exp';
      const r = priced(book.price({ model: `${key}-09-29`, inputTokens: 1_000, outputTokens: 100 }));
      expect(r).toMatchObject({ pricingKey: key, match: 'revision' });
      close(r.costUsd, 1_000 * f(key, 'input_cost_per_token') + 100 * f(key, 'output_cost_per_token'));
    });

    it('resolves `@YYYY-MM-DD` (Vertex AI with a dashed date) to the undated key', () => {
      const key = 'vertex_ai/claude-sonnet-4-5';
      expect(raw[`${key}@2025-09-29`]).toBeUndefined();
      const r = priced(book.price({ model: `${key}@2025-09-29`, inputTokens: 1_000, outputTokens: 100 }));
      expect(r).toMatchObject({ pricingKey: key, match: 'revision' });
      close(r.costUsd, 1_000 * f(key, 'input_cost_per_token') + 100 * f(key, 'output_cost_per_token'));
    });

    it('strips more than one revision suffix in a row (`-YYYYMMDD-v1:0`)', () => {
      const key = 'claude-opus-4-6';
      const id = `${key}-20260101-v1:0`;
      expect(raw[`${key}-20260101`]).toBeUndefined();
      const r = priced(book.price({ model: id, inputTokens: 1_000, outputTokens: 100 }));
      expect(r).toMatchObject({ pricingKey: key, match: 'revision' });
      close(r.costUsd, 1_000 * f(key, 'input_cost_per_token') + 100 * f(key, 'output_cost_per_token'));
    });

    it('peels more than one provider level (`openrouter/anthropic/…`) when the table has no prices under them', () => {
      const key = 'claude-sonnet-4-5';
      const r = priced(
        bookOf([key]).price({ model: `openrouter/anthropic/${key}`, inputTokens: 1_000, outputTokens: 100 }),
      );
      expect(r).toMatchObject({ pricingKey: key, match: 'provider' });
      close(r.costUsd, 1_000 * f(key, 'input_cost_per_token') + 100 * f(key, 'output_cost_per_token'));
    });
  });
});

describe('rounding', () => {
  const entry = { key: 'm', rates: { input: 0.1, output: 0.2 }, source: 'test' };

  it('removes float noise from the total: 0.1 + 0.2 is 0.3', () => {
    expect(0.1 + 0.2).not.toBe(0.3); // the noise this is about
    const r = priced(
      new PriceBook({ overrides: [entry], embedded: false }).price({ model: 'm', inputTokens: 1, outputTokens: 1 }),
    );
    expect(r.breakdown.input).toBe(0.1);
    expect(r.breakdown.output).toBe(0.2);
    expect(r.costUsd).toBe(0.3);
  });

  it('removes float noise from each part: 13 × 0.1e-6 is 1.3e-6', () => {
    expect(13 * 0.1e-6).not.toBe(1.3e-6);
    const r = priced(
      new PriceBook({
        overrides: [{ key: 'n', rates: { input: 0.1e-6, output: 0 }, source: 'test' }],
        embedded: false,
      }).price({
        model: 'n',
        inputTokens: 13,
      }),
    );
    expect(r.breakdown.input).toBe(1.3e-6);
  });
});
