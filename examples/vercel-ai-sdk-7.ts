/**
 * AI SDK 7 + otel-llm-cost. In v7 the spans come from `@ai-sdk/otel`: register its
 * `OpenTelemetry` integration once, AFTER the OpenTelemetry SDK has started, and every
 * `generateText` / `streamText` call is traced (no per-call option needed). The cost lands on the
 * `chat MODEL` spans and rolls up to `invoke_agent MODEL`.
 *
 *   npx tsx examples/vercel-ai-sdk-7.ts                              # offline, against the bundled mock
 *   ANTHROPIC_API_KEY=sk-ant-… npx tsx examples/vercel-ai-sdk-7.ts   # the real API
 *
 * In your app the imports are `ai`, `@ai-sdk/otel` and `@ai-sdk/anthropic`; this repository
 * installs v7 beside v6 under the aliases `ai7` and `ai-sdk-anthropic-4`.
 *
 * Why after `sdk.start()`: `new OpenTelemetry()` takes its tracer when it is constructed, from the
 * `@opentelemetry/api` copy `@ai-sdk/otel` pins (exactly 1.9.1). When the app has another copy
 * (any other version, e.g. the 1.10 of OpenTelemetry JS 3.x), a tracer taken before the SDK is
 * registered stays a no-op forever: no span, no error. Taken after, it is the SDK's.
 */
import { NodeSDK } from '@opentelemetry/sdk-node';
import type { ReadableSpan, SpanProcessor } from '@opentelemetry/sdk-trace-base';
import { generateText, registerTelemetry, streamText } from 'ai7';
import { OpenTelemetry } from '@ai-sdk/otel';
import { createAnthropic } from 'ai-sdk-anthropic-4';
import {
  ATTR_COST_ROLLUP_USD,
  ATTR_COST_USD,
  ATTR_TIME_TO_FIRST_CHUNK,
  CostSpanProcessor,
  llmCostNodeSDKOptions,
} from 'otel-llm-cost';
import { startMockLLM } from './mock-llm/index.js';

// Prints the cost of each provider call and the roll-up on its parent.
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
    } else if (typeof a[ATTR_COST_ROLLUP_USD] === 'number' && span.name.startsWith('invoke_agent')) {
      console.log(`${span.name}: $${a[ATTR_COST_ROLLUP_USD].toFixed(6)} in total`);
    }
  },
  forceFlush: () => Promise.resolve(),
  shutdown: () => Promise.resolve(),
};

// With OTEL_EXPORTER_OTLP_ENDPOINT set, spans and cost metrics are exported there too.
const llmCost = process.env.OTEL_EXPORTER_OTLP_ENDPOINT
  ? llmCostNodeSDKOptions()
  : { spanProcessors: [new CostSpanProcessor()], metricReaders: [] };
const sdk = new NodeSDK({
  serviceName: 'ai-sdk-7-example',
  spanProcessors: [...llmCost.spanProcessors, printCost],
  metricReaders: llmCost.metricReaders,
  logRecordProcessors: [],
});
sdk.start();
registerTelemetry(new OpenTelemetry()); // after sdk.start(): see above

// Without an API key, use the bundled mock server; it reports the usage named in the prompt.
const mock = process.env.ANTHROPIC_API_KEY ? undefined : await startMockLLM();
const anthropic = mock ? createAnthropic({ baseURL: mock.anthropicV1BaseURL, apiKey: 'mock' }) : createAnthropic();
const usage = (directive: string): string => (mock ? ` usage:${directive}` : '');

try {
  const { text } = await generateText({
    model: anthropic('claude-sonnet-4-5'),
    prompt: `Summarize this ticket.${usage('{"input":8000,"cacheWrite":6000,"output":300}')}`,
  });
  console.log(text);

  const result = streamText({
    model: anthropic('claude-sonnet-4-5'),
    prompt: `Draft a reply.${usage('{"input":8200,"cached":6000,"output":400}')}`,
  });
  let reply = '';
  for await (const part of result.textStream) reply += part;
  console.log(reply);
} finally {
  await sdk.shutdown().catch((err: Error) => console.error(`OpenTelemetry export failed: ${err.message}`));
  await mock?.close();
}
