/**
 * Manual spans + otel-llm-cost: no instrumentation package, no NodeSDK. Your own span around an
 * LLM call, with the GenAI semantic-convention attributes the processor reads, and
 * `markFirstChunk` so a streamed call gets its time to first chunk.
 *
 *   npx tsx examples/manual-spans.ts                          # offline, against the bundled mock
 *   OPENAI_API_KEY=sk-… npx tsx examples/manual-spans.ts      # the real API
 */
import { SpanKind, SpanStatusCode, trace } from '@opentelemetry/api';
import { NodeTracerProvider } from '@opentelemetry/sdk-trace-node';
import type { ReadableSpan, SpanProcessor } from '@opentelemetry/sdk-trace-base';
import {
  ATTR_COST_UNPRICED_REASON,
  ATTR_COST_USD,
  ATTR_TIME_TO_FIRST_CHUNK,
  CostSpanProcessor,
  markFirstChunk,
} from 'otel-llm-cost';
import { startMockLLM } from './mock-llm/index.js';

// Prints what the cost processor wrote on each LLM span.
const printCost: SpanProcessor = {
  onStart() {},
  onEnd(span: ReadableSpan) {
    const a = span.attributes;
    const ttft = a[ATTR_TIME_TO_FIRST_CHUNK];
    if (typeof a[ATTR_COST_USD] === 'number') {
      console.log(
        `${span.name}: $${a[ATTR_COST_USD].toFixed(6)}` +
          (typeof ttft === 'number' ? `, first chunk after ${Math.round(ttft * 1000)} ms` : ''),
      );
    } else if (a[ATTR_COST_UNPRICED_REASON] !== undefined) {
      console.log(`${span.name}: unpriced (${String(a[ATTR_COST_UNPRICED_REASON])})`);
    }
  },
  forceFlush: () => Promise.resolve(),
  shutdown: () => Promise.resolve(),
};

// The cost processor goes before your export processor (here just the printer).
const provider = new NodeTracerProvider({ spanProcessors: [new CostSpanProcessor(), printCost] });
provider.register();
const tracer = trace.getTracer('my-llm-client');

// Without an API key, use the bundled mock server; it reports the usage named in the prompt.
const mock = process.env.OPENAI_API_KEY ? undefined : await startMockLLM();
const baseURL = mock?.openaiBaseURL ?? 'https://api.openai.com/v1';
const apiKey = process.env.OPENAI_API_KEY ?? 'mock';

/** A streamed Chat Completions call over plain fetch, traced by hand. */
async function chat(model: string, prompt: string): Promise<string> {
  return tracer.startActiveSpan(`chat ${model}`, { kind: SpanKind.CLIENT }, async (span) => {
    span.setAttributes({
      'gen_ai.operation.name': 'chat',
      'gen_ai.provider.name': 'openai',
      'gen_ai.request.model': model,
    });
    try {
      const res = await fetch(`${baseURL}/chat/completions`, {
        method: 'POST',
        headers: { 'content-type': 'application/json', authorization: `Bearer ${apiKey}` },
        body: JSON.stringify({
          model,
          messages: [{ role: 'user', content: prompt }],
          stream: true,
          stream_options: { include_usage: true },
        }),
      });
      if (!res.ok || !res.body) throw new Error(`HTTP ${res.status}`);
      let text = '';
      let buffer = '';
      for await (const bytes of res.body.pipeThrough(new TextDecoderStream())) {
        buffer += bytes;
        const lines = buffer.split('\n');
        buffer = lines.pop() ?? '';
        for (const line of lines) {
          if (!line.startsWith('data: ') || line === 'data: [DONE]') continue;
          const chunk = JSON.parse(line.slice(6));
          const delta: string | undefined = chunk.choices?.[0]?.delta?.content;
          if (delta) {
            markFirstChunk(span); // only the first call per span counts
            text += delta;
          }
          if (chunk.model) span.setAttribute('gen_ai.response.model', chunk.model);
          if (chunk.usage) {
            // Semconv meaning: input includes cached tokens, output includes reasoning.
            span.setAttributes({
              'gen_ai.usage.input_tokens': chunk.usage.prompt_tokens,
              'gen_ai.usage.output_tokens': chunk.usage.completion_tokens,
              'gen_ai.usage.cache_read.input_tokens': chunk.usage.prompt_tokens_details?.cached_tokens ?? 0,
              'gen_ai.usage.reasoning.output_tokens': chunk.usage.completion_tokens_details?.reasoning_tokens ?? 0,
            });
          }
        }
      }
      return text;
    } catch (err) {
      span.recordException(err as Error);
      span.setStatus({ code: SpanStatusCode.ERROR });
      throw err;
    } finally {
      span.end(); // the processor prices the call here
    }
  });
}

try {
  const usage = mock ? ' usage:{"input":3000,"cached":2048,"output":150}' : '';
  console.log(await chat('gpt-4.1-mini', `Say hello.${usage}`));
} finally {
  await provider.shutdown();
  await mock?.close();
}
