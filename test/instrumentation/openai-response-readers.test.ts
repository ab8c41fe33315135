/**
 * The pure readers of OpenAIUsageInstrumentation: what they take from a response (usage and
 * model, nothing else) and what they refuse (anything that is not a non-negative integer count).
 * The shapes are those the real API sends (and the mock in examples/mock-llm reproduces).
 */
import { describe, expect, it } from 'vitest';
import { observeBody, observeEvent, observeStream } from '../../src/instrumentation/openai/response-observer.js';
import { usageAttributes } from '../../src/instrumentation/openai/usage-attributes.js';

describe('usageAttributes', () => {
  it('reads a Chat Completions usage', () => {
    expect(
      usageAttributes({
        prompt_tokens: 2500,
        completion_tokens: 150,
        total_tokens: 2650,
        prompt_tokens_details: { cached_tokens: 1920, audio_tokens: 0 },
        completion_tokens_details: { reasoning_tokens: 64, audio_tokens: 0 },
      }),
    ).toEqual({
      'gen_ai.usage.input_tokens': 2500,
      'gen_ai.usage.output_tokens': 150,
      'gen_ai.usage.cache_read.input_tokens': 1920,
      'gen_ai.usage.reasoning.output_tokens': 64,
    });
  });

  it('reads a Responses API usage', () => {
    expect(
      usageAttributes({
        input_tokens: 2000,
        input_tokens_details: { cached_tokens: 0 },
        output_tokens: 900,
        output_tokens_details: { reasoning_tokens: 640 },
        total_tokens: 2900,
      }),
    ).toEqual({
      'gen_ai.usage.input_tokens': 2000,
      'gen_ai.usage.output_tokens': 900,
      'gen_ai.usage.cache_read.input_tokens': 0, // reported as none: not the same as absent
      'gen_ai.usage.reasoning.output_tokens': 640,
    });
  });

  it('leaves out what is absent or not a count (no cache detail from a gateway = unreported)', () => {
    expect(usageAttributes({ prompt_tokens: 10, completion_tokens: 2 })).toEqual({
      'gen_ai.usage.input_tokens': 10,
      'gen_ai.usage.output_tokens': 2,
    });
    expect(
      usageAttributes({
        prompt_tokens: -1,
        completion_tokens: 1.5,
        prompt_tokens_details: { cached_tokens: '7' },
        completion_tokens_details: null,
      }),
    ).toEqual({});
    for (const bad of [null, undefined, 42, 'usage', []]) expect(usageAttributes(bad)).toEqual({});
  });
});

describe('observeBody / observeEvent', () => {
  it('take the model and usage of a response, nothing else', () => {
    const observed = observeBody({
      id: 'chatcmpl-1',
      model: 'gpt-4o-2024-08-06',
      choices: [{ message: { content: 'secret text' } }],
      usage: { prompt_tokens: 5, completion_tokens: 1 },
    });
    expect(observed).toEqual({
      model: 'gpt-4o-2024-08-06',
      usage: { 'gen_ai.usage.input_tokens': 5, 'gen_ai.usage.output_tokens': 1 },
    });
    expect(JSON.stringify(observed)).not.toContain('secret');
  });

  it('read chat chunks: the model from any chunk, usage from the usage chunk only', () => {
    expect(observeEvent({ model: 'gpt-4o', choices: [{ delta: { content: 'hi' } }], usage: null })).toEqual({
      usage: {},
      model: 'gpt-4o',
    });
    expect(observeEvent({ model: 'gpt-4o', choices: [], usage: { prompt_tokens: 3, completion_tokens: 1 } })).toEqual({
      model: 'gpt-4o',
      usage: { 'gen_ai.usage.input_tokens': 3, 'gen_ai.usage.output_tokens': 1 },
    });
  });

  it('read Responses events: the response of created/completed, not the deltas', () => {
    expect(observeEvent({ type: 'response.output_text.delta', delta: 'secret' })).toBeUndefined();
    expect(
      observeEvent({
        type: 'response.completed',
        response: { model: 'o4-mini', output: [{ content: 'secret' }], usage: { input_tokens: 4, output_tokens: 2 } },
      }),
    ).toEqual({ model: 'o4-mini', usage: { 'gen_ai.usage.input_tokens': 4, 'gen_ai.usage.output_tokens': 2 } });
    expect(observeEvent(null)).toBeUndefined();
  });
});

describe('observeStream', () => {
  async function* events(): AsyncGenerator<unknown> {
    yield { model: 'gpt-4o', choices: [], usage: null };
    // A hostile event: reading it throws; the stream must go on unchanged.
    yield Object.defineProperty({}, 'usage', {
      get() {
        throw new Error('boom');
      },
      enumerable: true,
    });
    yield { model: 'gpt-4o', choices: [], usage: { prompt_tokens: 9, completion_tokens: 3 } };
  }

  it('sees every event before the consumer, hands each on unchanged, and reports the end once', async () => {
    const seen: unknown[] = [];
    const ends: unknown[] = [];
    const out: unknown[] = [];
    for await (const e of observeStream(events(), { onEvent: (o) => seen.push(o), onEnd: (err) => ends.push(err) })) {
      out.push(e);
    }
    expect(out).toHaveLength(3);
    expect(seen.at(-1)).toEqual({
      model: 'gpt-4o',
      usage: { 'gen_ai.usage.input_tokens': 9, 'gen_ai.usage.output_tokens': 3 },
    });
    expect(ends).toEqual([undefined]);
  });

  it('reports the stream error, and an early stop as a normal end', async () => {
    async function* failing(): AsyncGenerator<unknown> {
      yield { model: 'x' };
      throw new Error('connection reset');
    }
    const ends: unknown[] = [];
    await expect(async () => {
      for await (const _ of observeStream(failing(), { onEvent() {}, onEnd: (err) => ends.push(err) })) void _;
    }).rejects.toThrow('connection reset');
    expect((ends[0] as Error).message).toBe('connection reset');

    const stopped: unknown[] = [];
    for await (const _ of observeStream(events(), { onEvent() {}, onEnd: (err) => stopped.push(err) })) break;
    expect(stopped).toEqual([undefined]);
  });
});
