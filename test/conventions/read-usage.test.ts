import { describe, expect, it } from 'vitest';
import { readUsage } from '../../src/conventions/read-usage.js';

describe('readUsage: semconv', () => {
  it('reads current names with inclusive input', () => {
    const r = readUsage({
      'gen_ai.request.model': 'gpt-4o',
      'gen_ai.response.model': 'gpt-4o-2024-08-06',
      'gen_ai.provider.name': 'openai',
      'gen_ai.usage.input_tokens': 1200,
      'gen_ai.usage.cache_read.input_tokens': 1000,
      'gen_ai.usage.cache_write.input_tokens': 100,
      'gen_ai.usage.output_tokens': 300,
      'gen_ai.usage.reasoning.output_tokens': 200,
    });
    expect(r.usage).toEqual({
      model: 'gpt-4o-2024-08-06',
      provider: 'openai',
      inputTokens: 1200,
      cacheReadTokens: 1000,
      cacheWriteTokens: 100,
      outputTokens: 300,
      reasoningTokens: 200,
    });
    expect(r.accounting).toEqual({ accounting: 'inclusive', reason: 'semconv' });
    expect(r.hasUsage).toBe(true);
  });

  it('reads cache_creation.input_tokens as cache writes', () => {
    const r = readUsage({ 'gen_ai.usage.input_tokens': 10, 'gen_ai.usage.cache_creation.input_tokens': 4 });
    expect(r.usage.cacheWriteTokens).toBe(4);
  });

  it('reads deprecated names (gen_ai.system, prompt/completion tokens)', () => {
    const r = readUsage({
      'gen_ai.request.model': 'gpt-4o-mini',
      'gen_ai.system': 'openai',
      'gen_ai.usage.prompt_tokens': 50,
      'gen_ai.usage.completion_tokens': 7,
    });
    expect(r.usage).toEqual({ model: 'gpt-4o-mini', provider: 'openai', inputTokens: 50, outputTokens: 7 });
    expect(r.accounting).toBeUndefined();
  });

  it('reads Traceloop legacy names and derives the missing side from llm.usage.total_tokens', () => {
    const r = readUsage({
      'gen_ai.request.model': 'claude-3-5-sonnet',
      'gen_ai.usage.completion_tokens': 40,
      'llm.usage.total_tokens': 140,
      'gen_ai.usage.cache_read_input_tokens': 300,
      'gen_ai.usage.cache_creation_input_tokens': 20,
      'gen_ai.usage.reasoning_tokens': 10,
    });
    // input 100 (= 140 - 40) excludes 320 cache tokens: the heuristic adds them.
    expect(r.usage.inputTokens).toBe(420);
    expect(r.usage.cacheReadTokens).toBe(300);
    expect(r.usage.cacheWriteTokens).toBe(20);
    expect(r.usage.reasoningTokens).toBe(10);
    expect(r.accounting).toEqual({ accounting: 'additive', reason: 'heuristic' });
  });
});

describe('readUsage: OpenInference', () => {
  it('prefers response model and llm.provider', () => {
    const r = readUsage({
      'openinference.span.kind': 'LLM',
      'llm.model_name': 'gpt-4o',
      'llm.response.model_name': 'gpt-4o-2024-11-20',
      'llm.system': 'openai',
      'llm.provider': 'azure',
      'llm.token_count.prompt': 900,
      'llm.token_count.prompt_details.cache_read': 512,
      'llm.token_count.completion': 120,
      'llm.token_count.completion_details.reasoning': 64,
      'llm.token_count.prompt_details.audio': 3,
    });
    expect(r.usage).toEqual({
      model: 'gpt-4o-2024-11-20',
      provider: 'azure',
      inputTokens: 900,
      cacheReadTokens: 512,
      outputTokens: 120,
      reasoningTokens: 64,
      inputAudioTokens: 3,
    });
  });
});

describe('readUsage: Vercel AI SDK', () => {
  it('uses the reported uncached count to settle inclusive input', () => {
    const r = readUsage(
      {
        'gen_ai.system': 'anthropic.messages',
        'gen_ai.response.model': 'claude-sonnet-4-5',
        'gen_ai.usage.input_tokens': 1700,
        'ai.usage.inputTokenDetails.noCacheTokens': 200,
        'ai.usage.inputTokenDetails.cacheReadTokens': 1000,
        'ai.usage.inputTokenDetails.cacheWriteTokens': 500,
        'gen_ai.usage.output_tokens': 80,
        'ai.usage.outputTokenDetails.reasoningTokens': 30,
      },
      { scopeName: 'ai', normalizeProvider: (p) => p.split('.')[0] },
    );
    expect(r.usage).toMatchObject({
      provider: 'anthropic',
      inputTokens: 1700,
      cacheReadTokens: 1000,
      cacheWriteTokens: 500,
      outputTokens: 80,
      reasoningTokens: 30,
    });
    expect(r.accounting).toEqual({ accounting: 'inclusive', reason: 'reported_breakdown' });
  });

  it('reads ai.* names when gen_ai.* are absent, and embeddings from ai.usage.tokens', () => {
    expect(readUsage({ 'ai.model.id': 'gpt-4o', 'ai.usage.inputTokens': 5, 'ai.usage.outputTokens': 6 }).usage).toEqual(
      {
        model: 'gpt-4o',
        inputTokens: 5,
        outputTokens: 6,
      },
    );
    expect(readUsage({ 'ai.model.id': 'text-embedding-3-small', 'ai.usage.tokens': 8 }).usage.inputTokens).toBe(8);
  });
});

describe('readUsage: input accounting', () => {
  const anthropicRaw = {
    'gen_ai.provider.name': 'anthropic',
    'gen_ai.usage.input_tokens': 2000,
    'gen_ai.usage.cache_read.input_tokens': 1000,
    'gen_ai.usage.cache_creation.input_tokens': 500,
  };

  it('knows that Traceloop Anthropic reports input without cache, even when input is the larger number', () => {
    const r = readUsage(anthropicRaw, { scopeName: '@traceloop/instrumentation-anthropic', scopeVersion: '0.27.0' });
    expect(r.usage.inputTokens).toBe(3500);
    expect(r.accounting).toEqual({ accounting: 'additive', reason: 'profile' });
  });

  it('reads the same numbers as inclusive for an unknown scope (semconv)', () => {
    const r = readUsage(anthropicRaw, { scopeName: 'my-instrumentation' });
    expect(r.usage.inputTokens).toBe(2000);
    expect(r.accounting).toEqual({ accounting: 'inclusive', reason: 'semconv' });
  });

  it('lets a per-scope override win over a per-provider one, and both over profiles', () => {
    const byScope = readUsage(anthropicRaw, {
      scopeName: '@traceloop/instrumentation-anthropic',
      inputAccounting: {
        scopes: { '@traceloop/instrumentation-anthropic': 'inclusive' },
        providers: { anthropic: 'additive' },
      },
    });
    expect(byScope.usage.inputTokens).toBe(2000);
    expect(byScope.accounting).toEqual({ accounting: 'inclusive', reason: 'override' });
    const byProvider = readUsage(anthropicRaw, {
      scopeName: 'x',
      inputAccounting: { providers: { anthropic: 'additive' } },
    });
    expect(byProvider.usage.inputTokens).toBe(3500);
    expect(byProvider.accounting?.reason).toBe('override');
  });

  it('does not let an inclusive profile contradict the numbers', () => {
    const r = readUsage(
      { 'gen_ai.usage.input_tokens': 100, 'gen_ai.usage.cache_read.input_tokens': 900 },
      { scopeName: '@opentelemetry/instrumentation-openai' },
    );
    expect(r.usage.inputTokens).toBe(1000);
    expect(r.accounting).toEqual({ accounting: 'additive', reason: 'heuristic' });
  });

  it('applies version-bounded profiles (OpenInference Anthropic below 0.2 excluded cache)', () => {
    const attrs = { 'llm.token_count.prompt': 2000, 'llm.token_count.prompt_details.cache_read': 1000 };
    const scopeName = '@arizeai/openinference-instrumentation-anthropic';
    expect(readUsage(attrs, { scopeName, scopeVersion: '0.1.4' }).usage.inputTokens).toBe(3000);
    expect(readUsage(attrs, { scopeName, scopeVersion: '0.2.0' }).usage.inputTokens).toBe(2000);
  });

  it('ignores an override table key inherited from Object.prototype', () => {
    const r = readUsage(anthropicRaw, { scopeName: 'constructor', inputAccounting: { scopes: {} } });
    expect(r.accounting?.reason).toBe('semconv');
  });
});

describe('readUsage: untrusted values', () => {
  it.each([
    ['a string', '100'],
    ['NaN', Number.NaN],
    ['a negative', -5],
    ['a fraction', 1.5],
    ['an array', [1, 2]],
    ['Infinity', Number.POSITIVE_INFINITY],
    ['a huge value', 1e15],
  ])('reports %s as invalid, never throws', (_label, value) => {
    const r = readUsage({
      'gen_ai.request.model': 'gpt-4o',
      'gen_ai.usage.input_tokens': value as never,
      'gen_ai.usage.output_tokens': 1,
    });
    expect(r.invalidKey).toBe('gen_ai.usage.input_tokens');
    expect(r.usage.inputTokens).toBeUndefined();
    expect(r.hasUsage).toBe(true);
  });

  it('ignores non-string models', () => {
    expect(readUsage({ 'gen_ai.request.model': 42, 'gen_ai.usage.input_tokens': 1 }).usage.model).toBeUndefined();
  });

  it('adds reasoning to output when it cannot be part of it', () => {
    const r = readUsage({ 'gen_ai.usage.output_tokens': 10, 'gen_ai.usage.reasoning.output_tokens': 50 });
    expect(r.usage.outputTokens).toBe(60);
  });
});

describe('readUsage: service tier', () => {
  it.each([
    [{ 'openai.response.service_tier': 'default' }, 'standard'],
    [{ 'gen_ai.openai.response.service_tier': 'flex' }, 'flex'],
    [{ 'openai.request.service_tier': 'auto', 'openai.response.service_tier': 'priority' }, 'priority'],
    [{ 'gen_ai.request.service_tier': 'batch' }, 'batch'],
    [{ 'openai.response.service_tier': 'constructor' }, undefined],
    [{ 'openai.response.service_tier': 7 }, undefined],
  ])('%j → %s', (attrs, tier) => {
    expect(readUsage({ 'gen_ai.usage.input_tokens': 1, ...attrs }).usage.serviceTier).toBe(tier);
  });
});
