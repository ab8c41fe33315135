import { createRequire } from 'node:module';
import type * as ExporterMetricsGrpc from '@opentelemetry/exporter-metrics-otlp-grpc';
import type * as ExporterMetricsHttp from '@opentelemetry/exporter-metrics-otlp-http';
import type * as ExporterMetricsProto from '@opentelemetry/exporter-metrics-otlp-proto';
import type * as ExporterTraceGrpc from '@opentelemetry/exporter-trace-otlp-grpc';
import type * as ExporterTraceHttp from '@opentelemetry/exporter-trace-otlp-http';
import type * as ExporterTraceProto from '@opentelemetry/exporter-trace-otlp-proto';
import type * as Instrumentation from '@opentelemetry/instrumentation';
import type * as SdkMetrics from '@opentelemetry/sdk-metrics';
import type * as SdkTrace from '@opentelemetry/sdk-trace';

/**
 * The SDK packages the setup helper builds its parts from, loaded when it runs and from where
 * the app's `@opentelemetry/sdk-node` resolves them: the very copies NodeSDK uses (2.x or 3.x),
 * never a second SDK. They are optional peer dependencies, so npm installs none of its own; an
 * app that only uses `CostSpanProcessor` needs none of them.
 */
const ownRequire = createRequire(import.meta.url);

let sdkRequire: NodeJS.Require | undefined;

function requireFromSdk(): NodeJS.Require {
  if (sdkRequire) return sdkRequire;
  try {
    sdkRequire = createRequire(ownRequire.resolve('@opentelemetry/sdk-node'));
  } catch {
    sdkRequire = ownRequire; // no NodeSDK: the app's own top-level copies
  }
  return sdkRequire;
}

function load<T>(name: string): T {
  try {
    return requireFromSdk()(name) as T;
  } catch (err) {
    try {
      return ownRequire(name) as T;
    } catch {
      throw new Error(
        `otel-llm-cost: llmCostNodeSDKOptions needs ${name}, which @opentelemetry/sdk-node installs ` +
          `(npm i @opentelemetry/sdk-node): ${(err as Error).message}`,
      );
    }
  }
}

export const sdkTrace = (): typeof SdkTrace => load('@opentelemetry/sdk-trace');
export const sdkMetrics = (): typeof SdkMetrics => load('@opentelemetry/sdk-metrics');
export const exporterTraceProto = (): typeof ExporterTraceProto => load('@opentelemetry/exporter-trace-otlp-proto');
export const exporterTraceHttp = (): typeof ExporterTraceHttp => load('@opentelemetry/exporter-trace-otlp-http');
export const exporterTraceGrpc = (): typeof ExporterTraceGrpc => load('@opentelemetry/exporter-trace-otlp-grpc');
export const exporterMetricsProto = (): typeof ExporterMetricsProto =>
  load('@opentelemetry/exporter-metrics-otlp-proto');
export const exporterMetricsHttp = (): typeof ExporterMetricsHttp => load('@opentelemetry/exporter-metrics-otlp-http');
export const exporterMetricsGrpc = (): typeof ExporterMetricsGrpc => load('@opentelemetry/exporter-metrics-otlp-grpc');
export const instrumentation = (): typeof Instrumentation => load('@opentelemetry/instrumentation');
