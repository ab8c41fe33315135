import fc from 'fast-check';
import { beforeAll, describe, expect, it } from 'vitest';
import { parseLiteLLMTable } from '../../src/sources/litellm.js';
import { PriceBook, embeddedPriceTable } from '../../src/pricing/price-book.js';
import { PriceTable } from '../../src/pricing/price-table.js';
import type { NormalizedUsage, PriceEntry } from '../../src/pricing/types.js';
import { NO_SHARED_TABLE, SHARED_TABLE_NOTE, readSharedTable } from '../support/shared-table.js';

/**
 * Properties of the pricing engine over the real tables: the shared LiteLLM snapshot (skipped when
 * absent) and the genai-prices data embedded in the package. Expectations are stated without the
 * engine's help: finiteness, monotonicity, and an independent oracle of which table keys a model
 * id may legitimately resolve to.
 */

/** Scale with FC_RUNS_SCALE=10 for a longer local search. */
const SCALE = Number(process.env.FC_RUNS_SCALE ?? 1) || 1;
const RUNS = 300 * SCALE;
const UNPRICED_REASONS = new Set([
  'no_usage',
  'unknown_model',
  'no_model',
  'invalid_usage',
  'unknown_service_tier',
  'invalid_price',
]);

interface Books {
  name: string;
  book: PriceBook;
  entries: readonly PriceEntry[];
}

let litellm: Books | undefined;
let embedded: Books;

beforeAll(() => {
  const table = embeddedPriceTable();
  embedded = { name: 'genai-prices', book: new PriceBook(), entries: table.entries() };
  if (!NO_SHARED_TABLE) {
    const parsed = parseLiteLLMTable(readSharedTable(), 'litellm@test');
    const t = new PriceTable(parsed.entries, 'litellm@test');
    litellm = { name: 'litellm', book: new PriceBook({ table: t, embedded: false }), entries: t.entries() };
  }
});

function booksUnderTest(): Books[] {
  return litellm ? [litellm, embedded] : [embedded];
}

/** Disjoint token classes of one call; the usage the engine sees is built from them. */
interface Parts {
  fresh: number;
  read: number;
  write5m: number;
  write1h: number;
  plainOut: number;
  reasoning: number;
}

const count = fc.oneof(fc.constant(0), fc.integer({ min: 0, max: 5_000 }), fc.integer({ min: 0, max: 2_000_000 }));
const partsArb: fc.Arbitrary<Parts> = fc.record({
  fresh: count,
  read: count,
  write5m: count,
  write1h: count,
  plainOut: count,
  reasoning: count,
});
const tierArb = fc.constantFrom(undefined, 'standard', 'batch', 'priority', 'flex') as fc.Arbitrary<
  NormalizedUsage['serviceTier']
>;

/** Semconv meaning: input includes cache reads and writes, writes include 1-hour writes, output includes reasoning. */
function usageOf(model: string, p: Parts, serviceTier?: NormalizedUsage['serviceTier']): NormalizedUsage {
  const usage: NormalizedUsage = {
    model,
    inputTokens: p.fresh + p.read + p.write5m + p.write1h,
    cacheReadTokens: p.read,
    cacheWriteTokens: p.write5m + p.write1h,
    cacheWrite1hTokens: p.write1h,
    outputTokens: p.plainOut + p.reasoning,
    reasoningTokens: p.reasoning,
  };
  if (serviceTier !== undefined) usage.serviceTier = serviceTier;
  return usage;
}

function entryArb(): fc.Arbitrary<PriceEntry> {
  return fc.constantFrom(...booksUnderTest().flatMap((b) => b.entries));
}

describe('cost is either absent with a reason, or finite and non-negative', () => {
  it(`holds for every real entry and any token counts ${SHARED_TABLE_NOTE}`, () => {
    for (const { book, entries } of booksUnderTest()) {
      fc.assert(
        fc.property(fc.constantFrom(...entries), partsArb, tierArb, (entry, parts, tier) => {
          const result = book.price(usageOf(entry.key, parts, tier));
          if (result.costUsd === null) {
            expect(UNPRICED_REASONS.has(result.reason)).toBe(true);
            return;
          }
          expect(Number.isFinite(result.costUsd)).toBe(true);
          expect(result.costUsd).toBeGreaterThanOrEqual(0);
          for (const part of Object.values(result.breakdown)) {
            expect(Number.isFinite(part)).toBe(true);
            expect(part).toBeGreaterThanOrEqual(0);
          }
          const sum =
            result.breakdown.input + result.breakdown.cacheRead + result.breakdown.cacheWrite + result.breakdown.output;
          expect(Math.abs(sum - result.costUsd)).toBeLessThanOrEqual(1e-9 * Math.max(1e-6, result.costUsd));
        }),
        { numRuns: RUNS },
      );
    }
  });

  it('says why for counts that are not token counts (NaN, negative, fractional, infinite, strings)', () => {
    const bad = fc.oneof(
      fc.constant(Number.NaN),
      fc.constant(Number.POSITIVE_INFINITY),
      fc.integer({ min: -1e9, max: -1 }),
      fc.constant('100' as unknown as number),
      fc.constant([1, 2] as unknown as number),
    );
    const field = fc.constantFrom<keyof NormalizedUsage>(
      'inputTokens',
      'outputTokens',
      'cacheReadTokens',
      'cacheWriteTokens',
      'cacheWrite1hTokens',
      'reasoningTokens',
    );
    fc.assert(
      fc.property(entryArb(), partsArb, field, bad, (entry, parts, key, value) => {
        const usage = { ...usageOf(entry.key, parts), [key]: value } as NormalizedUsage;
        for (const { book } of booksUnderTest()) {
          const result = book.price(usage);
          // Either the model is unknown to this book, or the bad count is reported as such.
          expect(result.costUsd).toBeNull();
          if (result.costUsd === null) expect(['invalid_usage', 'unknown_model']).toContain(result.reason);
        }
      }),
      { numRuns: RUNS },
    );
  });

  it('prices cache parts larger than the input as invalid, never as a negative uncached input', () => {
    fc.assert(
      fc.property(
        entryArb(),
        fc.integer({ min: 0, max: 10_000 }),
        fc.integer({ min: 1, max: 10_000 }),
        (entry, input, excess) => {
          for (const { book } of booksUnderTest()) {
            const result = book.price({
              model: entry.key,
              inputTokens: input,
              cacheReadTokens: input + excess,
              outputTokens: 10,
            });
            if (result.costUsd !== null) throw new Error(`priced ${entry.key} at ${result.costUsd} with cache > input`);
            expect(['invalid_usage', 'unknown_model']).toContain(result.reason);
          }
        },
      ),
      { numRuns: RUNS },
    );
  });
});

describe('cost never decreases when any token count grows', () => {
  const grow = fc.constantFrom<keyof Parts>('fresh', 'read', 'write5m', 'write1h', 'plainOut', 'reasoning');
  const delta = fc.oneof(fc.integer({ min: 1, max: 1_000 }), fc.integer({ min: 1, max: 1_000_000 }));

  it(`holds for every real entry, service tier and long-context cliff ${SHARED_TABLE_NOTE}`, () => {
    for (const { book, entries } of booksUnderTest()) {
      fc.assert(
        fc.property(fc.constantFrom(...entries), partsArb, tierArb, grow, delta, (entry, parts, tier, key, d) => {
          const before = book.price(usageOf(entry.key, parts, tier));
          const after = book.price(usageOf(entry.key, { ...parts, [key]: parts[key] + d }, tier));
          if (before.costUsd === null || after.costUsd === null) {
            // Growing a count can only turn "no usage" into a price, never a price into nothing.
            if (before.costUsd !== null) throw new Error(`${entry.key}: priced before, unpriced after growing ${key}`);
            return;
          }
          if (after.costUsd < before.costUsd) {
            throw new Error(
              `${entry.key} (${tier ?? 'standard'}): growing ${key} by ${d} ` +
                `lowered the cost ${before.costUsd} → ${after.costUsd}`,
            );
          }
        }),
        { numRuns: RUNS },
      );
    }
  });
});

// ── Resolution oracle, written without the resolver ──────────────────────────────────────────

/**
 * Revision suffixes as the pricing tables use them (docs/pricing.md "Resolving a model id"): dates, snapshot numbers,
 * Bedrock versions, `latest`, Vertex `@default`, Gemini `-00N`, the `-MM-DD` of a preview. Deliberately written as
 * regular expressions (the resolver uses none) so the two cannot share a mistake.
 */
const REVISION_SUFFIXES: readonly RegExp[] = [
  /^(.+)[-@]20\d{2}-?\d{2}-?\d{2}$/,
  /^(.+)-\d{6}$/,
  /^(.+)-\d{4}$/,
  /^(.+)-v\d+:\d+$/,
  /^(.+):\d+$/,
  /^(.+)[-@]latest$/,
  // Vertex AI's version alias of a partner model (`claude-opus-4-6@default`).
  /^(.+)@default$/,
  /^(.+)[-@]00\d$/,
  /^(.+-(?:preview|exp))-\d{2}-\d{2}$/,
];
const GEOS = ['us', 'eu', 'apac', 'global', 'au', 'jp', 'ca', 'us-gov', 'apne1'];

/**
 * Names an id may stand for: itself, minus revision suffixes, minus leading `segment/`
 * qualifiers, minus a Bedrock geography; returns them with the qualifiers peeled on the way.
 */
function ownNames(id: string): { names: Set<string>; qualifiers: Set<string> } {
  const names = new Set<string>();
  const qualifiers = new Set<string>();
  const todo = [id.trim().toLowerCase()];
  while (todo.length > 0) {
    const n = todo.pop() as string;
    if (n.length === 0 || names.has(n)) continue;
    names.add(n);
    for (const re of REVISION_SUFFIXES) {
      const m = re.exec(n);
      if (m?.[1]) todo.push(m[1]);
    }
    const slash = n.indexOf('/');
    if (slash > 0) {
      qualifiers.add(n.slice(0, slash));
      todo.push(n.slice(slash + 1));
    }
    const dot = n.indexOf('.');
    if (dot > 0 && GEOS.includes(n.slice(0, dot))) todo.push(n.slice(dot + 1));
  }
  return { names, qualifiers };
}

/** Provider spellings whose table prefix differs (LiteLLM ids), enough for the ids generated below. */
const PREFIX_SPELLINGS: Record<string, string[]> = {
  google: ['gemini', 'vertex_ai'],
  gemini: ['vertex_ai'],
  aws: ['bedrock'],
  bedrock: ['bedrock/converse'],
  'x-ai': ['xai'],
  together: ['together_ai'],
  fireworks: ['fireworks_ai'],
  moonshotai: ['moonshot'],
  voyageai: ['voyage'],
  mistralai: ['mistral'],
};

/** Every table name that would be the id's own base: a name, or a name under a provider prefix. */
function allowedKeys(id: string, provider: string | undefined): Set<string> {
  const { names, qualifiers } = ownNames(id);
  const prefixes = new Set<string>();
  for (const q of [...qualifiers, ...(provider ? [provider] : [])]) {
    prefixes.add(q);
    for (const s of PREFIX_SPELLINGS[q] ?? []) prefixes.add(s);
  }
  const allowed = new Set(names);
  for (const p of prefixes) for (const n of names) allowed.add(`${p}/${n}`);
  return allowed;
}

/** Every name under which an entry is indexed (its key, `equals` ids and `starts_with` bases). */
function namesOf(entry: PriceEntry): string[] {
  return [entry.key, ...(entry.matchKeys ?? []), ...(entry.baseKeys ?? [])].map((k) => k.toLowerCase());
}

const PROVIDERS = [undefined, 'openai', 'anthropic', 'azure', 'bedrock', 'vertex_ai', 'gemini', 'openrouter'];
/** Suffixes that name a different model (must never resolve to the base) or a revision (may). */
const SUFFIXES = [
  '-mini',
  '-pro',
  '-turbo',
  '.1',
  '-1',
  '-2',
  '-12',
  '-preview',
  '-x',
  'o',
  '-20250929',
  '@20250929',
  '-2024-08-06',
  '-v1:0',
  ':0',
  '-latest',
  '-001',
  '-0613',
  '-2407',
  '-251201',
  '-preview-05-20',
  '-20251399',
  '-99',
  '-v1',
  '-instruct',
  '-fast',
  '-16k',
  '-a-',
  '--',
  '-@',
  '/x',
  '/',
  '.',
];
const PREFIXES = [
  'openai/',
  'azure/',
  'us.',
  'eu.',
  'global.',
  'openrouter/',
  'bedrock/',
  'my-deployment/',
  'x',
  'ft:',
  'models/',
  'us-',
  '.',
];

describe('a model id never resolves to a key that is not its own base or alias', () => {
  function idArb(): fc.Arbitrary<{ id: string; provider: string | undefined }> {
    const key = fc.constantFrom(...booksUnderTest().flatMap((b) => b.entries.flatMap(namesOf)));
    const affix = (choices: string[]) =>
      fc.oneof(
        { weight: 3, arbitrary: fc.constantFrom(...choices) },
        { weight: 1, arbitrary: fc.string({ maxLength: 6 }) },
        { weight: 1, arbitrary: fc.constant('') },
      );
    return fc.record({
      id: fc.tuple(affix(PREFIXES), key, affix(SUFFIXES), affix(SUFFIXES)).map(([p, k, s1, s2]) => p + k + s1 + s2),
      provider: fc.constantFrom(...PROVIDERS),
    });
  }

  it(`holds for real keys with arbitrary prefixes and suffixes ${SHARED_TABLE_NOTE}`, () => {
    let resolved = 0;
    fc.assert(
      fc.property(idArb(), ({ id, provider }) => {
        for (const { name, book } of booksUnderTest()) {
          const found = book.resolve(id, provider);
          if (found === undefined) continue;
          resolved++;
          const allowed = allowedKeys(id, provider);
          const hit = namesOf(found.entry).some((n) => allowed.has(n));
          if (!hit) {
            throw new Error(
              `${name}: ${JSON.stringify(id)} (provider ${provider ?? '-'}) resolved to ${found.entry.key} ` +
                `(${found.match}), which is not the id, a revision base, or a provider-qualified form of either`,
            );
          }
        }
      }),
      { numRuns: 1500 * SCALE },
    );
    // The property must have been exercised, not vacuously true.
    expect(resolved).toBeGreaterThan(100);
  });

  it("resolves an alias only to its configured target (or the target's own base)", () => {
    const targets = ['gpt-4o', 'claude-sonnet-4-5', 'gpt-4o-mini', 'gemini-2.5-pro'];
    fc.assert(
      fc.property(
        fc.string({ minLength: 1, maxLength: 20 }).map((s) => `alias-${s}`),
        fc.constantFrom(...targets),
        fc.constantFrom(...PROVIDERS),
        (alias, target, provider) => {
          const book = new PriceBook({ aliases: { [alias]: target } });
          const found = book.resolve(alias, provider);
          if (found === undefined) return;
          const allowed = new Set([...allowedKeys(alias, provider), ...allowedKeys(target, provider)]);
          expect(namesOf(found.entry).some((n) => allowed.has(n))).toBe(true);
          if (found.match === 'alias')
            expect(namesOf(found.entry).some((n) => allowedKeys(target, provider).has(n))).toBe(true);
        },
      ),
      { numRuns: 100 },
    );
  });

  it('never slides to a neighbouring model family (known traps)', () => {
    // Pairs from docs/pricing.md "Resolving a model id": the longer id is a different model, not a
    // revision. The first four are unknown everywhere (they must stay unpriced); the last four are
    // dated snapshots of the longer model that both tables resolve, so the check on what they
    // resolve to really runs.
    const unknown: Array<[string, string]> = [
      ['gpt-4o-mini-nonexistent', 'gpt-4o'],
      ['gpt-5-pro-hypothetical', 'gpt-5'],
      ['gpt-4.1-hypothetical', 'gpt-4'],
      ['claude-sonnet-4-5-experimental', 'claude-sonnet-4-5'],
    ];
    const resolved: Array<[string, string, string]> = [
      ['gpt-4o-mini-2099-01-01', 'gpt-4o', 'gpt-4o-mini'],
      ['gpt-5-pro-2099-01-01', 'gpt-5', 'gpt-5-pro'],
      ['gpt-4.1-2099-01-01', 'gpt-4', 'gpt-4.1'],
      ['claude-opus-4-1-20990101', 'claude-opus-4', 'claude-opus-4-1'],
    ];
    for (const { book } of booksUnderTest()) {
      for (const [id] of unknown) expect(book.resolve(id), id).toBeUndefined();
      for (const [id, neighbour, own] of resolved) {
        const found = book.resolve(id);
        expect(found, id).toBeDefined();
        const names = namesOf(found!.entry);
        expect(names, id).not.toContain(neighbour);
        expect(
          names.some((n) => n === own || n.endsWith(`/${own}`)),
          `${id} → ${found!.entry.key}`,
        ).toBe(true);
      }
    }
  });
});

describe('a service tier keeps its surcharge above a long-context cliff', () => {
  it.skipIf(NO_SHARED_TABLE)(
    `prices priority above 272k at priority × cliff / base when the table lists no combined rate ${SHARED_TABLE_NOTE}`,
    () => {
      const raw = readSharedTable();
      const num = (k: string, f: string): number => raw[k]![f] as number;
      // An entry with priority and 272k rates but no `…_above_272k_tokens_priority` (gpt-5.5 in the snapshot).
      const key = Object.keys(raw).find(
        (k) =>
          typeof raw[k]?.input_cost_per_token_priority === 'number' &&
          typeof raw[k]?.input_cost_per_token_above_272k_tokens === 'number' &&
          raw[k]?.input_cost_per_token_above_272k_tokens_priority === undefined,
      );
      expect(key, 'an entry with priority and 272k rates but no combined rate').toBeDefined();
      const k = key as string;
      const result = litellm!.book.price({
        model: k,
        inputTokens: 272_001,
        outputTokens: 1_000,
        serviceTier: 'priority',
      });
      if (result.costUsd === null) throw new Error(`${k} unpriced: ${result.reason}`);
      const scale = (f: string) => (num(k, `${f}_priority`) * num(k, `${f}_above_272k_tokens`)) / num(k, f);
      expect(result.breakdown.input).toBeCloseTo(272_001 * scale('input_cost_per_token'), 9);
      expect(result.breakdown.output).toBeCloseTo(1_000 * scale('output_cost_per_token'), 9);
      // And never cheaper than the same priority call just below the cliff.
      const below = litellm!.book.price({
        model: k,
        inputTokens: 272_000,
        outputTokens: 1_000,
        serviceTier: 'priority',
      });
      expect(below.costUsd).not.toBeNull();
      expect(result.costUsd).toBeGreaterThan(below.costUsd as number);
    },
  );
});
