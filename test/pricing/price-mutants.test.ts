import { describe, expect, it } from 'vitest';
import { priceCall, round12 } from '../../src/pricing/price.js';
import { PriceBook } from '../../src/pricing/price-book.js';
import type { CostBreakdown, NormalizedUsage, PriceEntry, Rates } from '../../src/pricing/types.js';

/**
 * The billing rules of `priceCall` one by one, each where a wrong rule changes the figure: every
 * rate below differs from every other, so a class priced at the wrong rate (or a count added
 * instead of subtracted) gives another number. Expected figures are computed here from the
 * entry this file writes (USD per token) — never taken from the code under test.
 */

// Distinct rates: no two classes cost the same, so any swap of rates is visible.
const R = {
  input: 2e-6,
  output: 10e-6,
  cacheRead: 0.25e-6,
  cacheWrite5m: 3e-6,
  cacheWrite1h: 5e-6,
  reasoning: 12e-6,
  inputAudio: 7e-6,
  outputAudio: 20e-6,
  request: 0.005,
} satisfies Rates;

const entryWith = (rates: Rates, extra: Partial<PriceEntry> = {}): PriceEntry => ({
  key: 'fixture-model',
  rates,
  source: 'fixture',
  ...extra,
});
const full = entryWith(R);

const near = (actual: number, expected: number): void =>
  expect(Math.abs(actual - expected), `${actual} vs ${expected}`).toBeLessThanOrEqual(
    Math.abs(expected) * 1e-11 + 1e-18,
  );

function parts(entry: PriceEntry, usage: NormalizedUsage): CostBreakdown {
  const r = priceCall(entry, usage);
  if (typeof r === 'string') throw new Error(`unpriced: ${r}`);
  return r;
}

function expectParts(actual: CostBreakdown, expected: CostBreakdown): void {
  near(actual.input, expected.input);
  near(actual.cacheRead, expected.cacheRead);
  near(actual.cacheWrite, expected.cacheWrite);
  near(actual.output, expected.output);
}

/**
 * A call that uses every class: 10,000 in (1,000 cache reads, 600 cache writes of which 200
 * 1-hour, 500 audio, the rest text); 3,000 out (800 reasoning, 400 audio, the rest text).
 */
const EVERY_CLASS: NormalizedUsage = {
  inputTokens: 10_000,
  cacheReadTokens: 1_000,
  cacheWriteTokens: 600,
  cacheWrite1hTokens: 200,
  inputAudioTokens: 500,
  outputTokens: 3_000,
  reasoningTokens: 800,
  outputAudioTokens: 400,
};

describe('priceCall: every bucket at its own rate', () => {
  it('splits a call that uses every class into disjoint parts at their own rates', () => {
    const usage = EVERY_CLASS;
    const expected = {
      input: (10_000 - 1_000 - 600 - 500) * R.input + 500 * R.inputAudio + R.request,
      cacheRead: 1_000 * R.cacheRead,
      cacheWrite: 400 * R.cacheWrite5m + 200 * R.cacheWrite1h,
      output: (3_000 - 800 - 400) * R.output + 800 * R.reasoning + 400 * R.outputAudio,
    };
    expectParts(parts(full, usage), expected);
    // The book's total is the sum of those parts.
    const book = new PriceBook({ overrides: [full], embedded: false });
    const r = book.price({ model: 'fixture-model', ...usage });
    if (r.costUsd === null) throw new Error(r.reason);
    near(r.costUsd, expected.input + expected.cacheRead + expected.cacheWrite + expected.output);
  });

  it('bills the per-request fee once, with the input part, and none when the entry has no fee', () => {
    expectParts(parts(full, { inputTokens: 100, outputTokens: 10 }), {
      input: 100 * R.input + R.request,
      cacheRead: 0,
      cacheWrite: 0,
      output: 10 * R.output,
    });
    const noFee = entryWith({ input: R.input, output: R.output });
    expectParts(parts(noFee, { inputTokens: 100, outputTokens: 10 }), {
      input: 100 * R.input,
      cacheRead: 0,
      cacheWrite: 0,
      output: 10 * R.output,
    });
  });

  it('an entry without an input or output rate prices that side at 0, not at another rate', () => {
    expectParts(parts(entryWith({ output: R.output }), { inputTokens: 100, outputTokens: 10 }), {
      input: 0,
      cacheRead: 0,
      cacheWrite: 0,
      output: 10 * R.output,
    });
    expectParts(parts(entryWith({ input: R.input }), { inputTokens: 100, outputTokens: 10 }), {
      input: 100 * R.input,
      cacheRead: 0,
      cacheWrite: 0,
      output: 0,
    });
  });
});

describe('priceCall: a class without its own rate falls back as documented', () => {
  const usage = EVERY_CLASS;

  it('cache reads and 5-minute writes at the input rate', () => {
    const b = parts(entryWith({ input: R.input, output: R.output, cacheWrite1h: R.cacheWrite1h }), usage);
    near(b.cacheRead, 1_000 * R.input);
    near(b.cacheWrite, 400 * R.input + 200 * R.cacheWrite1h);
  });

  it('1-hour writes at the 5-minute rate, or at the input rate when neither is listed', () => {
    const with5m = parts(entryWith({ input: R.input, output: R.output, cacheWrite5m: R.cacheWrite5m }), usage);
    near(with5m.cacheWrite, 600 * R.cacheWrite5m);
    const neither = parts(entryWith({ input: R.input, output: R.output }), usage);
    near(neither.cacheWrite, 600 * R.input);
  });

  it('reasoning at the output rate, audio at the text rate of its direction', () => {
    const b = parts(entryWith({ input: R.input, output: R.output }), usage);
    near(b.input, (10_000 - 1_000 - 600) * R.input);
    near(b.output, 3_000 * R.output);
  });
});

describe('priceCall: which counts are valid', () => {
  const fields = [
    'inputTokens',
    'outputTokens',
    'cacheReadTokens',
    'cacheWriteTokens',
    'cacheWrite1hTokens',
    'reasoningTokens',
    'inputAudioTokens',
    'outputAudioTokens',
  ] as const;
  const valid: NormalizedUsage = {
    inputTokens: 1_000,
    outputTokens: 100,
    cacheReadTokens: 100,
    cacheWriteTokens: 100,
    cacheWrite1hTokens: 50,
    reasoningTokens: 10,
    inputAudioTokens: 10,
    outputAudioTokens: 10,
  };

  it.each(fields)('a negative %s makes the call invalid_usage', (field) => {
    expect(typeof priceCall(full, valid)).toBe('object');
    expect(priceCall(full, { ...valid, [field]: -1 })).toBe('invalid_usage');
  });

  // (An input or output of 0 is checked below, without the parts that must fit in it.)
  it.each(fields.slice(2))('a %s of 0 is a valid count', (field) => {
    const usage = { ...valid, [field]: 0 };
    if (field === 'cacheWriteTokens') usage.cacheWrite1hTokens = 0;
    expect(typeof priceCall(full, usage)).toBe('object');
  });

  it('input 0 with output, or output 0 with input, is priced', () => {
    expectParts(parts(full, { inputTokens: 0, outputTokens: 10 }), {
      input: R.request,
      cacheRead: 0,
      cacheWrite: 0,
      output: 10 * R.output,
    });
    expectParts(parts(full, { inputTokens: 10, outputTokens: 0 }), {
      input: 10 * R.input + R.request,
      cacheRead: 0,
      cacheWrite: 0,
      output: 0,
    });
  });

  it('as many input tokens as output tokens is usage, not no_usage', () => {
    near(parts(full, { inputTokens: 5, outputTokens: 5 }).output, 5 * R.output);
  });

  it('an input made only of cache reads, or only of cache writes, is priced', () => {
    expectParts(parts(full, { inputTokens: 10, cacheReadTokens: 10 }), {
      input: R.request,
      cacheRead: 10 * R.cacheRead,
      cacheWrite: 0,
      output: 0,
    });
    expectParts(parts(full, { inputTokens: 10, cacheWriteTokens: 10 }), {
      input: R.request,
      cacheRead: 0,
      cacheWrite: 10 * R.cacheWrite5m,
      output: 0,
    });
  });

  it('cache counts alone (no input count) are counted: more cache than input is invalid, not no_usage', () => {
    expect(priceCall(full, { cacheReadTokens: 10 })).toBe('invalid_usage');
    expect(priceCall(full, { cacheWriteTokens: 10 })).toBe('invalid_usage');
    expect(priceCall(full, { cacheWrite1hTokens: 10 })).toBe('invalid_usage');
  });

  it('only audio input, or only reasoning, or only audio output is priced at that rate', () => {
    near(parts(full, { inputTokens: 100, inputAudioTokens: 100 }).input, 100 * R.inputAudio + R.request);
    near(parts(full, { outputTokens: 10, reasoningTokens: 10 }).output, 10 * R.reasoning);
    near(parts(full, { outputTokens: 10, outputAudioTokens: 10 }).output, 10 * R.outputAudio);
  });

  it('audio input counts against the uncached input, reasoning plus audio against the output', () => {
    // 100 in, 50 of them cache reads: at most 50 can be audio.
    expect(priceCall(full, { inputTokens: 100, cacheReadTokens: 50, inputAudioTokens: 60 })).toBe('invalid_usage');
    expect(priceCall(full, { inputTokens: 100, cacheWriteTokens: 50, inputAudioTokens: 60 })).toBe('invalid_usage');
    expect(priceCall(full, { outputTokens: 10, reasoningTokens: 6, outputAudioTokens: 6 })).toBe('invalid_usage');
    expect(priceCall(full, { outputTokens: 10, outputAudioTokens: 11 })).toBe('invalid_usage');
    // Exactly at the limit is fine.
    near(
      parts(full, { inputTokens: 100, cacheReadTokens: 50, inputAudioTokens: 50 }).input,
      50 * R.inputAudio + R.request,
    );
    near(
      parts(full, { outputTokens: 10, reasoningTokens: 5, outputAudioTokens: 5 }).output,
      5 * R.reasoning + 5 * R.outputAudio,
    );
  });

  it('cache reads plus writes larger than the input is invalid even when each alone fits', () => {
    expect(priceCall(full, { inputTokens: 100, cacheReadTokens: 60, cacheWriteTokens: 60 })).toBe('invalid_usage');
  });

  it('a total that overflows to Infinity is invalid_price, a huge finite one is a price', () => {
    expect(priceCall(entryWith({ input: 1e308 }), { inputTokens: 10 })).toBe('invalid_price');
    expect(priceCall(entryWith({ output: 1e308 }), { outputTokens: 10 })).toBe('invalid_price');
    // Each part finite, the sum not.
    expect(priceCall(entryWith({ input: 1e308, output: 1e308 }), { inputTokens: 1, outputTokens: 1 })).toBe(
      'invalid_price',
    );
    near(parts(entryWith({ input: 1e300 }), { inputTokens: 10 }).input, 1e301);
  });
});

describe('round12: removes float noise and nothing else', () => {
  // The documented contract: the same number as `Number(x.toPrecision(12))`, for every double.
  const reference = (x: number): number => (x === 0 ? 0 : Number.isFinite(x) ? Number(x.toPrecision(12)) : x);

  it('agrees with toPrecision(12) on special values and on both sides of every power of ten', () => {
    const values = [
      0,
      -0,
      Number.NaN,
      Infinity,
      -Infinity,
      Number.MIN_VALUE,
      Number.MAX_VALUE,
      0.1 + 0.2,
      -(0.1 + 0.2),
    ];
    for (let e = -30; e <= 30; e++) {
      const p = 10 ** e;
      values.push(p, p * (1 - 1e-15), p * (1 + 1e-15), p * 0.999999999999, p * 9.99999999999951, -p * 3.3);
    }
    for (const x of values)
      expect(Object.is(round12(x), reference(x)) || round12(x) === reference(x), String(x)).toBe(true);
    expect(Object.is(round12(-0), 0)).toBe(true);
  });

  it('agrees with toPrecision(12) on values next to a rounding half (where a fast path can go wrong)', () => {
    // (n + 0.5) / 10^k for 12-digit n: the double nearest to a half-way decimal, and its neighbours.
    let seed = 12345;
    const rand = (): number => {
      seed = (seed * 1103515245 + 12345) % 2147483648;
      return seed / 2147483648;
    };
    let checked = 0;
    const wrong: number[] = [];
    for (let i = 0; i < 4_000; i++) {
      const n = 1e11 + Math.floor(rand() * 9e11);
      const k = Math.floor(rand() * 23);
      const half = (n + 0.5) / 10 ** k;
      for (const x of [
        half,
        half * (1 + 2 ** -52),
        half * (1 - 2 ** -52),
        (n + 0.4995) / 10 ** k,
        (n + 0.5005) / 10 ** k,
      ]) {
        if (round12(x) !== reference(x)) wrong.push(x);
        checked++;
      }
    }
    expect(wrong).toEqual([]);
    expect(checked).toBe(20_000);
  });

  it('agrees with toPrecision(12) on prices of random calls at random rates', () => {
    let seed = 777;
    const rand = (): number => {
      seed = (seed * 1103515245 + 12345) % 2147483648;
      return seed / 2147483648;
    };
    const wrong: number[] = [];
    for (let i = 0; i < 20_000; i++) {
      const x = Math.floor(rand() * 1e7) * rand() * 10 ** (Math.floor(rand() * 20) - 14);
      if (round12(x) !== reference(x)) wrong.push(x);
      if (round12(-x) !== reference(-x)) wrong.push(-x);
    }
    expect(wrong).toEqual([]);
  });
});

describe('priceCall: long-context cliffs', () => {
  const cliff = entryWith(
    { input: 1e-6, output: 4e-6, cacheRead: 0.1e-6 },
    {
      longContext: [
        { above: 1_000, rates: { input: 2e-6, output: 8e-6 } },
        { above: 5_000, rates: { input: 3e-6 } },
      ],
    },
  );

  it('applies a tier strictly above its threshold, the highest such tier, every class at its rate', () => {
    expectParts(parts(cliff, { inputTokens: 1_000, outputTokens: 10 }), {
      input: 1_000 * 1e-6,
      cacheRead: 0,
      cacheWrite: 0,
      output: 10 * 4e-6,
    });
    expectParts(parts(cliff, { inputTokens: 1_001, outputTokens: 10 }), {
      input: 1_001 * 2e-6,
      cacheRead: 0,
      cacheWrite: 0,
      output: 10 * 8e-6,
    });
    // Above the second tier: its input rate; output it does not price keeps the base rate.
    expectParts(parts(cliff, { inputTokens: 5_001, outputTokens: 10 }), {
      input: 5_001 * 3e-6,
      cacheRead: 0,
      cacheWrite: 0,
      output: 10 * 4e-6,
    });
  });

  it('counts cache tokens in the input that crosses the cliff; a class the tier lacks keeps its base rate', () => {
    expectParts(parts(cliff, { inputTokens: 1_500, cacheReadTokens: 1_000, outputTokens: 10 }), {
      input: 500 * 2e-6,
      cacheRead: 1_000 * 0.1e-6,
      cacheWrite: 0,
      output: 10 * 8e-6,
    });
  });
});

describe('priceCall: service tiers', () => {
  const tiered = entryWith(
    { input: 1e-6, output: 4e-6 },
    { provider: 'openai', serviceTiers: { priority: { input: 2e-6 }, flex: { input: 0.5e-6, output: 2e-6 } } },
  );
  const usage: NormalizedUsage = { inputTokens: 100, outputTokens: 10 };

  it('standard, or no tier, is the standard price', () => {
    expectParts(parts(tiered, { ...usage, serviceTier: 'standard' }), parts(tiered, usage));
    expectParts(parts(tiered, usage), { input: 100 * 1e-6, cacheRead: 0, cacheWrite: 0, output: 10 * 4e-6 });
  });

  it("a listed tier's own rates, the standard rate for a class the tier does not list", () => {
    expectParts(parts(tiered, { ...usage, serviceTier: 'priority' }), {
      input: 100 * 2e-6,
      cacheRead: 0,
      cacheWrite: 0,
      output: 10 * 4e-6,
    });
    expectParts(parts(tiered, { ...usage, serviceTier: 'flex' }), {
      input: 100 * 0.5e-6,
      cacheRead: 0,
      cacheWrite: 0,
      output: 10 * 2e-6,
    });
  });

  it('a tier the entry has no rate for is unknown_service_tier, unless it is an OpenAI or Anthropic batch', () => {
    const plain = entryWith({ input: 1e-6, output: 4e-6 }, { provider: 'mistral' });
    expect(priceCall(plain, { ...usage, serviceTier: 'flex' })).toBe('unknown_service_tier');
    expect(priceCall(plain, { ...usage, serviceTier: 'priority' })).toBe('unknown_service_tier');
    expect(priceCall(plain, { ...usage, serviceTier: 'batch' })).toBe('unknown_service_tier');
    expect(priceCall(entryWith({ input: 1e-6 }), { ...usage, serviceTier: 'batch' })).toBe('unknown_service_tier');
    // A tier listed with no rate at all is not a listed tier.
    const empty = entryWith({ input: 1e-6 }, { provider: 'mistral', serviceTiers: { flex: { input: undefined } } });
    expect(priceCall(empty, { ...usage, serviceTier: 'flex' })).toBe('unknown_service_tier');
    for (const provider of ['openai', 'anthropic']) {
      const e = entryWith({ input: 1e-6, output: 4e-6, cacheRead: 0.1e-6 }, { provider });
      expectParts(parts(e, { ...usage, cacheReadTokens: 50, serviceTier: 'batch' }), {
        input: 50 * 0.5e-6,
        cacheRead: 50 * 0.05e-6,
        cacheWrite: 0,
        output: 10 * 2e-6,
      });
      expect(priceCall(e, { ...usage, serviceTier: 'flex' })).toBe('unknown_service_tier');
    }
  });

  it('listed batch rates win over the half-price rule; a class they lack is half the standard rate', () => {
    const e = entryWith(
      { input: 1e-6, output: 4e-6 },
      { provider: 'openai', serviceTiers: { batch: { input: 0.3e-6 } } },
    );
    expectParts(parts(e, { ...usage, serviceTier: 'batch' }), {
      input: 100 * 0.3e-6,
      cacheRead: 0,
      cacheWrite: 0,
      output: 10 * 2e-6,
    });
  });

  it('a tier listed only above a cliff is a listed tier', () => {
    const e = entryWith(
      { input: 1e-6, output: 4e-6 },
      {
        provider: 'mistral',
        longContext: [{ above: 1_000, rates: { input: 2e-6 }, serviceTiers: { priority: { input: 5e-6 } } }],
      },
    );
    expectParts(parts(e, { inputTokens: 2_000, outputTokens: 10, serviceTier: 'priority' }), {
      input: 2_000 * 5e-6,
      cacheRead: 0,
      cacheWrite: 0,
      output: 10 * 4e-6,
    });
    // Below the cliff the tier has no rate of its own: the standard rate stands in.
    expectParts(parts(e, { inputTokens: 100, outputTokens: 10, serviceTier: 'priority' }), {
      input: 100 * 1e-6,
      cacheRead: 0,
      cacheWrite: 0,
      output: 10 * 4e-6,
    });
  });

  it('above a cliff, a tier rate the cliff does not list is service × cliff / base', () => {
    const e = entryWith(
      { input: 1e-6, output: 4e-6, cacheRead: 0.1e-6 },
      {
        provider: 'openai',
        serviceTiers: { priority: { input: 2e-6, output: 8e-6 } },
        longContext: [
          { above: 1_000, rates: { input: 3e-6, output: 6e-6 }, serviceTiers: { priority: { output: 20e-6 } } },
        ],
      },
    );
    expectParts(parts(e, { inputTokens: 2_000, cacheReadTokens: 500, outputTokens: 10, serviceTier: 'priority' }), {
      // input: priority 2e-6 × cliff 3e-6 / base 1e-6; output: the cliff's own priority rate;
      // cache reads: neither the tier nor the cliff lists them, so the base rate.
      input: 1_500 * ((2e-6 * 3e-6) / 1e-6),
      cacheRead: 500 * 0.1e-6,
      cacheWrite: 0,
      output: 10 * 20e-6,
    });
  });

  it('above a cliff, a class only the base tier prices for the service tier keeps that service rate', () => {
    const e = entryWith(
      { input: 1e-6, output: 4e-6 },
      {
        provider: 'openai',
        serviceTiers: { priority: { input: 2e-6, output: 8e-6 } },
        longContext: [{ above: 1_000, rates: { input: 3e-6 } }],
      },
    );
    expectParts(parts(e, { inputTokens: 2_000, outputTokens: 10, serviceTier: 'priority' }), {
      input: 2_000 * ((2e-6 * 3e-6) / 1e-6),
      cacheRead: 0,
      cacheWrite: 0,
      output: 10 * 8e-6,
    });
  });

  it('above a cliff, a batch call of a half-price provider pays half the cliff rate', () => {
    const e = entryWith(
      { input: 1e-6, output: 4e-6 },
      { provider: 'anthropic', longContext: [{ above: 1_000, rates: { input: 3e-6 } }] },
    );
    expectParts(parts(e, { inputTokens: 2_000, outputTokens: 10, serviceTier: 'batch' }), {
      input: 2_000 * 1.5e-6,
      cacheRead: 0,
      cacheWrite: 0,
      output: 10 * 2e-6,
    });
  });

  it('above a cliff, a class the service tier does not price at all is the cliff rate', () => {
    const e = entryWith(
      { input: 1e-6, output: 4e-6 },
      {
        provider: 'openai',
        serviceTiers: { priority: { input: 2e-6 } },
        longContext: [{ above: 1_000, rates: { input: 3e-6, output: 6e-6 } }],
      },
    );
    expectParts(parts(e, { inputTokens: 2_000, outputTokens: 10, serviceTier: 'priority' }), {
      input: 2_000 * ((2e-6 * 3e-6) / 1e-6),
      cacheRead: 0,
      cacheWrite: 0,
      output: 10 * 6e-6,
    });
  });

  it('a tier listed above any one of several cliffs is a listed tier', () => {
    const e = entryWith(
      { input: 1e-6, output: 4e-6 },
      {
        provider: 'mistral',
        longContext: [
          { above: 1_000, rates: { input: 2e-6 }, serviceTiers: { priority: { input: 5e-6 } } },
          { above: 5_000, rates: { input: 3e-6 } },
        ],
      },
    );
    expectParts(parts(e, { inputTokens: 100, outputTokens: 10, serviceTier: 'priority' }), {
      input: 100 * 1e-6,
      cacheRead: 0,
      cacheWrite: 0,
      output: 10 * 4e-6,
    });
  });

  it('a service rate over a base rate of 0 does not divide by zero: the cliff rate stands', () => {
    const e = entryWith(
      { input: 0, output: 4e-6 },
      {
        provider: 'mistral',
        serviceTiers: { priority: { input: 2e-6 } },
        longContext: [{ above: 1_000, rates: { input: 3e-6 } }],
      },
    );
    expectParts(parts(e, { inputTokens: 2_000, outputTokens: 10, serviceTier: 'priority' }), {
      input: 2_000 * 3e-6,
      cacheRead: 0,
      cacheWrite: 0,
      output: 10 * 4e-6,
    });
  });
});
