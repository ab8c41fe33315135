/**
 * `npm run demo`: prices a realistic mix of LLM calls offline, with no API keys.
 *
 * 1. starts the bundled mock OpenAI and Anthropic servers on loopback;
 * 2. starts the real NodeSDK with `llmCostNodeSDKOptions()` and the OpenAI and Anthropic
 *    instrumentations (exporting over OTLP only when OTEL_EXPORTER_OTLP_ENDPOINT is set);
 * 3. runs a support agent that calls both providers through `openai`, `@anthropic-ai/sdk` and
 *    the Vercel AI SDK: streamed and not, cache reads and writes, reasoning, an unknown model;
 * 4. prints what the cost processor wrote on the spans, then shuts everything down.
 */
import { DATED_MODELS, startMockLLM } from '../mock-llm/index.js';
import { AGENT_SPAN_NAME, DEMO_CALLS } from './calls.js';
import { renderSummary } from './summary.js';
import { startTelemetry } from './telemetry.js';

const llm = await startMockLLM({ responseModels: DATED_MODELS, firstChunkDelayMs: 120, chunkDelayMs: 5 });
const telemetry = startTelemetry();
try {
  // Imported only now: the instrumented SDKs must load after the instrumentations are enabled.
  const { handleTicket } = await import('./agent.js');
  await handleTicket(llm, DEMO_CALLS);
  const endpoint = process.env.OTEL_EXPORTER_OTLP_ENDPOINT?.trim() || undefined;
  console.log(
    renderSummary({
      spans: telemetry.spans(),
      metrics: await telemetry.collectMetrics(),
      agentSpanName: AGENT_SPAN_NAME,
      exportedTo: telemetry.exporting ? (endpoint ?? 'the OTEL_EXPORTER_OTLP_*_ENDPOINT URLs') : undefined,
    }),
  );
} finally {
  // Flushes the span and metric exports before the process exits.
  await telemetry.shutdown();
  await llm.close();
}
