import { describe, expect, it } from 'vitest';
import { compareVersions } from '../../src/conventions/input-accounting.js';
import { readUsage, type ReadUsageOptions } from '../../src/conventions/read-usage.js';

/**
 * Whether a span's input count includes its cache (docs/processor.md "Input accounting"), through
 * the reader a processor uses: the semconv input it ends up with and the rule and reason written
 * on the span. 1,000 input tokens with 100 cache reads: 1,000 when inclusive, 1,100 when additive.
 */

const counts = { 'gen_ai.usage.input_tokens': 1_000, 'gen_ai.usage.cache_read.input_tokens': 100 };
const read = (options: ReadUsageOptions, attributes: Record<string, number> = counts) => {
  const r = readUsage({ 'gen_ai.provider.name': 'anthropic', ...attributes }, options);
  return { input: r.usage.inputTokens, ...r.accounting };
};

describe('instrumentation profiles', () => {
  it('Traceloop Anthropic copies the raw count: the cache is added', () => {
    expect(read({ scopeName: '@traceloop/instrumentation-anthropic', scopeVersion: '0.27.0' })).toEqual({
      input: 1_100,
      accounting: 'additive',
      reason: 'profile',
    });
  });

  it.each([
    '@traceloop/instrumentation-openai',
    '@opentelemetry/instrumentation-openai',
    '@arizeai/openinference-instrumentation-openai',
  ])('%s copies OpenAI prompt_tokens, which include the cache', (scopeName) => {
    expect(read({ scopeName, scopeVersion: '1.0.0' })).toEqual({
      input: 1_000,
      accounting: 'inclusive',
      reason: 'profile',
    });
  });

  it('OpenInference Anthropic: additive below 0.2.0, inclusive from 0.2.0 and when the version is unknown', () => {
    const scopeName = '@arizeai/openinference-instrumentation-anthropic';
    const additive = { input: 1_100, accounting: 'additive', reason: 'profile' };
    const inclusive = { input: 1_000, accounting: 'inclusive', reason: 'profile' };
    expect(read({ scopeName, scopeVersion: '0.1.9' })).toEqual(additive);
    expect(read({ scopeName, scopeVersion: '0.0.1' })).toEqual(additive);
    expect(read({ scopeName, scopeVersion: '0.2.0' })).toEqual(inclusive);
    expect(read({ scopeName, scopeVersion: '0.10.0' })).toEqual(inclusive);
    expect(read({ scopeName, scopeVersion: '1.0.0' })).toEqual(inclusive);
    expect(read({ scopeName })).toEqual(inclusive);
  });

  it('an inclusive profile contradicted by the numbers (more cache than input) gives way to the heuristic', () => {
    const more = { 'gen_ai.usage.input_tokens': 100, 'gen_ai.usage.cache_read.input_tokens': 150 };
    expect(read({ scopeName: '@opentelemetry/instrumentation-openai' }, more)).toEqual({
      input: 250,
      accounting: 'additive',
      reason: 'heuristic',
    });
    // An additive profile is never contradicted.
    expect(read({ scopeName: '@traceloop/instrumentation-anthropic' }, more)).toEqual({
      input: 250,
      accounting: 'additive',
      reason: 'profile',
    });
  });

  it('cache equal to the input is consistent with inclusive: the whole input was cached', () => {
    const all = { 'gen_ai.usage.input_tokens': 100, 'gen_ai.usage.cache_read.input_tokens': 60 };
    const allWithWrites = { ...all, 'gen_ai.usage.cache_creation.input_tokens': 40 };
    expect(read({ scopeName: '@opentelemetry/instrumentation-openai' }, allWithWrites)).toEqual({
      input: 100,
      accounting: 'inclusive',
      reason: 'profile',
    });
    expect(read({}, allWithWrites)).toEqual({ input: 100, accounting: 'inclusive', reason: 'semconv' });
    // One token more cache than input cannot be inclusive.
    expect(read({}, { ...allWithWrites, 'gen_ai.usage.cache_creation.input_tokens': 41 })).toEqual({
      input: 201,
      accounting: 'additive',
      reason: 'heuristic',
    });
  });

  it('an unknown instrumentation is read with the semconv meaning', () => {
    expect(read({ scopeName: 'my-own-instrumentation', scopeVersion: '0.1.0' })).toEqual({
      input: 1_000,
      accounting: 'inclusive',
      reason: 'semconv',
    });
  });
});

describe('overrides', () => {
  it('a scope override wins over a provider override and over the profile', () => {
    const inputAccounting = {
      scopes: { '@opentelemetry/instrumentation-openai': 'additive' as const },
      providers: { anthropic: 'inclusive' as const },
    };
    expect(read({ scopeName: '@opentelemetry/instrumentation-openai', inputAccounting })).toEqual({
      input: 1_100,
      accounting: 'additive',
      reason: 'override',
    });
    // Another scope: the provider override applies.
    expect(read({ scopeName: '@traceloop/instrumentation-anthropic', inputAccounting })).toEqual({
      input: 1_000,
      accounting: 'inclusive',
      reason: 'override',
    });
  });

  it('a provider override applies to the normalized provider', () => {
    expect(read({ inputAccounting: { providers: { anthropic: 'additive' } } })).toEqual({
      input: 1_100,
      accounting: 'additive',
      reason: 'override',
    });
  });

  it('names inherited by every object (constructor, toString) are not overrides', () => {
    expect(read({ scopeName: 'constructor', inputAccounting: { scopes: {}, providers: {} } })).toEqual({
      input: 1_000,
      accounting: 'inclusive',
      reason: 'semconv',
    });
    const r = readUsage(
      { 'gen_ai.provider.name': 'toString', ...counts },
      { inputAccounting: { scopes: {}, providers: {} } },
    );
    expect(r.accounting).toEqual({ accounting: 'inclusive', reason: 'semconv' });
  });
});

describe('a reported uncached count (Vercel noCacheTokens)', () => {
  const vercel = (noCache: number) => ({ ...counts, 'ai.usage.inputTokenDetails.noCacheTokens': noCache });

  it('settles the question both ways, over any profile', () => {
    const scopeName = '@traceloop/instrumentation-anthropic';
    expect(read({ scopeName }, vercel(900))).toEqual({
      input: 1_000,
      accounting: 'inclusive',
      reason: 'reported_breakdown',
    });
    expect(read({ scopeName: '@opentelemetry/instrumentation-openai' }, vercel(1_000))).toEqual({
      input: 1_100,
      accounting: 'additive',
      reason: 'reported_breakdown',
    });
  });

  it('counts cache writes with the reads', () => {
    const withWrites = { ...vercel(850), 'gen_ai.usage.cache_creation.input_tokens': 50 };
    expect(read({}, withWrites)).toEqual({ input: 1_000, accounting: 'inclusive', reason: 'reported_breakdown' });
  });

  it('a count that fits neither reading is ignored', () => {
    expect(read({}, vercel(500))).toEqual({ input: 1_000, accounting: 'inclusive', reason: 'semconv' });
    expect(read({ scopeName: '@traceloop/instrumentation-anthropic' }, vercel(500))).toEqual({
      input: 1_100,
      accounting: 'additive',
      reason: 'profile',
    });
  });
});

describe('compareVersions', () => {
  it.each([
    ['0.1.9', '0.2.0', -1],
    ['0.2.0', '0.1.9', 1],
    ['0.10.0', '0.2.0', 1],
    ['1.0.0', '0.99.99', 1],
    ['0.2.1', '0.2.0', 1],
    ['0.2.0', '0.2.1', -1],
    ['0.2.0', '0.2.0', 0],
    ['0.2.0-beta.1', '0.2.0', 0],
    ['0.2', '0.2.0', 0],
    ['0.2.0.5', '0.2.0', 0],
    ['x.y.z', '0.0.0', 0],
    ['1.2.3+build', '1.2.3', 0],
  ])('%s vs %s: %i', (a, b, sign) => {
    expect(Math.sign(compareVersions(a, b))).toBe(sign);
  });
});
