import { describe, expect, it } from 'vitest';
import { calcPrice } from '@pydantic/genai-prices';
import type { Attributes } from '@opentelemetry/api';
import { readUsage } from '../../src/conventions/read-usage.js';
import { PriceBook } from '../../src/pricing/price-book.js';

/**
 * Issue 9 §4: reading rules a mutation run showed no test would notice changing. Each span is
 * read as the instrumentation wrote it and priced on the embedded table; the expected figure is
 * genai-prices' own `calcPrice` for the usage the span describes.
 */

const book = new PriceBook();

function costOf(attributes: Attributes, scopeName = 'app'): number | null {
  const reading = readUsage(attributes, { scopeName });
  return book.price(reading.usage).costUsd;
}

function expectCost(actual: number | null, expected: number): void {
  expect(actual).not.toBeNull();
  expect(Math.abs((actual as number) - expected)).toBeLessThanOrEqual(expected * 1e-11);
}

describe('a span with a total and one side', () => {
  it('takes output as total − input', () => {
    const attrs = {
      'gen_ai.request.model': 'gpt-4o',
      'gen_ai.usage.input_tokens': 1_000,
      'gen_ai.usage.total_tokens': 1_300,
    };
    expect(readUsage(attrs).usage.outputTokens).toBe(300);
    expectCost(
      costOf(attrs),
      calcPrice({ input_tokens: 1_000, output_tokens: 300 }, 'gpt-4o', { providerId: 'openai' })!.total_price,
    );
  });

  it('takes input as total − output', () => {
    const attrs = {
      'gen_ai.request.model': 'gpt-4o',
      'gen_ai.usage.output_tokens': 300,
      'gen_ai.usage.total_tokens': 1_300,
    };
    expect(readUsage(attrs).usage.inputTokens).toBe(1_000);
  });
});

describe('reasoning equal to output (a reply cut off while reasoning)', () => {
  it('is part of output, not added to it', () => {
    const attrs = {
      'gen_ai.request.model': 'o3',
      'gen_ai.usage.input_tokens': 1_000,
      'gen_ai.usage.output_tokens': 500,
      'gen_ai.usage.reasoning.output_tokens': 500,
    };
    expect(readUsage(attrs).usage.outputTokens).toBe(500);
    expectCost(
      costOf(attrs),
      calcPrice({ input_tokens: 1_000, output_tokens: 500, output_reasoning_tokens: 500 } as never, 'o3', {
        providerId: 'openai',
      })!.total_price,
    );
  });

  it('is added when larger than output (a source that excluded it)', () => {
    const attrs = {
      'gen_ai.request.model': 'o3',
      'gen_ai.usage.input_tokens': 10,
      'gen_ai.usage.output_tokens': 100,
      'gen_ai.usage.reasoning.output_tokens': 400,
    };
    expect(readUsage(attrs).usage.outputTokens).toBe(500);
  });
});

describe('Vercel AI SDK input accounting from its own breakdown', () => {
  it('reads an uncached count equal to the input as "input excludes the cache" (additive)', () => {
    // 1,000 fresh tokens reported both as input and as `noCacheTokens`, plus 400 cache reads: the
    // semconv input is 1,400.
    const attrs = {
      'ai.operationId': 'ai.generateText.doGenerate',
      'ai.model.id': 'gpt-4o',
      'gen_ai.system': 'openai.chat',
      'ai.usage.inputTokens': 1_000,
      'ai.usage.inputTokenDetails.noCacheTokens': 1_000,
      'ai.usage.inputTokenDetails.cacheReadTokens': 400,
      'ai.usage.outputTokens': 50,
    };
    const reading = readUsage(attrs, { scopeName: 'ai' });
    expect(reading.accounting).toEqual({ accounting: 'additive', reason: 'reported_breakdown' });
    expect(reading.usage.inputTokens).toBe(1_400);
    expectCost(
      costOf(attrs, 'ai'),
      calcPrice({ input_tokens: 1_400, cache_read_tokens: 400, output_tokens: 50 }, 'gpt-4o', { providerId: 'openai' })!
        .total_price,
    );
  });

  it('reads AI SDK 5’s `ai.usage.cachedInputTokens` as cache reads', () => {
    const attrs = {
      'ai.operationId': 'ai.generateText.doGenerate',
      'ai.model.id': 'gpt-4o',
      'gen_ai.system': 'openai.chat',
      'ai.usage.inputTokens': 2_500,
      'ai.usage.cachedInputTokens': 1_920,
      'ai.usage.outputTokens': 100,
    };
    expect(readUsage(attrs, { scopeName: 'ai' }).usage.cacheReadTokens).toBe(1_920);
    expectCost(
      costOf(attrs, 'ai'),
      calcPrice({ input_tokens: 2_500, cache_read_tokens: 1_920, output_tokens: 100 }, 'gpt-4o', {
        providerId: 'openai',
      })!.total_price,
    );
  });
});

describe('OpenInference prompt details', () => {
  it('reads `llm.token_count.prompt_details.cache_write` as cache writes', () => {
    const attrs = {
      'openinference.span.kind': 'LLM',
      'llm.model_name': 'claude-sonnet-4-5',
      'llm.provider': 'anthropic',
      'llm.token_count.prompt': 3_000,
      'llm.token_count.prompt_details.cache_read': 1_000,
      'llm.token_count.prompt_details.cache_write': 1_500,
      'llm.token_count.completion': 200,
    };
    const scope = '@arizeai/openinference-instrumentation-anthropic';
    expect(readUsage(attrs, { scopeName: scope, scopeVersion: '1.0.0' }).usage.cacheWriteTokens).toBe(1_500);
    const reading = readUsage(attrs, { scopeName: scope, scopeVersion: '1.0.0' });
    expectCost(
      book.price(reading.usage).costUsd,
      calcPrice(
        { input_tokens: 3_000, cache_read_tokens: 1_000, cache_write_tokens: 1_500, output_tokens: 200 },
        'claude-sonnet-4-5',
        { providerId: 'anthropic' },
      )!.total_price,
    );
  });

  it('reads audio prompt and completion details at the audio rates', () => {
    const attrs = {
      'openinference.span.kind': 'LLM',
      'llm.model_name': 'gpt-4o-audio-preview',
      'llm.provider': 'openai',
      'llm.token_count.prompt': 1_500,
      'llm.token_count.prompt_details.audio': 1_000,
      'llm.token_count.completion': 600,
      'llm.token_count.completion_details.audio': 500,
    };
    expectCost(
      costOf(attrs, '@arizeai/openinference-instrumentation-openai'),
      calcPrice(
        { input_tokens: 1_500, input_audio_tokens: 1_000, output_tokens: 600, output_audio_tokens: 500 },
        'gpt-4o-audio-preview',
        { providerId: 'openai' },
      )!.total_price,
    );
  });
});
