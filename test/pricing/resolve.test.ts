import { describe, expect, it, vi } from 'vitest';
import { parseLiteLLMTable } from '../../src/sources/litellm.js';
import { PriceTable } from '../../src/pricing/price-table.js';
import { PriceBook } from '../../src/pricing/price-book.js';
import { resolveInTable, stripRevision } from '../../src/pricing/resolve.js';
import { normalizeProvider } from '../../src/pricing/providers.js';
import type { PriceEntry } from '../../src/pricing/types.js';
import { NO_SHARED_TABLE, SHARED_TABLE_NOTE, readSharedTable } from '../support/shared-table.js';

const entry = (key: string, input = 1e-6, provider?: string): PriceEntry => ({
  key,
  rates: { input, output: input * 4 },
  source: 'test',
  ...(provider ? { provider } : {}),
});

describe('revision suffixes', () => {
  it.each([
    ['claude-sonnet-4-5-20250929', 'claude-sonnet-4-5'],
    ['gpt-4o-2024-08-06', 'gpt-4o'],
    ['claude-sonnet-4-5@20250929', 'claude-sonnet-4-5'],
    ['gpt-4-0613', 'gpt-4'],
    ['mistral-large-2407', 'mistral-large'],
    ['anthropic.claude-3-haiku-20240307-v1:0', 'anthropic.claude-3-haiku-20240307'],
    ['cohere.rerank-v3-5:0', 'cohere.rerank-v3-5'],
    ['mistral-large-latest', 'mistral-large'],
    ['gemini-1.5-pro-002', 'gemini-1.5-pro'],
    ['deepseek-v3-2-251201', 'deepseek-v3-2'],
    ['gemini-2.5-flash-preview-05-20', 'gemini-2.5-flash-preview'],
  ])('%s → %s', (id, base) => expect(stripRevision(id)).toBe(base));

  it.each([
    'gpt-4o-mini',
    'gpt-5-pro',
    'gpt-4.1',
    'claude-opus-4-65',
    'gpt-4o-preview',
    'llama-3-70b',
    'gpt-4-9999',
    'x-20251399',
  ])('%s is not a revision', (id) => expect(stripRevision(id)).toBeUndefined());

  it('is linear on hostile input and refuses over-long ids', () => {
    expect(stripRevision('-'.repeat(100) + '1'.repeat(150))).toBeUndefined();
    const t = new PriceTable([entry('a')], 't');
    expect(resolveInTable(t, 'a'.repeat(10_000))).toBeUndefined();
  });
});

describe('provider spellings', () => {
  it.each([
    ['openai.chat', 'openai'],
    ['openai.responses', 'openai'],
    ['Anthropic', 'anthropic'],
    ['anthropic.messages', 'anthropic'],
    ['aws.bedrock', 'bedrock'],
    ['bedrock_converse', 'bedrock'],
    ['azure.ai.openai', 'azure'],
    ['az.ai.openai', 'azure'],
    ['gcp.vertex_ai', 'vertex_ai'],
    ['vertex', 'vertex_ai'],
    ['vertex_ai-anthropic_models', 'vertex_ai'],
    ['gcp.gemini', 'gemini'],
    ['google.generative-ai', 'gemini'],
    ['x_ai', 'xai'],
    ['xai', 'xai'],
    ['mistral_ai', 'mistral'],
    ['groq', 'groq'],
    ['deepseek', 'deepseek'],
    ['cohere', 'cohere'],
    ['openrouter', 'openrouter'],
    ['Some-New-Provider', 'some-new-provider'],
  ])('%s → %s', (p, id) => expect(normalizeProvider(p)).toBe(id));

  it.each(['constructor', '__proto__', 'toString', 'hasOwnProperty'])(
    'treats the untrusted provider %j as an unknown provider, not as an Object member',
    (p) => {
      const book = new PriceBook(); // the embedded table
      const call = { model: 'gpt-4o', inputTokens: 1000, outputTokens: 100 };
      const asUnknown = book.price({ ...call, provider: 'some-new-provider' });
      expect(asUnknown.costUsd).toBeGreaterThan(0);
      expect(book.price({ ...call, provider: p })).toEqual(asUnknown);
    },
  );

  it('maps every LiteLLM provider prefix used by priced keys to itself', () => {
    // A `prefix/` key must be reachable through `normalizeProvider(prefix)`.
    for (const p of ['azure', 'bedrock', 'vertex_ai', 'gemini', 'xai', 'mistral', 'groq', 'openrouter', 'deepseek']) {
      expect(normalizeProvider(p)).toBe(p);
    }
  });
});

describe('memoized resolution', () => {
  const sizes = [10, 3_000];
  const tables = sizes.map((n) => {
    const entries = Array.from({ length: n }, (_, i) => entry(`model-${i}`));
    entries.push(entry('claude-sonnet-4-5'), entry('azure/gpt-4o', 2e-6, 'azure'), entry('gpt-4o', 2e-6, 'openai'));
    return new PriceTable(entries, `t${n}`);
  });

  it('does the same number of index probes whatever the table size, and none on a repeat', () => {
    const probes: number[][] = [];
    for (const table of tables) {
      const book = new PriceBook({ table, embedded: false });
      const spy = vi.spyOn(table, 'get');
      const counts: number[] = [];
      for (const [model, provider] of [
        ['claude-sonnet-4-5-20250929', undefined],
        ['gpt-4o', 'azure.ai.openai'],
        ['unknown-model-2024-01-01', 'openai'],
      ] as const) {
        spy.mockClear();
        expect(book.resolve(model, provider) !== undefined).toBe(!model.startsWith('unknown'));
        counts.push(spy.mock.calls.length);
        spy.mockClear();
        book.resolve(model, provider);
        expect(spy.mock.calls.length, `memo hit for ${model}`).toBe(0);
      }
      probes.push(counts);
      spy.mockRestore();
    }
    expect(probes[0]).toEqual(probes[1]);
  });

  it('forgets resolutions when the table is swapped', () => {
    const book = new PriceBook({ table: new PriceTable([entry('m', 1e-6)], 'old'), embedded: false });
    expect(book.resolve('m')?.entry.source).toBe('test');
    expect(book.price({ model: 'm', inputTokens: 1_000_000 }).costUsd).toBe(1);
    book.setTable(new PriceTable([entry('m', 3e-6)], 'new'));
    expect(book.price({ model: 'm', inputTokens: 1_000_000 }).costUsd).toBe(3);
  });

  it('stays bounded', () => {
    const book = new PriceBook({ table: tables[0], embedded: false, memoSize: 4 });
    const spy = vi.spyOn(tables[0]!, 'get');
    for (let i = 0; i < 10; i++) book.resolve(`model-${i}`);
    spy.mockClear();
    book.resolve('model-0'); // evicted: resolved again
    expect(spy.mock.calls.length).toBeGreaterThan(0);
    spy.mockRestore();
  });
});

describe('sources and aliases', () => {
  it('consults overrides, then the user table, then the embedded table; aliases last', () => {
    const table = new PriceTable([entry('gpt-4o', 2e-6, 'openai'), entry('house-model', 5e-6)], 'user');
    const embedded = new PriceTable([entry('gpt-4o', 9e-6, 'openai'), entry('only-embedded', 7e-6)], 'embedded');
    const book = new PriceBook({
      overrides: [{ ...entry('house-model', 1e-7), source: 'overrides' }],
      table,
      embedded,
      aliases: { 'my-finetune': 'gpt-4o-2024-08-06', 'gpt-4o': 'only-embedded' },
    });
    expect(book.resolve('house-model')?.entry.source).toBe('overrides');
    expect(book.resolve('gpt-4o')?.entry.rates.input).toBe(2e-6);
    expect(book.resolve('only-embedded')?.entry.rates.input).toBe(7e-6);
    // An alias never shadows a model a table knows.
    expect(book.resolve('gpt-4o')?.match).toBe('exact');
    expect(book.resolve('my-finetune')).toMatchObject({
      match: 'alias',
      entry: { key: 'gpt-4o', rates: { input: 2e-6 } },
    });
    expect(book.price({ model: 'my-finetune', inputTokens: 10 })).toMatchObject({
      match: 'alias',
      pricingKey: 'gpt-4o',
    });
  });

  it('resolves provider/model and deployment/model ids to the upstream model', () => {
    const book = new PriceBook({ table: new PriceTable([entry('gpt-4o', 2e-6, 'openai')], 't'), embedded: false });
    expect(book.resolve('openai/gpt-4o')).toMatchObject({ match: 'provider', entry: { key: 'gpt-4o' } });
    expect(book.resolve('my-deployment/gpt-4o-2024-08-06')).toMatchObject({
      match: 'revision',
      entry: { key: 'gpt-4o' },
    });
    expect(book.resolve('openai/gpt-4o-mini')).toBeUndefined();
  });
});

/**
 * Leave-one-out over the real table: drop each key, resolve it again, and see what it lands on.
 * A lookup that finds something else is either a revision (dated/versioned id → its base) or a
 * provider fallback (geo prefix / `provider/`, region or deployment qualifier → the upstream
 * model). Neither may ever cross to a different model name.
 */
describe.skipIf(NO_SHARED_TABLE)(`leave-one-out over the LiteLLM table ${SHARED_TABLE_NOTE}`, () => {
  it('only lands on a differently priced entry through a dated or versioned revision', () => {
    const { entries } = parseLiteLLMTable(readSharedTable(), 'litellm');
    class Without extends PriceTable {
      hidden: PriceEntry | undefined;
      override get(key: string): PriceEntry | undefined {
        const e = super.get(key);
        return e === this.hidden ? undefined : e;
      }
    }
    const table = new Without(entries, 'litellm');
    const priceOf = (e: PriceEntry) => JSON.stringify([e.rates, e.serviceTiers ?? null, e.longContext ?? null]);
    // Independent of the code under test: what a revision suffix looks like.
    const REVISION =
      /(-20\d{6}|@20\d{6}|-20\d{2}-\d{2}-\d{2}|-\d{4}|-2\d{5}|-0\d\d|@0\d\d|[-@]latest|@default|-v\d+:\d+|:\d+)$/;
    const lastSegment = (k: string) => k.slice(k.lastIndexOf('/') + 1);
    let found = 0;
    let foundViaRevision = 0;
    const differs = { revision: [] as string[], provider: [] as string[], other: [] as string[] };
    for (const e of entries) {
      table.hidden = e;
      const r = resolveInTable(table, e.key);
      if (!r) continue;
      found++;
      if (r.match === 'revision') foundViaRevision++;
      const removed = e.key.toLowerCase();
      const landed = r.entry.key.toLowerCase();
      // Never a different model: the landed model name is the removed id's model name, minus
      // a revision suffix and/or leading qualifiers.
      const model = lastSegment(landed).replace(/^(us|eu|apac|au|jp|global|us-gov)\./, '');
      let rest = lastSegment(removed).replace(/^(us|eu|apac|au|jp|global|us-gov|ca)\./, '');
      for (let i = 0; i < 3 && rest !== model && REVISION.test(rest); i++) rest = rest.replace(REVISION, '');
      expect(rest, `${removed} → ${landed}`).toBe(model);
      if (priceOf(r.entry) !== priceOf(e)) {
        (r.match === 'revision' ? differs.revision : r.match === 'provider' ? differs.provider : differs.other).push(
          `${removed} → ${landed}`,
        );
      }
    }
    for (const d of differs.revision) expect(d.split(' → ')[0], d).toMatch(REVISION);
    expect(differs.other).toEqual([]);
    // A host or region the table prices on its own (`replicate/`, `azure_ai/`, `eu.`,
    // `bedrock/ap-northeast-1/`, `deepseek/`) is never stripped to reach another price: the only
    // differently priced landings are dated or versioned snapshots (asserted above).
    expect(differs.provider).toEqual([]);
    const summary = {
      keys: entries.length,
      found,
      foundViaRevision,
      differentlyPriced: differs.revision.length + differs.provider.length,
      viaRevision: differs.revision.length,
      viaProviderFallback: differs.provider.length,
    };
    console.log('leave-one-out', JSON.stringify(summary));
    expect(found).toBeGreaterThan(0);
  });
});
