import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Span, SpanProcessor } from '@opentelemetry/sdk-trace-base';
import type { ReadableSpan } from '@opentelemetry/sdk-trace-base';
import { DATED_MODELS, startMockLLM, usageDirective, type MockLLM } from '../examples/mock-llm/index.js';
import { runScenario, setupOtelOpenAI, type ScenarioId } from './support/instrumentation-harness.js';

// 1000 prompt tokens = 500 fresh + 400 cache reads + 100 cache writes (50 of them 1h); 200 output incl. 50 reasoning.
const USAGE = { input: 1000, cached: 400, cacheWrite: 100, cacheWrite1h: 50, output: 200, reasoning: 50 };

let llm: MockLLM;
beforeAll(async () => {
  llm = await startMockLLM({ responseModels: DATED_MODELS });
});
afterAll(async () => {
  await llm.close();
});

async function post(path: string, body: unknown, headers: Record<string, string> = {}): Promise<Response> {
  return fetch(`${llm.url}${path}`, {
    method: 'POST',
    headers: { 'content-type': 'application/json', ...headers },
    body: JSON.stringify(body),
  });
}

describe('mock LLM server', () => {
  it('answers unknown paths with a 404 JSON error', async () => {
    const res = await fetch(`${llm.url}/v1/embeddings/nope`);
    expect(res.status).toBe(404);
    expect(((await res.json()) as { error: { type: string } }).error.type).toBe('not_found_error');
  });

  it('converts semconv usage to Anthropic raw usage, where input_tokens excludes cache', async () => {
    const res = await post('/v1/messages', {
      model: 'claude-sonnet-4-5',
      max_tokens: 10,
      messages: [{ role: 'user', content: [{ type: 'text', text: `hi ${usageDirective(USAGE)}` }] }],
    });
    const body = (await res.json()) as { model: string; usage: Record<string, unknown> };
    expect(body.model).toBe('claude-sonnet-4-5-20250929');
    expect(body.usage).toMatchObject({
      input_tokens: 500,
      cache_read_input_tokens: 400,
      cache_creation_input_tokens: 100,
      cache_creation: { ephemeral_5m_input_tokens: 50, ephemeral_1h_input_tokens: 50 },
      output_tokens: 200,
      output_tokens_details: { thinking_tokens: 50 },
      service_tier: 'standard',
    });
  });

  it('takes usage from the x-mock-usage header when the prompt has none, and echoes unknown models', async () => {
    const res = await post(
      '/v1/chat/completions',
      { model: 'my-model', messages: [{ role: 'user', content: 'hi' }], service_tier: 'flex' },
      { 'x-mock-usage': JSON.stringify({ input: 7, output: 3 }) },
    );
    const body = (await res.json()) as { model: string; service_tier: string; usage: Record<string, unknown> };
    expect(body).toMatchObject({ model: 'my-model', service_tier: 'flex' });
    expect(body.usage).toMatchObject({ prompt_tokens: 7, completion_tokens: 3, total_tokens: 10 });
  });

  it('rejects contradictory usage and replies with a requested error status, in the provider error shape', async () => {
    const bad = await post('/v1/messages', {
      model: 'claude-sonnet-4-5',
      messages: [{ role: 'user', content: usageDirective({ input: 10, cached: 20 }) }],
    });
    expect(bad.status).toBe(400);
    expect(((await bad.json()) as { type: string }).type).toBe('error');
    const limited = await post('/v1/chat/completions', {
      model: 'gpt-4o',
      messages: [{ role: 'user', content: usageDirective({ status: 429 }) }],
    });
    expect(limited.status).toBe(429);
  });

  it('records requests without their prompt text', async () => {
    llm.requests.length = 0;
    await post('/v1/responses', { model: 'gpt-4o', input: 'secret words', stream: false });
    expect(llm.requests).toEqual([
      expect.objectContaining({
        path: '/v1/responses',
        api: 'openai.responses',
        model: 'gpt-4o',
        responseModel: 'gpt-4o-2024-08-06',
        stream: false,
        status: 200,
      }),
    ]);
    expect(JSON.stringify(llm.requests)).not.toContain('secret');
  });
});

const attrs = (span: ReadableSpan | undefined): Record<string, unknown> => ({ ...span?.attributes });

async function only(id: ScenarioId): Promise<{ span: ReadableSpan; text: string }> {
  const { spans, text } = await runScenario(id, { llm, usage: USAGE });
  expect(spans).toHaveLength(1);
  return { span: spans[0]!, text };
}

describe('@opentelemetry/instrumentation-openai 0.21 with openai 6', () => {
  it.each([
    'otel-openai.chat',
    'otel-openai.chat.stream',
    'otel-openai.responses',
    'otel-openai.responses.stream',
  ] as const)('%s records inclusive input and output, no cache or reasoning', async (id) => {
    const { span, text } = await only(id);
    expect(text).toBe('Hello from the mock LLM.');
    expect(span.instrumentationScope).toMatchObject({
      name: '@opentelemetry/instrumentation-openai',
      version: '0.21.0',
    });
    expect(span.name).toBe('chat gpt-4o');
    expect(attrs(span)).toMatchObject({
      'gen_ai.operation.name': 'chat',
      'gen_ai.request.model': 'gpt-4o',
      'gen_ai.response.model': 'gpt-4o-2024-08-06',
      'gen_ai.usage.input_tokens': 1000,
      'gen_ai.usage.output_tokens': 200,
      ...(id.includes('responses') ? { 'gen_ai.provider.name': 'openai' } : { 'gen_ai.system': 'openai' }),
    });
    expect(Object.keys(attrs(span)).filter((k) => /cache|reasoning/.test(k))).toEqual([]);
  });
});

describe('@arizeai/openinference-instrumentation-openai 4.2 with openai 6', () => {
  it.each(['openinference-openai.chat', 'openinference-openai.responses'] as const)(
    '%s records llm.token_count.* with cache reads and reasoning',
    async (id) => {
      const { span } = await only(id);
      expect(span.instrumentationScope.name).toBe('@arizeai/openinference-instrumentation-openai');
      expect(attrs(span)).toMatchObject({
        'openinference.span.kind': 'LLM',
        'llm.system': 'openai',
        'llm.model_name': 'gpt-4o-2024-08-06',
        'llm.token_count.prompt': 1000,
        'llm.token_count.completion': 200,
        'llm.token_count.total': 1200,
        'llm.token_count.prompt_details.cache_read': 400,
        'llm.token_count.completion_details.reasoning': 50,
      });
    },
  );

  it('records no usage at all on a streamed chat completion', async () => {
    const { span, text } = await only('openinference-openai.chat.stream');
    expect(text).toBe('Hello from the mock LLM.');
    expect(attrs(span)['llm.model_name']).toBe('gpt-4o');
    expect(Object.keys(attrs(span)).filter((k) => k.startsWith('llm.token_count'))).toEqual([]);
  });
});

describe('@traceloop/instrumentation-anthropic 0.27 with @anthropic-ai/sdk 0.60', () => {
  it.each([
    'traceloop-anthropic.messages',
    'traceloop-anthropic.messages.stream',
    'traceloop-anthropic.messages.sdk-stream',
  ] as const)('%s records Anthropic raw input (cache excluded) and cache read/creation', async (id) => {
    const { span, text } = await only(id);
    expect(text).toBe('Hello from the mock LLM.');
    expect(span.instrumentationScope).toMatchObject({
      name: '@traceloop/instrumentation-anthropic',
      version: '0.27.0',
    });
    expect(span.name).toBe('chat claude-sonnet-4-5');
    expect(attrs(span)).toMatchObject({
      'gen_ai.provider.name': 'anthropic',
      'gen_ai.response.model': 'claude-sonnet-4-5-20250929',
      'gen_ai.usage.input_tokens': 500,
      'gen_ai.usage.cache_read.input_tokens': 400,
      'gen_ai.usage.cache_creation.input_tokens': 100,
      'gen_ai.usage.output_tokens': 200,
    });
  });
});

describe('Vercel AI SDK 6 telemetry', () => {
  it.each([
    ['vercel-openai.responses.generateText', 'openai.responses', 'ai.generateText'],
    ['vercel-openai.responses.streamText', 'openai.responses', 'ai.streamText'],
    ['vercel-openai.chat.generateText', 'openai.chat', 'ai.generateText'],
    ['vercel-openai.chat.streamText', 'openai.chat', 'ai.streamText'],
    ['vercel-anthropic.generateText', 'anthropic.messages', 'ai.generateText'],
    ['vercel-anthropic.streamText', 'anthropic.messages', 'ai.streamText'],
  ] as const)('%s: a %s call span under its %s parent, inclusive input', async (id, provider, parentName) => {
    const { spans, text } = await runScenario(id, { llm, usage: USAGE });
    expect(text).toBe('Hello from the mock LLM.');
    const stream = parentName === 'ai.streamText';
    const child = spans.find((s) => s.name === `${parentName}.${stream ? 'doStream' : 'doGenerate'}`);
    const parent = spans.find((s) => s.name === parentName);
    expect(spans).toHaveLength(2);
    expect(child?.parentSpanContext?.spanId).toBe(parent?.spanContext().spanId);
    expect(child?.instrumentationScope.name).toBe('ai');
    const cacheWrite = provider === 'openai.responses' ? {} : { 'ai.usage.inputTokenDetails.cacheWriteTokens': 100 };
    expect(attrs(child)).toMatchObject({
      'gen_ai.system': provider,
      'gen_ai.response.model': provider === 'anthropic.messages' ? 'claude-sonnet-4-5-20250929' : 'gpt-4o-2024-08-06',
      'gen_ai.usage.input_tokens': 1000,
      'gen_ai.usage.output_tokens': 200,
      'ai.usage.inputTokenDetails.cacheReadTokens': 400,
      ...cacheWrite,
      'ai.usage.outputTokenDetails.reasoningTokens': 50,
    });
    expect(attrs(parent)).toMatchObject({ 'ai.usage.inputTokens': 1000, 'ai.usage.outputTokens': 200 });
    expect(Object.keys(attrs(parent)).filter((k) => k.startsWith('gen_ai.'))).toEqual([]);
    if (stream) {
      const ttft = attrs(child)['ai.response.msToFirstChunk'];
      expect(ttft).toBeGreaterThanOrEqual(15); // the mock waits 20 ms before the first chunk
      expect(child?.events.map((e) => e.name)).toContain('ai.stream.firstChunk');
    }
  });
});

describe('harness', () => {
  it('runs caller processors before the exporter, while the span is still writable in onEnding', async () => {
    const marker: SpanProcessor & { onEnding(span: Span): void } = {
      onStart() {},
      onEnding(span) {
        span.setAttribute('test.seen_usage', Number(span.attributes['gen_ai.usage.input_tokens']));
      },
      onEnd() {},
      forceFlush: async () => {},
      shutdown: async () => {},
    };
    const h = await setupOtelOpenAI({ spanProcessors: [marker] });
    try {
      const client = new h.OpenAI({ baseURL: llm.openaiBaseURL, apiKey: 'test', maxRetries: 0 });
      await client.chat.completions.create({
        model: 'gpt-4o',
        messages: [{ role: 'user', content: usageDirective({ input: 42 }) }],
      });
      expect(attrs(h.getSpans()[0])['test.seen_usage']).toBe(42);
    } finally {
      await h.shutdown();
    }
  });
});
