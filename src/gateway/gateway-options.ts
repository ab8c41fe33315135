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
