/**
 * NodeSDK + the OpenAI instrumentation + otel-llm-cost: every `openai` call gets its cost.
 *
 *   npx tsx examples/nodesdk-openai.ts                          # offline, against the bundled mock
 *   OPENAI_API_KEY=sk-… npx tsx examples/nodesdk-openai.ts      # the real API
 *   OTEL_EXPORTER_OTLP_ENDPOINT=http://localhost:4318 …          # also export spans and metrics
 */
import { createRequire } from 'node:module';
import { NodeSDK } from '@opentelemetry/sdk-node';
import { OpenAIInstrumentation } from '@opentelemetry/instrumentation-openai';
import type { ReadableSpan, SpanProcessor } from '@opentelemetry/sdk-trace-base';
import { ATTR_COST_UNPRICED_REASON, ATTR_COST_USD, CostSpanProcessor, llmCostNodeSDKOptions } from 'otel-llm-cost';
import { startMockLLM } from './mock-llm/index.js';

// Prints each LLM call's cost as its span ends (after the cost processor wrote it).
const printCost: SpanProcessor = {
  onStart() {},
  onEnd(span: ReadableSpan) {
    const cost = span.attributes[ATTR_COST_USD];
    const unpriced = span.attributes[ATTR_COST_UNPRICED_REASON];
    if (typeof cost === 'number') console.log(`${span.name}: $${cost.toFixed(6)}`);
    else if (unpriced !== undefined) console.log(`${span.name}: unpriced (${String(unpriced)})`);
  },
  forceFlush: () => Promise.resolve(),
  shutdown: () => Promise.resolve(),
};

// 1. Start OpenTelemetry first. With OTEL_EXPORTER_OTLP_ENDPOINT set, spans (with their cost)
//    and cost metrics are exported there; without it, this example only prints.
const llmCost = process.env.OTEL_EXPORTER_OTLP_ENDPOINT
  ? llmCostNodeSDKOptions()
  : { spanProcessors: [new CostSpanProcessor()], metricReaders: [] };
const sdk = new NodeSDK({
  serviceName: 'nodesdk-openai-example',
  spanProcessors: [...llmCost.spanProcessors, printCost],
  metricReaders: llmCost.metricReaders,
  // The instrumentation also emits GenAI events as log records, which NodeSDK would export over
  // OTLP by default; this example keeps to traces and metrics.
  logRecordProcessors: [],
  instrumentations: [new OpenAIInstrumentation()],
});
sdk.start();

// 2. Then load `openai`. The instrumentation patches `require`, so an ESM `import` hoisted above
//    sdk.start() would not be instrumented (in a CommonJS app a plain require after start works).
const { OpenAI } = createRequire(import.meta.url)('openai') as typeof import('openai');

// Without an API key, use the bundled mock server (it reports the usage it is asked for).
const mock = process.env.OPENAI_API_KEY ? undefined : await startMockLLM();
const client = mock ? new OpenAI({ baseURL: mock.openaiBaseURL, apiKey: 'mock' }) : new OpenAI();

try {
  const res = await client.chat.completions.create({
    model: 'gpt-4o-mini',
    messages: [{ role: 'user', content: `Say hello.${mock ? ' usage:{"input":1200,"output":80}' : ''}` }],
  });
  console.log(res.choices[0]?.message.content);

  // Streams report usage only with include_usage; without it the call cannot be priced.
  const stream = await client.chat.completions.create({
    model: 'gpt-4o',
    messages: [{ role: 'user', content: 'Count to three.' }],
    stream: true,
    stream_options: { include_usage: true },
  });
  let text = '';
  for await (const chunk of stream) text += chunk.choices[0]?.delta.content ?? '';
  console.log(text);
} finally {
  // Flushes spans and metrics; a Collector that is down must not crash the app.
  await sdk.shutdown().catch((err: Error) => console.error(`OpenTelemetry export failed: ${err.message}`));
  await mock?.close();
}
