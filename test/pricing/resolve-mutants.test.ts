import { describe, expect, it } from 'vitest';
import { PriceTable } from '../../src/pricing/price-table.js';
import { MAX_MODEL_ID_LENGTH, resolveInTable, stripRevision } from '../../src/pricing/resolve.js';
import type { PriceEntry } from '../../src/pricing/types.js';

/**
 * The edges of each revision rule (docs/pricing.md "Resolving a model id"): the first and last
 * month and day, the year ranges, the shortest id a rule applies to. A rule that reaches one
 * step too far prices a different model (or an id with nothing before the suffix); one that stops
 * a step short leaves a dated id unpriced.
 */

describe('stripRevision at the edges of each rule', () => {
  it.each([
    // -YYYY-MM-DD / @YYYY-MM-DD: months 1–12, days 1–31, a 20xx year.
    ['m-2024-01-01', 'm'],
    ['m-2024-12-31', 'm'],
    ['m@2024-06-15', 'm'],
    // -YYYYMMDD / @YYYYMMDD
    ['m-20240101', 'm'],
    ['m-20241231', 'm'],
    ['m@20240615', 'm'],
    // -YYMMDD with 23 ≤ YY ≤ 29
    ['m-230101', 'm'],
    ['m-291231', 'm'],
    // -MMDD, and -YYMM with 23 ≤ YY ≤ 29
    ['m-0101', 'm'],
    ['m-1231', 'm'],
    ['m-2301', 'm'],
    ['m-2912', 'm'],
    // Gemini -00N / @00N
    ['m-001', 'm'],
    ['m@009', 'm'],
    // The date of a preview or an experiment
    ['m-preview-01-01', 'm-preview'],
    ['m-exp-12-31', 'm-exp'],
    // Aliases of the newest version
    ['m-latest', 'm'],
    ['m@latest', 'm'],
    ['m@default', 'm'],
    // Bedrock versions: -vN:M (N up to two digits), else a bare :M (up to three digits)
    ['m-v1:0', 'm'],
    ['m-v12:0', 'm'],
    ['m-v123:0', 'm-v123'],
    ['m-va:0', 'm-va'],
    ['m:0', 'm'],
    ['m:123', 'm'],
  ])('%s → %s', (id, base) => expect(stripRevision(id)).toBe(base));

  it.each([
    // Not a month or a day.
    'm-2024-00-10',
    'm-2024-13-10',
    'm-2024-01-00',
    'm-2024-01-32',
    'm-20240010',
    'm-20241310',
    'm-20240100',
    'm-20240132',
    // Not a 20xx year.
    'm-1999-01-10',
    'm-2124-01-10',
    'm-19990110',
    'm-21240110',
    'm-2024x01-10',
    'm-2024-01x10',
    'm-202a-01-10',
    // YYMMDD outside 23–29, or not a month/day.
    'm-220101',
    'm-300101',
    'm-240001',
    'm-241301',
    'm-240100',
    'm-240132',
    // Neither MMDD nor YYMM (23–29).
    'm-0001',
    'm-1301',
    'm-0100',
    'm-0132',
    'm-2213',
    'm-2300',
    'm-2913',
    'm-3001',
    // Other three-digit endings than 00N.
    'm-010',
    'm-100',
    'm_001',
    // Digits of other lengths, other separators.
    'm-12345',
    'm_20240101',
    'm-2024_01_10',
    'gpt-4',
    'gpt-4.1',
    'm-other-05-20',
    'm-preview-13-20',
    'm-preview-05-32',
    'm-preview-00-20',
    'm:1234',
    'm:',
    'model:',
    'm-v1:x',
    // A non-digit inside the digits (a version, not a date: `m-1.10` is version 1.10).
    'm-20a40110',
    'm-1.10',
    'm-3.0101',
    'm-preview-1.-20',
    // A year that does not start with 20.
    'm-30240110',
    'm-3024-01-10',
    // A date glued to the model name, or a preview date without its dashes.
    'mx2024-01-10',
    'm-previewx05-20',
    'm-preview-05x20',
    // Short all-digit ids.
    '123',
  ])('%s is not a revision', (id) => expect(stripRevision(id)).toBeUndefined());

  it.each([
    '-2024-01-10',
    '@2024-01-10',
    '-20240110',
    '-240110',
    '-0613',
    '-001',
    '-latest',
    '@latest',
    '@default',
    ':0',
    ':00',
    '-v1:0',
  ])('a bare suffix %s is not stripped to an empty model id', (id) => {
    expect(stripRevision(id) ?? 'none').not.toBe('');
  });

  it('looks at ids up to the length bound and not beyond', () => {
    const atLimit = 'm'.repeat(MAX_MODEL_ID_LENGTH - 7) + '-latest';
    expect(stripRevision(atLimit)).toBe('m'.repeat(MAX_MODEL_ID_LENGTH - 7));
    expect(stripRevision('m' + atLimit)).toBeUndefined();
  });
});

const entry = (key: string, provider?: string): PriceEntry => ({
  key,
  rates: { input: 1e-6, output: 2e-6 },
  source: 'test',
  ...(provider ? { provider } : {}),
});

describe('resolveInTable bounds', () => {
  const table = new PriceTable([entry('base-model')], 'test');

  it('strips up to three revision suffixes in a row, not four', () => {
    expect(resolveInTable(table, 'base-model-latest-20240101-v1:0')).toMatchObject({
      entry: { key: 'base-model' },
      match: 'revision',
    });
    expect(resolveInTable(table, 'base-model-latest-latest-20240101-v1:0')).toBeUndefined();
  });

  it('peels up to three qualifiers before the model, not four', () => {
    expect(resolveInTable(table, 'a/b/c/base-model')).toMatchObject({ entry: { key: 'base-model' } });
    expect(resolveInTable(table, 'a/b/c/d/base-model')).toBeUndefined();
  });

  it('an id that is only a qualifier, or starts with a slash, is not a model', () => {
    const slashTable = new PriceTable([entry('base-model'), entry('openai')], 'test');
    expect(resolveInTable(slashTable, '/base-model')).toBeUndefined();
    expect(resolveInTable(slashTable, 'openai/')).toBeUndefined();
  });

  it('trims and lower-cases the id, refuses empty, over-long and non-string ids', () => {
    expect(resolveInTable(table, '  Base-Model  ')).toMatchObject({ entry: { key: 'base-model' }, match: 'exact' });
    expect(resolveInTable(table, '   ')).toBeUndefined();
    expect(resolveInTable(table, 42 as unknown as string)).toBeUndefined();
    const long = new PriceTable(
      [entry('x'.repeat(MAX_MODEL_ID_LENGTH)), entry('y'.repeat(MAX_MODEL_ID_LENGTH + 1))],
      'test',
    );
    expect(resolveInTable(long, 'x'.repeat(MAX_MODEL_ID_LENGTH))).toMatchObject({ match: 'exact' });
    expect(resolveInTable(long, 'y'.repeat(MAX_MODEL_ID_LENGTH + 1))).toBeUndefined();
  });
});

describe('resolveInTable with a provider', () => {
  it("the exact key wins unless it is another provider's; the provider's own key wins then", () => {
    const table = new PriceTable(
      [
        entry('gpt-4o', 'openai'),
        entry('openai/gpt-4o', 'openai'),
        entry('azure/gpt-4o', 'azure'),
        entry('plain-model'),
        entry('azure/plain-model', 'azure'),
      ],
      'test',
    );
    expect(resolveInTable(table, 'gpt-4o', 'openai')).toMatchObject({ entry: { key: 'gpt-4o' }, match: 'exact' });
    expect(resolveInTable(table, 'gpt-4o', 'azure')).toMatchObject({
      entry: { key: 'azure/gpt-4o' },
      match: 'provider',
    });
    // The exact key names no provider: it is nobody else's.
    expect(resolveInTable(table, 'plain-model', 'azure')).toMatchObject({
      entry: { key: 'plain-model' },
      match: 'exact',
    });
    // Another provider's exact key is still the fallback when the caller's provider has none.
    expect(resolveInTable(table, 'gpt-4o', 'mistral')).toMatchObject({ entry: { key: 'gpt-4o' }, match: 'exact' });
  });

  it("a Bedrock geography prefix falls back to the provider's key of the plain id, through every key prefix", () => {
    const table = new PriceTable(
      [entry('bedrock/anthropic.claude-x', 'bedrock'), entry('bedrock/converse/meta.llama-y', 'bedrock')],
      'test',
    );
    expect(resolveInTable(table, 'us.anthropic.claude-x', 'bedrock')).toMatchObject({
      entry: { key: 'bedrock/anthropic.claude-x' },
      match: 'provider',
    });
    expect(resolveInTable(table, 'meta.llama-y', 'bedrock')).toMatchObject({
      entry: { key: 'bedrock/converse/meta.llama-y' },
      match: 'provider',
    });
    expect(resolveInTable(table, 'us.anthropic.claude-x')).toBeUndefined();
  });
});
