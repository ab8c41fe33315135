/**
 * The demo's OpenTelemetry setup: the real NodeSDK with the package's one-call helper, as in
 * the quick start, plus two in-process taps the terminal summary reads from:
 * - a span processor registered after the cost processor, which keeps finished spans (with the
 *   attributes the cost processor wrote in `onEnding`);
 * - a metric reader on the same MeterProvider, collected once at the end.
 *
 * With `OTEL_EXPORTER_OTLP_ENDPOINT` (or a per-signal endpoint) set, spans and metrics are also
 * exported over OTLP/HTTP exactly as `llmCostNodeSDKOptions()` does by default. Without it, the
 * helper gets exporters that drop everything, so nothing tries to reach localhost:4318.
 */
import { NodeSDK } from '@opentelemetry/sdk-node';
import type { Instrumentation } from '@opentelemetry/instrumentation';
import { OpenAIInstrumentation } from '@opentelemetry/instrumentation-openai';
import { AnthropicInstrumentation } from '@traceloop/instrumentation-anthropic';
import { ExportResultCode, type ExportResult } from '@opentelemetry/core';
import { MetricReader, type PushMetricExporter, type ResourceMetrics } from '@opentelemetry/sdk-metrics';
import type { ReadableSpan, SpanExporter, SpanProcessor } from '@opentelemetry/sdk-trace-base';
import { llmCostNodeSDKOptions } from 'otel-llm-cost';

/** Keeps every finished span, in end order. */
class SpanTap implements SpanProcessor {
  readonly spans: ReadableSpan[] = [];
  onStart(): void {}
  onEnd(span: ReadableSpan): void {
    this.spans.push(span);
  }
  forceFlush(): Promise<void> {
    return Promise.resolve();
  }
  shutdown(): Promise<void> {
    return Promise.resolve();
  }
}

/** A pull reader: the summary calls `collect()` once, before shutdown. */
class MetricTap extends MetricReader {
  protected override onForceFlush(): Promise<void> {
    return Promise.resolve();
  }
  protected override onShutdown(): Promise<void> {
    return Promise.resolve();
  }
}

const succeed = (_items: unknown, done: (result: ExportResult) => void): void =>
  done({ code: ExportResultCode.SUCCESS });
const discardSpans: SpanExporter = { export: succeed, shutdown: () => Promise.resolve() };
const discardMetrics: PushMetricExporter = {
  export: succeed,
  forceFlush: () => Promise.resolve(),
  shutdown: () => Promise.resolve(),
};

export interface DemoTelemetry {
  /** Whether spans and metrics are exported over OTLP in this run. */
  exporting: boolean;
  /** Finished spans so far. */
  spans(): readonly ReadableSpan[];
  /** Forgets the finished spans kept so far. */
  clearSpans(): void;
  /** The cost metrics as recorded so far (cumulative). */
  collectMetrics(): Promise<ResourceMetrics>;
  /** Flushes the exports and shuts the SDK down. */
  shutdown(): Promise<void>;
}

/** Whether the standard OTLP variables name somewhere to export to. */
export function otlpEndpointConfigured(env: NodeJS.ProcessEnv = process.env): boolean {
  return [
    'OTEL_EXPORTER_OTLP_ENDPOINT',
    'OTEL_EXPORTER_OTLP_TRACES_ENDPOINT',
    'OTEL_EXPORTER_OTLP_METRICS_ENDPOINT',
  ].some((name) => (env[name] ?? '').trim() !== '');
}

/**
 * Starts the SDK. Call it before the instrumented SDKs (`openai`, `@anthropic-ai/sdk`) are
 * loaded: instrumentations patch `require` and only see modules loaded after they are enabled.
 */
export function startTelemetry(): DemoTelemetry {
  const exporting = otlpEndpointConfigured();
  const spanTap = new SpanTap();
  const metricTap = new MetricTap();
  const llmCost = llmCostNodeSDKOptions(
    exporting ? {} : { traceExporter: discardSpans, metricExporter: discardMetrics },
  );
  const instrumentations: Instrumentation[] = [
    new OpenAIInstrumentation(),
    // traceContent: false keeps prompts and replies off the spans.
    new AnthropicInstrumentation({ traceContent: false }) as unknown as Instrumentation,
  ];
  const sdk = new NodeSDK({
    serviceName: 'otel-llm-cost-demo',
    spanProcessors: [...llmCost.spanProcessors, spanTap],
    metricReaders: [...(llmCost.metricReaders ?? []), metricTap],
    // No log exporter: the demo emits no logs, and offline there is nowhere to send them.
    logRecordProcessors: [],
    instrumentations,
  });
  sdk.start();
  return {
    exporting,
    spans: () => spanTap.spans,
    clearSpans: () => void spanTap.spans.splice(0),
    async collectMetrics() {
      const { resourceMetrics, errors } = await metricTap.collect();
      if (errors.length > 0) throw new AggregateError(errors, 'collecting the demo metrics failed');
      return resourceMetrics;
    },
    shutdown: () => sdk.shutdown(),
  };
}
