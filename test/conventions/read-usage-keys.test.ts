import { describe, expect, it } from 'vitest';
import { readUsage } from '../../src/conventions/read-usage.js';
import type { NormalizedUsage } from '../../src/pricing/types.js';

/**
 * Every attribute docs/processor.md "Attributes read" promises to read, one at a time: a span that
 * carries only that attribute (the way one instrumentation writes it) gets the count, model,
 * provider or tier from it. The lists are written here from the documentation table, not
 * imported from the reader, so a key dropped or misspelt in the reader fails its row.
 */

const COUNT_KEYS: ReadonlyArray<[keyof NormalizedUsage, string[]]> = [
  [
    'inputTokens',
    [
      'gen_ai.usage.input_tokens',
      'gen_ai.usage.prompt_tokens',
      'llm.usage.prompt_tokens',
      'llm.token_count.prompt',
      'ai.usage.inputTokens',
      'ai.usage.promptTokens',
      'ai.usage.tokens',
    ],
  ],
  [
    'outputTokens',
    [
      'gen_ai.usage.output_tokens',
      'gen_ai.usage.completion_tokens',
      'llm.usage.completion_tokens',
      'llm.token_count.completion',
      'ai.usage.outputTokens',
      'ai.usage.completionTokens',
    ],
  ],
  [
    'cacheReadTokens',
    [
      'gen_ai.usage.cache_read.input_tokens',
      'gen_ai.usage.cache_read_input_tokens',
      'llm.token_count.prompt_details.cache_read',
      'ai.usage.inputTokenDetails.cacheReadTokens',
      'ai.usage.cachedInputTokens',
    ],
  ],
  [
    'cacheWriteTokens',
    [
      'gen_ai.usage.cache_write.input_tokens',
      'gen_ai.usage.cache_creation.input_tokens',
      'gen_ai.usage.cache_creation_input_tokens',
      'llm.token_count.prompt_details.cache_write',
      'ai.usage.inputTokenDetails.cacheWriteTokens',
    ],
  ],
  [
    'reasoningTokens',
    [
      'gen_ai.usage.reasoning.output_tokens',
      'gen_ai.usage.reasoning_tokens',
      'llm.token_count.completion_details.reasoning',
      'ai.usage.outputTokenDetails.reasoningTokens',
      'ai.usage.reasoningTokens',
    ],
  ],
  ['inputAudioTokens', ['llm.token_count.prompt_details.audio']],
  ['outputAudioTokens', ['llm.token_count.completion_details.audio']],
];

const TOTAL_KEYS = [
  'gen_ai.usage.total_tokens',
  'llm.usage.total_tokens',
  'llm.token_count.total',
  'ai.usage.totalTokens',
];

const MODEL_KEYS = [
  'gen_ai.response.model',
  'gen_ai.request.model',
  'llm.response.model_name',
  'llm.model_name',
  'llm.request.model_name',
  'ai.response.model',
  'ai.model.id',
];

const PROVIDER_KEYS = ['gen_ai.provider.name', 'gen_ai.system', 'llm.provider', 'llm.system', 'ai.model.provider'];

const SERVICE_TIER_KEYS = [
  'openai.response.service_tier',
  'openai.request.service_tier',
  'gen_ai.openai.response.service_tier',
  'gen_ai.openai.request.service_tier',
  'gen_ai.response.service_tier',
  'gen_ai.request.service_tier',
];

describe('readUsage reads every documented token attribute', () => {
  for (const [field, keys] of COUNT_KEYS) {
    it.each(keys)(`%s as ${field}`, (key) => {
      // Output-side parts come with an output count large enough to hold them, input-side parts
      // with an input count (that is how every instrumentation writes them).
      const side =
        field === 'reasoningTokens' || field === 'outputAudioTokens'
          ? { 'gen_ai.usage.output_tokens': 1_000 }
          : field === 'inputTokens' || field === 'outputTokens'
            ? {}
            : { 'gen_ai.usage.input_tokens': 1_000 };
      const r = readUsage({ ...side, [key]: 7 });
      expect(r.usage[field]).toBe(7);
      expect(r.hasUsage).toBe(true);
      expect(r.invalidKey).toBeUndefined();
    });
  }

  it.each(TOTAL_KEYS)('%s with one side gives the other side as the difference', (key) => {
    expect(readUsage({ [key]: 10, 'gen_ai.usage.output_tokens': 3 }).usage).toEqual({
      inputTokens: 7,
      outputTokens: 3,
    });
    expect(readUsage({ [key]: 10, 'gen_ai.usage.input_tokens': 4 }).usage).toEqual({
      inputTokens: 4,
      outputTokens: 6,
    });
    // A total alone is usage (the call is not "no usage"), but neither side can be known.
    const alone = readUsage({ [key]: 10 });
    expect(alone.hasUsage).toBe(true);
    expect(alone.usage).toEqual({});
  });

  it('a bad value in any documented token attribute is invalid_usage, naming that attribute', () => {
    for (const key of [
      ...COUNT_KEYS.flatMap(([, keys]) => keys),
      ...TOTAL_KEYS,
      'ai.usage.inputTokenDetails.noCacheTokens',
    ]) {
      const r = readUsage({ [key]: -5 });
      expect(r.invalidKey, key).toBe(key);
      expect(r.hasUsage, key).toBe(true);
    }
  });

  it('Vercel noCacheTokens settles whether input includes the cache', () => {
    const additive = readUsage({
      'ai.usage.inputTokens': 100,
      'ai.usage.inputTokenDetails.cacheReadTokens': 40,
      'ai.usage.inputTokenDetails.noCacheTokens': 100,
    });
    expect(additive.accounting).toEqual({ accounting: 'additive', reason: 'reported_breakdown' });
    expect(additive.usage.inputTokens).toBe(140);
    const inclusive = readUsage({
      'ai.usage.inputTokens': 100,
      'ai.usage.inputTokenDetails.cacheReadTokens': 40,
      'ai.usage.inputTokenDetails.noCacheTokens': 60,
    });
    expect(inclusive.accounting).toEqual({ accounting: 'inclusive', reason: 'reported_breakdown' });
    expect(inclusive.usage.inputTokens).toBe(100);
  });
});

describe('readUsage reads every documented model, provider and tier attribute', () => {
  it.each(MODEL_KEYS)('%s as the model', (key) => {
    expect(readUsage({ [key]: 'some-model' }).usage.model).toBe('some-model');
  });

  it.each(PROVIDER_KEYS)('%s as the provider', (key) => {
    expect(readUsage({ [key]: 'some-provider' }).usage.provider).toBe('some-provider');
  });

  it.each(SERVICE_TIER_KEYS)('%s as the service tier', (key) => {
    expect(readUsage({ [key]: 'flex', 'gen_ai.usage.input_tokens': 1 }).usage.serviceTier).toBe('flex');
  });

  it('the tier and 1-hour writes of a Vercel doGenerate span come from its provider metadata', () => {
    const r = readUsage({
      'ai.operationId': 'ai.generateText.doGenerate',
      'ai.usage.inputTokens': 1_000,
      'ai.usage.inputTokenDetails.cacheWriteTokens': 300,
      'ai.response.providerMetadata': JSON.stringify({
        anthropic: {
          usage: { service_tier: 'priority', cache_creation: { ephemeral_1h_input_tokens: 200 } },
        },
      }),
    });
    expect(r.usage.cacheWrite1hTokens).toBe(200);
    expect(r.usage.serviceTier).toBe('priority');
  });
});

describe('readUsage: how the counts are combined', () => {
  it('derives one side from a total only when the total can hold the other side', () => {
    expect(readUsage({ 'gen_ai.usage.total_tokens': 10, 'gen_ai.usage.output_tokens': 10 }).usage).toEqual({
      inputTokens: 0,
      outputTokens: 10,
    });
    expect(readUsage({ 'gen_ai.usage.total_tokens': 10, 'gen_ai.usage.input_tokens': 10 }).usage).toEqual({
      inputTokens: 10,
      outputTokens: 0,
    });
    expect(readUsage({ 'gen_ai.usage.total_tokens': 5, 'gen_ai.usage.output_tokens': 10 }).usage).toEqual({
      outputTokens: 10,
    });
    expect(readUsage({ 'gen_ai.usage.total_tokens': 5, 'gen_ai.usage.input_tokens': 10 }).usage).toEqual({
      inputTokens: 10,
    });
    // Both sides present: the total changes neither.
    expect(
      readUsage({
        'gen_ai.usage.total_tokens': 100,
        'gen_ai.usage.input_tokens': 10,
        'gen_ai.usage.output_tokens': 20,
      }).usage,
    ).toEqual({ inputTokens: 10, outputTokens: 20 });
  });

  it('adds reasoning to the output only when it is larger than the output', () => {
    const read = (output: number, reasoning: number) =>
      readUsage({ 'gen_ai.usage.output_tokens': output, 'gen_ai.usage.reasoning.output_tokens': reasoning }).usage;
    expect(read(10, 10)).toEqual({ outputTokens: 10, reasoningTokens: 10 });
    expect(read(10, 9)).toEqual({ outputTokens: 10, reasoningTokens: 9 });
    expect(read(10, 15)).toEqual({ outputTokens: 25, reasoningTokens: 15 });
  });

  it('decides no input accounting for cache tokens without an input count', () => {
    const r = readUsage({ 'gen_ai.usage.cache_read.input_tokens': 10, 'gen_ai.usage.output_tokens': 5 });
    expect(r.accounting).toBeUndefined();
    expect(r.usage.inputTokens).toBeUndefined();
  });

  it('decides input accounting only when the span reports cache tokens', () => {
    const none = readUsage({
      'gen_ai.usage.input_tokens': 100,
      'gen_ai.usage.cache_read.input_tokens': 0,
      'gen_ai.usage.cache_creation.input_tokens': 0,
    });
    expect(none.accounting).toBeUndefined();
    expect(none.usage).toEqual({ inputTokens: 100, cacheReadTokens: 0, cacheWriteTokens: 0 });
    const writes = readUsage(
      { 'gen_ai.usage.input_tokens': 100, 'gen_ai.usage.cache_creation.input_tokens': 30 },
      { scopeName: '@traceloop/instrumentation-anthropic' },
    );
    expect(writes.accounting).toEqual({ accounting: 'additive', reason: 'profile' });
    expect(writes.usage.inputTokens).toBe(130);
    const reads = readUsage(
      { 'gen_ai.usage.input_tokens': 100, 'gen_ai.usage.cache_read.input_tokens': 30 },
      { scopeName: '@traceloop/instrumentation-anthropic' },
    );
    expect(reads.usage.inputTokens).toBe(130);
  });

  it('maps the provider through normalizeProvider, keeping the spelling it does not know', () => {
    const normalizeProvider = (p: string) => (p === 'openai.chat' ? 'openai' : undefined);
    expect(readUsage({ 'gen_ai.system': 'openai.chat' }, { normalizeProvider }).usage.provider).toBe('openai');
    expect(readUsage({ 'gen_ai.system': 'acme' }, { normalizeProvider }).usage.provider).toBe('acme');
    expect(readUsage({ 'gen_ai.system': 'acme' }).usage.provider).toBe('acme');
  });

  it('has usage when any count is present, even an invalid one; not with only a model and a provider', () => {
    expect(readUsage({ 'gen_ai.request.model': 'm', 'gen_ai.provider.name': 'p' }).hasUsage).toBe(false);
    expect(readUsage({ 'gen_ai.request.model': 'm', 'gen_ai.provider.name': 'p' }).invalidKey).toBeUndefined();
    for (const key of [
      'gen_ai.usage.input_tokens',
      'gen_ai.usage.output_tokens',
      'gen_ai.usage.total_tokens',
      'gen_ai.usage.cache_read.input_tokens',
      'gen_ai.usage.cache_creation.input_tokens',
    ]) {
      expect(readUsage({ [key]: 5 }).hasUsage, key).toBe(true);
    }
    expect(readUsage({ 'ai.usage.inputTokenDetails.noCacheTokens': 'x' }).hasUsage).toBe(true);
    // Parts alone (reasoning, audio) are not a count of the call.
    expect(readUsage({ 'gen_ai.usage.reasoning.output_tokens': 5 }).hasUsage).toBe(false);
  });

  it('names the first invalid attribute in reading order', () => {
    const r = readUsage({ 'gen_ai.usage.output_tokens': -1, 'gen_ai.usage.input_tokens': 'x' });
    expect(r.invalidKey).toBe('gen_ai.usage.input_tokens');
  });
});
