import type { Attributes } from '@opentelemetry/api';
import { describe, expect, it } from 'vitest';
import { readUsage } from '../../src/conventions/read-usage.js';
import {
  MAX_PROVIDER_METADATA_BYTES,
  readVercelProviderMetadata,
  VERCEL_PROVIDER_METADATA_KEY,
} from '../../src/conventions/vercel-provider-metadata.js';

/** A Vercel AI SDK 6 `doGenerate` span of an Anthropic call (docs/instrumentations.md). */
function anthropicSpan(
  usage: Record<string, unknown>,
  extra: Record<string, unknown> = {},
  attrs: Attributes = {},
): Attributes {
  return {
    'ai.operationId': 'ai.generateText.doGenerate',
    'gen_ai.system': 'anthropic.messages',
    'gen_ai.response.model': 'claude-sonnet-4-5-20250929',
    'ai.usage.inputTokens': 1000,
    'ai.usage.outputTokens': 200,
    'ai.usage.inputTokenDetails.noCacheTokens': 500,
    'ai.usage.inputTokenDetails.cacheReadTokens': 400,
    'ai.usage.inputTokenDetails.cacheWriteTokens': 100,
    [VERCEL_PROVIDER_METADATA_KEY]: JSON.stringify({
      anthropic: { usage, cacheCreationInputTokens: usage.cache_creation_input_tokens ?? null, ...extra },
    }),
    ...attrs,
  };
}

const ANTHROPIC_USAGE = {
  input_tokens: 500,
  output_tokens: 200,
  cache_creation_input_tokens: 100,
  cache_read_input_tokens: 400,
  cache_creation: { ephemeral_5m_input_tokens: 40, ephemeral_1h_input_tokens: 60 },
  service_tier: 'priority',
};

/** A Vercel `doStream` span of an OpenAI Responses call. */
function openaiSpan(metadata: unknown, attrs: Attributes = {}): Attributes {
  return {
    'ai.operationId': 'ai.streamText.doStream',
    'gen_ai.system': 'openai.responses',
    'gen_ai.response.model': 'gpt-4o-2024-08-06',
    'ai.usage.inputTokens': 1000,
    'ai.usage.outputTokens': 200,
    'ai.usage.inputTokenDetails.cacheReadTokens': 400,
    'ai.usage.inputTokenDetails.noCacheTokens': 600,
    [VERCEL_PROVIDER_METADATA_KEY]: typeof metadata === 'string' ? metadata : JSON.stringify(metadata),
    ...attrs,
  };
}

describe('Vercel ai.response.providerMetadata', () => {
  it("reads Anthropic's 1-hour cache-write split and tier", () => {
    const r = readUsage(anthropicSpan(ANTHROPIC_USAGE));
    expect(r.usage.cacheWriteTokens).toBe(100);
    expect(r.usage.cacheWrite1hTokens).toBe(60);
    expect(r.usage.serviceTier).toBe('priority');
    expect(r.usage.inputTokens).toBe(1000);
    expect(r.invalidKey).toBeUndefined();
  });

  it('reads the OpenAI Responses tier, whatever its spelling', () => {
    for (const [spelling, tier] of [
      ['priority', 'priority'],
      ['flex', 'flex'],
      ['batch', 'batch'],
      ['default', 'standard'],
      ['auto', 'standard'],
      ['standard', 'standard'],
      ['PRIORITY', 'priority'],
    ] as const) {
      const r = readUsage(openaiSpan({ openai: { responseId: 'resp_1', serviceTier: spelling } }));
      expect(r.usage.serviceTier, spelling).toBe(tier);
      expect(r.usage.cacheWrite1hTokens).toBeUndefined();
    }
  });

  it('copies nothing but the numbers and the tier (no id, no other field)', () => {
    const r = readUsage(openaiSpan({ openai: { responseId: 'resp_secret', serviceTier: 'flex', logprobs: ['x'] } }));
    expect(JSON.stringify(r)).not.toContain('resp_secret');
    expect(
      readVercelProviderMetadata(anthropicSpan(ANTHROPIC_USAGE, { container: { id: 'secret' } }), 100, undefined),
    ).toEqual({ cacheWrite1hTokens: 60, serviceTier: 'priority' });
  });

  it('ignores unknown tiers, non-strings and two providers that disagree', () => {
    for (const metadata of [
      { openai: { serviceTier: 'turbo' } },
      { openai: { serviceTier: 3 } },
      { openai: { serviceTier: ['priority'] } },
      { openai: 'priority' },
      { anthropic: { usage: { service_tier: 'priority' } }, openai: { serviceTier: 'flex' } },
    ]) {
      expect(readUsage(openaiSpan(metadata)).usage.serviceTier, JSON.stringify(metadata)).toBeUndefined();
    }
    const agree = { anthropic: { usage: { service_tier: 'priority' } }, openai: { serviceTier: 'priority' } };
    expect(readUsage(openaiSpan(agree)).usage.serviceTier).toBe('priority');
  });

  it('keeps a tier the span already states', () => {
    const r = readUsage(
      openaiSpan({ openai: { serviceTier: 'flex' } }, { 'openai.response.service_tier': 'priority' }),
    );
    expect(r.usage.serviceTier).toBe('priority');
  });

  it('ignores an oversized value (64 KiB, counted in UTF-8 bytes)', () => {
    const meta = (pad: string) => JSON.stringify({ openai: { serviceTier: 'priority', pad } });
    const base = meta('').length;
    const atLimit = meta('x'.repeat(MAX_PROVIDER_METADATA_BYTES - base));
    expect(atLimit.length).toBe(MAX_PROVIDER_METADATA_BYTES);
    expect(readUsage(openaiSpan(atLimit)).usage.serviceTier).toBe('priority');
    expect(
      readUsage(openaiSpan(meta('x'.repeat(MAX_PROVIDER_METADATA_BYTES - base + 1)))).usage.serviceTier,
    ).toBeUndefined();
    // Fewer UTF-16 units than the limit, more UTF-8 bytes (é is 2 bytes).
    const wide = meta('é'.repeat(MAX_PROVIDER_METADATA_BYTES / 2));
    expect(wide.length).toBeLessThan(MAX_PROVIDER_METADATA_BYTES);
    expect(readUsage(openaiSpan(wide)).usage.serviceTier).toBeUndefined();
  });

  it('ignores malformed JSON and non-object values without throwing', () => {
    for (const bad of [
      '{"openai":{"serviceTier":"priority"',
      'not json',
      '',
      'null',
      '[1,2]',
      '"priority"',
      '42',
      '{"__proto__":{"serviceTier":"priority"}}',
    ]) {
      const r = readUsage(openaiSpan(bad));
      expect(r.usage.serviceTier, bad).toBeUndefined();
      expect(r.invalidKey).toBeUndefined();
    }
    for (const notString of [42, true, ['{"openai":{"serviceTier":"priority"}}']]) {
      const attrs = openaiSpan({}, { [VERCEL_PROVIDER_METADATA_KEY]: notString });
      expect(readUsage(attrs).usage.serviceTier).toBeUndefined();
    }
  });

  it('ignores a 1-hour count that contradicts the cache writes', () => {
    const cases: Array<[string, Record<string, unknown>]> = [
      [
        'more than all writes',
        { cache_creation_input_tokens: 100, cache_creation: { ephemeral_1h_input_tokens: 101 } },
      ],
      [
        'negative',
        {
          cache_creation_input_tokens: 100,
          cache_creation: { ephemeral_5m_input_tokens: 110, ephemeral_1h_input_tokens: -10 },
        },
      ],
      [
        'fraction',
        {
          cache_creation_input_tokens: 100,
          cache_creation: { ephemeral_5m_input_tokens: 49.5, ephemeral_1h_input_tokens: 50.5 },
        },
      ],
      ['string', { cache_creation_input_tokens: 100, cache_creation: { ephemeral_1h_input_tokens: '60' } }],
      ['NaN-like', { cache_creation_input_tokens: 100, cache_creation: { ephemeral_1h_input_tokens: null } }],
      [
        'other total',
        {
          cache_creation_input_tokens: 90,
          cache_creation: { ephemeral_5m_input_tokens: 30, ephemeral_1h_input_tokens: 60 },
        },
      ],
      [
        'parts do not add up',
        {
          cache_creation_input_tokens: 100,
          cache_creation: { ephemeral_5m_input_tokens: 10, ephemeral_1h_input_tokens: 60 },
        },
      ],
      [
        'bad 5-minute part',
        {
          cache_creation_input_tokens: 100,
          cache_creation: { ephemeral_5m_input_tokens: '40', ephemeral_1h_input_tokens: 60 },
        },
      ],
      ['split not an object', { cache_creation_input_tokens: 100, cache_creation: [60] }],
    ];
    for (const [label, usage] of cases) {
      const r = readUsage(anthropicSpan(usage));
      expect(r.usage.cacheWrite1hTokens, label).toBeUndefined();
      expect(r.usage.cacheWriteTokens, label).toBe(100);
      expect(r.invalidKey, label).toBeUndefined();
    }
    // Without the optional cross-checks the 1-hour count alone is enough.
    expect(
      readUsage(anthropicSpan({ cache_creation: { ephemeral_1h_input_tokens: 100 } })).usage.cacheWrite1hTokens,
    ).toBe(100);
  });

  it('reads no split without cache writes, and nothing at all when it cannot change the price', () => {
    const noWrites = anthropicSpan(ANTHROPIC_USAGE, {}, { 'ai.usage.inputTokenDetails.cacheWriteTokens': 0 });
    expect(readUsage(noWrites).usage.cacheWrite1hTokens).toBeUndefined();
    expect(readUsage(noWrites).usage.serviceTier).toBe('priority');

    // Tier known and no cache writes: the attribute is not even read.
    const read: string[] = [];
    const attrs = new Proxy(
      openaiSpan({ openai: { serviceTier: 'flex' } }, { 'openai.response.service_tier': 'priority' }),
      { get: (t, k, r) => (typeof k === 'string' && read.push(k), Reflect.get(t, k, r)) },
    );
    expect(readUsage(attrs).usage.serviceTier).toBe('priority');
    expect(read).not.toContain(VERCEL_PROVIDER_METADATA_KEY);
  });

  it('is read only on Vercel doGenerate / doStream spans', () => {
    const meta = JSON.stringify({ openai: { serviceTier: 'priority' } });
    for (const operationId of [
      'ai.generateText',
      'ai.streamText',
      'ai.embed.doEmbed',
      'ai.rerank.doRerank',
      undefined,
      7,
    ]) {
      const attrs = openaiSpan(meta, { 'ai.operationId': operationId as never });
      expect(readUsage(attrs).usage.serviceTier, String(operationId)).toBeUndefined();
    }
    for (const operationId of [
      'ai.generateText.doGenerate',
      'ai.streamText.doStream',
      'ai.generateObject.doGenerate',
      'ai.streamObject.doStream',
    ]) {
      expect(readUsage(openaiSpan(meta, { 'ai.operationId': operationId })).usage.serviceTier, operationId).toBe(
        'priority',
      );
    }
    const semconv: Attributes = {
      'gen_ai.request.model': 'gpt-4o',
      'gen_ai.usage.input_tokens': 10,
      [VERCEL_PROVIDER_METADATA_KEY]: meta,
    };
    expect(readUsage(semconv).usage.serviceTier).toBeUndefined();
  });
});
