import { getNumberFromEnv, getStringFromEnv, getStringListFromEnv } from '@opentelemetry/core';
import type { PushMetricExporter } from '@opentelemetry/sdk-metrics';
import type { SpanExporter, SpanProcessor } from '@opentelemetry/sdk-trace';
import {
  exporterMetricsGrpc,
  exporterMetricsHttp,
  exporterMetricsProto,
  exporterTraceGrpc,
  exporterTraceHttp,
  exporterTraceProto,
  sdkMetrics,
  sdkTrace,
} from './sdk-modules.js';
import { warn } from '../diag.js';

/**
 * The export side of the one-call setup, chosen from the standard variables the way
 * `@opentelemetry/sdk-node` (0.223 and 0.30x) chooses it when it builds its own:
 *
 * - `OTEL_TRACES_EXPORTER` / `OTEL_METRICS_EXPORTER`: a comma list of `otlp` (default),
 *   `console`, `none`;
 * - `OTEL_EXPORTER_OTLP_TRACES_PROTOCOL` / `OTEL_EXPORTER_OTLP_METRICS_PROTOCOL`, else
 *   `OTEL_EXPORTER_OTLP_PROTOCOL`: `http/protobuf` (default), `http/json`, `grpc`;
 * - `OTEL_BSP_*` for the batch span processor.
 *
 * It has to be rebuilt here because passing `spanProcessors` to NodeSDK replaces the span
 * processors NodeSDK would otherwise build from these variables.
 */

type Signal = 'TRACES' | 'METRICS';
type Protocol = 'http/protobuf' | 'http/json' | 'grpc';
const PROTOCOLS: readonly string[] = ['http/protobuf', 'http/json', 'grpc'];

/** The OTLP protocol of one signal, as the SDK reads it. */
export function otlpProtocolFromEnv(signal: Signal): Protocol {
  const name = `OTEL_EXPORTER_OTLP_${signal}_PROTOCOL`;
  const value = getStringFromEnv(name) ?? getStringFromEnv('OTEL_EXPORTER_OTLP_PROTOCOL') ?? 'http/protobuf';
  if (PROTOCOLS.includes(value)) return value as Protocol;
  warn(`unsupported OTLP ${signal.toLowerCase()} protocol ${JSON.stringify(value)}; using http/protobuf`);
  return 'http/protobuf';
}

/** An OTLP span exporter speaking the protocol the environment asks for. */
export function otlpTraceExporterFromEnv(): SpanExporter {
  switch (otlpProtocolFromEnv('TRACES')) {
    case 'grpc':
      return new (exporterTraceGrpc().OTLPTraceExporter)();
    case 'http/json':
      return new (exporterTraceHttp().OTLPTraceExporter)();
    default:
      return new (exporterTraceProto().OTLPTraceExporter)();
  }
}

/** An OTLP metric exporter speaking the protocol the environment asks for. */
export function otlpMetricExporterFromEnv(): PushMetricExporter {
  switch (otlpProtocolFromEnv('METRICS')) {
    case 'grpc':
      return new (exporterMetricsGrpc().OTLPMetricExporter)();
    case 'http/json':
      return new (exporterMetricsHttp().OTLPMetricExporter)();
    default:
      return new (exporterMetricsProto().OTLPMetricExporter)();
  }
}

/** The export span processors `OTEL_TRACES_EXPORTER` names: `[]` for `none`. */
export function exportSpanProcessorsFromEnv(): SpanProcessor[] {
  const names = exporterNames('OTEL_TRACES_EXPORTER');
  if (names.includes('none')) return [];
  const processors: SpanProcessor[] = [];
  for (const name of names) {
    if (name === 'otlp') processors.push(batchSpanProcessor(otlpTraceExporterFromEnv()));
    else if (name === 'console')
      processors.push(new (sdkTrace().SimpleSpanProcessor)({ exporter: new (sdkTrace().ConsoleSpanExporter)() }));
    else {
      warn(
        `OTEL_TRACES_EXPORTER value ${JSON.stringify(name)} is not supported by llmCostNodeSDKOptions ` +
          '(otlp, console, none); pass your exporter as traceExporter',
      );
    }
  }
  return processors;
}

/**
 * The metric exporters `OTEL_METRICS_EXPORTER` names, or `undefined` when it names anything else
 * than `otlp` and `console` (`none`, `prometheus` …): then no reader is built here and NodeSDK
 * builds its own from the same variable, as it does without this package.
 */
export function metricExportersFromEnv(): PushMetricExporter[] | undefined {
  const names = exporterNames('OTEL_METRICS_EXPORTER');
  if (!names.every((name) => name === 'otlp' || name === 'console')) return undefined;
  return names.map((name) =>
    name === 'console' ? new (sdkMetrics().ConsoleMetricExporter)() : otlpMetricExporterFromEnv(),
  );
}

/** A batch processor with the `OTEL_BSP_*` settings, as NodeSDK builds it. */
export function batchSpanProcessor(exporter: SpanExporter): SpanProcessor {
  return new (sdkTrace().BatchSpanProcessor)({
    exporter,
    maxQueueSize: positiveFromEnv('OTEL_BSP_MAX_QUEUE_SIZE'),
    scheduledDelayMillis: positiveFromEnv('OTEL_BSP_SCHEDULE_DELAY'),
    exportTimeoutMillis: positiveFromEnv('OTEL_BSP_EXPORT_TIMEOUT'),
    maxExportBatchSize: positiveFromEnv('OTEL_BSP_MAX_EXPORT_BATCH_SIZE'),
  });
}

function exporterNames(variable: string): string[] {
  const names = [...new Set(getStringListFromEnv(variable) ?? [])].filter((n) => n !== '' && n !== 'null');
  return names.length === 0 ? ['otlp'] : names;
}

function positiveFromEnv(name: string): number | undefined {
  const value = getNumberFromEnv(name);
  if (value === undefined) return undefined;
  if (value > 0) return value;
  warn(`${name}=${value} is invalid (a positive number is expected); using the default`);
  return undefined;
}
