/**
 * Vercel AI SDK + otel-llm-cost: calls made with `experimental_telemetry` get their cost. The AI
 * SDK makes its own spans (no instrumentation package, no require patching); the cost lands on
 * the provider-call spans (`ai.generateText.doGenerate`, `ai.streamText.doStream`) and rolls up
 * to their parents. This is AI SDK 6 (`experimental_telemetry`); for AI SDK 7 (`@ai-sdk/otel`,
 * `registerTelemetry`) see examples/vercel-ai-sdk-7.ts.
 *
 *   npx tsx examples/vercel-ai-sdk.ts                              # offline, against the bundled mock
 *   ANTHROPIC_API_KEY=sk-ant-… npx tsx examples/vercel-ai-sdk.ts   # the real API
 *   OTEL_EXPORTER_OTLP_ENDPOINT=http://localhost:4318 …             # also export spans and metrics
 */
import { NodeSDK } from '@opentelemetry/sdk-node';
import type { ReadableSpan, SpanProcessor } from '@opentelemetry/sdk-trace-base';
import { generateText, streamText } from 'ai';
import { createAnthropic } from '@ai-sdk/anthropic';
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
    } else if (typeof a[ATTR_COST_ROLLUP_USD] === 'number') {
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
  serviceName: 'vercel-ai-sdk-example',
  spanProcessors: [...llmCost.spanProcessors, printCost],
  metricReaders: llmCost.metricReaders,
  logRecordProcessors: [],
});
sdk.start();

// Without an API key, use the bundled mock server; it reports the usage named in the prompt.
const mock = process.env.ANTHROPIC_API_KEY ? undefined : await startMockLLM();
const anthropic = mock ? createAnthropic({ baseURL: mock.anthropicV1BaseURL, apiKey: 'mock' }) : createAnthropic();
const usage = (directive: string): string => (mock ? ` usage:${directive}` : '');

try {
  const { text } = await generateText({
    model: anthropic('claude-sonnet-4-5'),
    prompt: `Summarize this ticket.${usage('{"input":8000,"cacheWrite":6000,"output":300}')}`,
    experimental_telemetry: { isEnabled: true },
  });
  console.log(text);

  const result = streamText({
    model: anthropic('claude-sonnet-4-5'),
    prompt: `Draft a reply.${usage('{"input":8200,"cached":6000,"output":400}')}`,
    experimental_telemetry: { isEnabled: true },
  });
  let reply = '';
  for await (const part of result.textStream) reply += part;
  console.log(reply);
} finally {
  await sdk.shutdown().catch((err: Error) => console.error(`OpenTelemetry export failed: ${err.message}`));
  await mock?.close();
}
