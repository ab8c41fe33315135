import { getNumberFromEnv } from '@opentelemetry/core';
import type { IMetricReader, PushMetricExporter } from '@opentelemetry/sdk-metrics';
import type { SpanExporter, SpanProcessor } from '@opentelemetry/sdk-trace';
import {
  OpenAIUsageInstrumentation,
  type OpenAIUsageInstrumentationConfig,
} from './instrumentation/openai/openai-usage-instrumentation.js';
import { CostMetrics } from './metrics/cost-metrics.js';
import type { CostMetricsOptions } from './metrics/types.js';
import { CostSpanProcessor } from './processor/cost-span-processor.js';
import type { CostSpanProcessorOptions } from './processor/cost-span-processor-options.js';
import { batchSpanProcessor, exportSpanProcessorsFromEnv, metricExportersFromEnv } from './setup/exporters-from-env.js';
import { flushOnExit } from './setup/flush-on-exit.js';
import { sdkMetrics } from './setup/sdk-modules.js';
import { withVisibleDiag } from './setup/visible-diag.js';
import { isPositiveNumber, positiveNumberOption } from './options.js';
import { warn } from './diag.js';

const DEFAULT_EXPORT_INTERVAL_MILLIS = 60_000;
const DEFAULT_EXPORT_TIMEOUT_MILLIS = 30_000;

export interface LlmCostNodeSDKOptions {
  /**
   * Options of the `CostSpanProcessor` (price book, input accounting, roll-up). Its `recorder`,
   * when set, replaces the `CostMetrics` built from `metrics`.
   * Default: `{}`.
   */
  processor?: CostSpanProcessorOptions;
  /**
   * Options of the `CostMetrics` recorder, or `false` for no cost metrics: then no metric reader
   * is returned either, and NodeSDK configures metrics from `OTEL_METRICS_EXPORTER` as usual.
   * Default: `{}` (provider, model, operation dimensions; the global MeterProvider NodeSDK registers).
   */
  metrics?: CostMetricsOptions | false;
  /**
   * Where the app's spans (now carrying cost attributes) are exported, through a
   * `BatchSpanProcessor` registered after the cost processor.
   * Default: what `OTEL_TRACES_EXPORTER` names (`otlp`, `console`, `none`; default `otlp`), the
   * OTLP exporter speaking `OTEL_EXPORTER_OTLP_TRACES_PROTOCOL` / `OTEL_EXPORTER_OTLP_PROTOCOL`
   * (`http/protobuf` by default, `http/json`, `grpc`), as NodeSDK would build it.
   */
  traceExporter?: SpanExporter;
  /**
   * Where metrics are pushed, by a `PeriodicExportingMetricReader`.
   * Default: what `OTEL_METRICS_EXPORTER` names (`otlp`, `console`; default `otlp`), the OTLP
   * exporter speaking `OTEL_EXPORTER_OTLP_METRICS_PROTOCOL` / `OTEL_EXPORTER_OTLP_PROTOCOL`. When
   * the variable names anything else (`none`, `prometheus`), no reader is returned and NodeSDK
   * builds its own from it.
   */
  metricExporter?: PushMetricExporter;
  /**
   * Interval between metric exports, in milliseconds (a positive number).
   * Default: `OTEL_METRIC_EXPORT_INTERVAL`, else `60000`.
   */
  metricExportIntervalMillis?: number;
  /**
   * Flush the global tracer and meter providers when the process exits by itself or on
   * SIGINT/SIGTERM (`flushOnExit()`), so short scripts and Ctrl-C lose nothing.
   * Default: `true`.
   */
  flushOnExit?: boolean;
  /**
   * The `OpenAIUsageInstrumentation`, enabled here (it patches `openai` when the app loads it),
   * so OpenAI calls are priced on their full usage whatever `instrumentations` NodeSDK is given:
   * it adds cached and reasoning tokens to the contrib OpenAI instrumentation's spans, and makes
   * the GenAI span itself for calls no instrumentation covers (`openai` 7). Its options, or
   * `false` to leave it out.
   * Default: `{}`.
   */
  openaiUsage?: OpenAIUsageInstrumentationConfig | false;
}

/** The part of `NodeSDKConfiguration` this package fills in: spread it into `new NodeSDK({…})`. */
export interface LlmCostNodeSDKConfiguration {
  /** The cost processor first, then the export processors. */
  spanProcessors: SpanProcessor[];
  /** Periodic metric readers; absent when `metrics: false` or NodeSDK builds them itself. */
  metricReaders?: IMetricReader[];
}

/**
 * Everything `NodeSDK` needs to price LLM calls and export them:
 *
 * ```ts
 * const sdk = new NodeSDK({ serviceName: 'my-app', ...llmCostNodeSDKOptions(), instrumentations });
 * sdk.start();
 * ```
 *
 * Passing `spanProcessors` to NodeSDK replaces its env-configured trace exporter, so the export
 * processor is returned beside the cost processor, in the order that matters: the cost processor
 * annotates spans in `onEnding`, before any export processor sees them in `onEnd`.
 */
export function llmCostNodeSDKOptions(options: LlmCostNodeSDKOptions = {}): LlmCostNodeSDKConfiguration {
  return withVisibleDiag(() => build(options));
}

function build(options: LlmCostNodeSDKOptions): LlmCostNodeSDKConfiguration {
  if (options.flushOnExit !== false) flushOnExit();
  // Enabled on construction: `instrumentations` passed to NodeSDK beside this helper's result
  // replace any list it could return, so it is not handed to NodeSDK. It traces through the
  // global tracer provider, which NodeSDK registers on start().
  const openaiUsage = openaiUsageConfig(options.openaiUsage);
  if (openaiUsage !== false) {
    try {
      new OpenAIUsageInstrumentation(openaiUsage);
    } catch (err) {
      // No @opentelemetry/instrumentation to build it on: the rest of the setup still works.
      warn(`OpenAIUsageInstrumentation is not enabled: ${(err as Error).message}`);
    }
  }
  const metricsOptions = options.metrics ?? {};
  const recorder =
    options.processor?.recorder ?? (metricsOptions === false ? undefined : new CostMetrics(metricsOptions));
  const spanProcessors: SpanProcessor[] = [
    new CostSpanProcessor({ ...options.processor, recorder }),
    ...(options.traceExporter ? [batchSpanProcessor(options.traceExporter)] : exportSpanProcessorsFromEnv()),
  ];
  if (metricsOptions === false) return { spanProcessors };

  const exporters = options.metricExporter ? [options.metricExporter] : metricExportersFromEnv();
  if (exporters === undefined) return { spanProcessors };
  const exportIntervalMillis = exportInterval(options.metricExportIntervalMillis);
  const envTimeout = getNumberFromEnv('OTEL_METRIC_EXPORT_TIMEOUT');
  const exportTimeoutMillis = Math.min(
    isPositiveNumber(envTimeout) ? envTimeout : DEFAULT_EXPORT_TIMEOUT_MILLIS,
    exportIntervalMillis,
  );
  const metricReaders: IMetricReader[] = exporters.map(
    (exporter) =>
      new (sdkMetrics().PeriodicExportingMetricReader)({ exporter, exportIntervalMillis, exportTimeoutMillis }),
  );
  return { spanProcessors, metricReaders };
}

function openaiUsageConfig(option: unknown): OpenAIUsageInstrumentationConfig | false {
  if (option === undefined) return {};
  if (option === false || (option !== null && typeof option === 'object' && !Array.isArray(option))) {
    return option as OpenAIUsageInstrumentationConfig | false;
  }
  warn(`openaiUsage must be an options object or false, got ${String(option)}; using {}`);
  return {};
}

function exportInterval(option: number | undefined): number {
  const env = getNumberFromEnv('OTEL_METRIC_EXPORT_INTERVAL');
  return (
    positiveNumberOption(option, 'metricExportIntervalMillis', undefined) ??
    (isPositiveNumber(env) ? env : DEFAULT_EXPORT_INTERVAL_MILLIS)
  );
}
