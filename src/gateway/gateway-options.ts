import { DEFAULT_MAX_PENDING_ROLLUPS } from '../core/enrichment-options.js';
import { integerOption, isPositiveNumber, positiveNumberOption } from '../options.js';
import type { PriceSourceOptions } from '../sources/config.js';
import type { InputAccountingOverrides } from '../conventions/input-accounting.js';
import type { UpstreamProtocol } from './upstream-client.js';

/** Options of `LlmCostGateway` (`llm-cost serve`). */
export interface LlmCostGatewayOptions {
  /** OTLP/HTTP receiver `HOST:PORT` (port 0: any free port), or `'off'`. Default: `127.0.0.1:4318`. */
  http?: string;
  /** OTLP/gRPC receiver `HOST:PORT`, or `'off'`. Default: `127.0.0.1:4317`. */
  grpc?: string;
  /** Where enriched spans (and passed-through metrics and logs) go: a base URL. Required. */
  upstream: string;
  /** Default: `'http/protobuf'`. */
  upstreamProtocol?: UpstreamProtocol;
  /** Headers sent to the upstream (gRPC: metadata). Default: none. */
  upstreamHeaders?: Record<string, string>;
  /** Time limit of one upstream send, ms. Default: `10000`. */
  upstreamTimeoutMs?: number;
  /** Price sources, as for the processor. Default: from the `OTEL_LLM_COST_*` environment. */
  pricing?: PriceSourceOptions;
  /** As `CostSpanProcessorOptions.inputAccounting`. Default: none. */
  inputAccounting?: InputAccountingOverrides;
  /** Write `gen_ai.cost.rollup_usd` on ancestors. Default: `true`. */
  rollup?: boolean;
  /** Spans waiting for descendants' cost. Default: `10000`. */
  maxPendingRollups?: number;
  /** Price and annotate spans; `false` makes a pure pass-through (decode + encode), for benchmarks. Default: `true`. */
  enrich?: boolean;
  /** The queue bound, in spans accepted and not yet forwarded. Default: `100000`. */
  queueSpans?: number;
  /** The queue bound, in encoded bytes. Default: `268435456` (256 MiB). */
  queueBytes?: number;
  /** Largest request body, compressed or not (HTTP 413 / gRPC message limit). Default: `8388608` (8 MiB). */
  maxBodyBytes?: number;
  /** Required as `Authorization: Bearer <token>` on every receiver request when set. Default: none. */
  bearerToken?: string;
  /** PEM certificate and key files: both receivers then speak TLS. Default: plaintext. */
  tlsCertFile?: string;
  tlsKeyFile?: string;
  /** Requests sent to the upstream at once. Default: `4`. */
  concurrency?: number;
  /** A request the upstream keeps refusing is dropped this long after it was accepted, ms. Default: `300000`. */
  maxRetryElapsedMs?: number;
  /** First retry delay, ms (doubles up to `maxBackoffMs`). Default: `500`. */
  initialBackoffMs?: number;
  /** Longest retry delay, ms. Default: `30000`. */
  maxBackoffMs?: number;
  /** Seconds a sender is asked to wait (`Retry-After`) when the queue is full. Default: `5`. */
  retryAfterSeconds?: number;
  /** Metric export interval, ms. Default: `OTEL_METRIC_EXPORT_INTERVAL`, else `60000`. */
  metricsIntervalMs?: number;
  /** Distinct `service.name`s with their own cost metrics. Default: `100`. */
  maxServices?: number;
  /** On shutdown, how long the queue may take to drain, ms. Default: `20000`. */
  shutdownTimeoutMs?: number;
}

/** The gateway's numeric options, defaults applied and each value checked. */
export interface GatewayLimits {
  maxBodyBytes: number;
  retryAfterSeconds: number;
  queueSpans: number;
  queueBytes: number;
  maxPendingRollups: number;
  upstreamTimeoutMs: number;
  concurrency: number;
  initialBackoffMs: number;
  maxBackoffMs: number;
  maxRetryElapsedMs: number;
  metricsIntervalMs: number;
  maxServices: number;
  shutdownTimeoutMs: number;
}

/**
 * The numeric options through the shared option checks (`src/options.ts`): a bad value (not a
 * whole number, or out of range) is replaced by the default with one warning naming the option,
 * as for every other component. `llm-cost serve` refuses a bad flag before it gets here.
 */
export function gatewayLimits(options: LlmCostGatewayOptions): GatewayLimits {
  const count = (key: keyof GatewayLimits, fallback: number, min = 1): number =>
    integerOption(options[key], `LlmCostGatewayOptions.${key}`, fallback, min);
  return {
    maxBodyBytes: count('maxBodyBytes', 8 * 1024 * 1024),
    retryAfterSeconds: count('retryAfterSeconds', 5, 0),
    queueSpans: count('queueSpans', 100_000),
    queueBytes: count('queueBytes', 256 * 1024 * 1024),
    maxPendingRollups: count('maxPendingRollups', DEFAULT_MAX_PENDING_ROLLUPS),
    upstreamTimeoutMs: count('upstreamTimeoutMs', 10_000),
    concurrency: count('concurrency', 4),
    initialBackoffMs: count('initialBackoffMs', 500),
    maxBackoffMs: count('maxBackoffMs', 30_000),
    maxRetryElapsedMs: count('maxRetryElapsedMs', 300_000, 0),
    metricsIntervalMs:
      positiveNumberOption(options.metricsIntervalMs, 'LlmCostGatewayOptions.metricsIntervalMs', undefined) ??
      envExportInterval() ??
      60_000,
    maxServices: count('maxServices', 100),
    shutdownTimeoutMs: count('shutdownTimeoutMs', 20_000, 0),
  };
}

/** `OTEL_METRIC_EXPORT_INTERVAL` when it is a positive number of ms (the SDK's reading). */
function envExportInterval(): number | undefined {
  const raw = process.env.OTEL_METRIC_EXPORT_INTERVAL;
  const value = raw === undefined ? NaN : Number(raw);
  return isPositiveNumber(value) ? value : undefined;
}
