/**
 * `npm run demo`: prices a realistic mix of LLM calls offline, with no API keys.
 *
 * 1. starts the bundled mock OpenAI and Anthropic servers on loopback;
 * 2. starts the real NodeSDK with `llmCostNodeSDKOptions()` and the OpenAI and Anthropic
 *    instrumentations (exporting over OTLP only when OTEL_EXPORTER_OTLP_ENDPOINT is set);
 * 3. runs a support agent that calls both providers through `openai`, `@anthropic-ai/sdk` and
 *    the Vercel AI SDK: streamed and not, cache reads and writes, reasoning, an unknown model;
 * 4. prints what the cost processor wrote on the spans, then shuts everything down.
 *
 * `npm run demo -- --loop` keeps handling a ticket every few seconds until Ctrl-C, so that
 * Prometheus sees the cost counters grow and the Grafana dashboard's rates fill in.
 */
import { ATTR_COST_ROLLUP_USD } from 'otel-llm-cost';
import { DATED_MODELS, startMockLLM } from '../mock-llm/index.js';
import { AGENT_SPAN_NAME, DEMO_CALLS } from './calls.js';
import { renderSummary } from './summary.js';
import { startTelemetry } from './telemetry.js';

const loop = process.argv.includes('--loop');
// Loop mode: push metrics every 5 s (unless set), so the dashboard updates while you watch.
if (loop) process.env.OTEL_METRIC_EXPORT_INTERVAL ??= '5000';

const llm = await startMockLLM({ responseModels: DATED_MODELS, firstChunkDelayMs: 120, chunkDelayMs: 5 });
const telemetry = startTelemetry();
const endpoint = process.env.OTEL_EXPORTER_OTLP_ENDPOINT?.trim() || undefined;
const exportedTo = telemetry.exporting ? (endpoint ?? 'the OTEL_EXPORTER_OTLP_*_ENDPOINT URLs') : undefined;
try {
  // Imported only now: the instrumented SDKs must load after the instrumentations are enabled.
  const { handleTicket } = await import('./agent.js');
  if (!loop) {
    await handleTicket(llm, DEMO_CALLS);
    console.log(
      renderSummary({
        spans: telemetry.spans(),
        metrics: await telemetry.collectMetrics(),
        agentSpanName: AGENT_SPAN_NAME,
        exportedTo,
      }),
    );
  } else {
    let stop = false;
    const onSignal = (): void => void (stop = true);
    process.once('SIGINT', onSignal);
    process.once('SIGTERM', onSignal);
    console.log(`Handling a ticket every 3 s${exportedTo ? `, exporting to ${exportedTo}` : ''}; Ctrl-C to stop.`);
    let tickets = 0;
    let total = 0;
    while (!stop) {
      const { traceId } = await handleTicket(llm, DEMO_CALLS);
      const agent = telemetry.spans().find((s) => s.name === AGENT_SPAN_NAME && s.spanContext().traceId === traceId);
      const cost = agent?.attributes[ATTR_COST_ROLLUP_USD];
      telemetry.clearSpans();
      tickets += 1;
      total += typeof cost === 'number' ? cost : 0;
      console.log(`ticket ${tickets}: $${typeof cost === 'number' ? cost.toFixed(6) : '-'}  trace ${traceId}`);
      for (let waited = 0; waited < 3000 && !stop; waited += 100) await new Promise((r) => setTimeout(r, 100));
    }
    console.log(`${tickets} tickets, $${total.toFixed(6)} in total`);
  }
} finally {
  // Flushes the span and metric exports before the process exits.
  await telemetry.shutdown();
  await llm.close();
}
