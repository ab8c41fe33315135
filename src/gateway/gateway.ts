import { warn } from '../diag.js';
import type { Server as GrpcServer } from '@grpc/grpc-js';
import { randomUUID } from 'node:crypto';
import type { Server as HttpServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { performance } from 'node:perf_hooks';
import { CostRollup } from '../core/cost-rollup.js';
import { assemblePricing } from '../core/assemble-pricing.js';
import type { PriceBookHandle } from '../sources/price-source.js';
import { ExportQueue, type QueuedRequest } from './export-queue.js';
import { Forwarder } from './forwarder.js';
import { GatewayMetrics } from './gateway-metrics.js';
import { gatewayLimits, type GatewayLimits, type LlmCostGatewayOptions } from './gateway-options.js';
import { bindGrpc, createGrpcReceiver } from './grpc-receiver.js';
import { createHttpReceiver } from './http-receiver.js';
import type { IncomingExport, Ingest, IngestResult } from './ingest.js';
import { countSpans, decodeTraceRequest, encodeTraceRequest, MalformedRequestError } from './trace-codec.js';
import { TraceEnricher } from './trace-enricher.js';
import { createUpstreamClient, type UpstreamProtocol } from './upstream-client.js';

/** Where the receivers listen once started (`undefined`: turned off). */
export interface GatewayAddresses {
  http?: { host: string; port: number };
  grpc?: { host: string; port: number };
}

/**
 * `llm-cost serve`: receives OTLP, prices LLM spans with the processor's core, and forwards
 * them through a bounded queue to the upstream. See docs/gateway.md.
 */
export class LlmCostGateway implements Ingest {
  readonly bearerToken: string | undefined;
  readonly maxBodyBytes: number;
  readonly retryAfterSeconds: number;
  private readonly _options: LlmCostGatewayOptions;
  private readonly _limits: GatewayLimits;
  private readonly _protocol: UpstreamProtocol;
  private readonly _upstreamEncoding: 'protobuf' | 'json';
  private readonly _priceBook: PriceBookHandle;
  private readonly _enricher: TraceEnricher | undefined;
  private readonly _queue: ExportQueue;
  private readonly _metrics: GatewayMetrics;
  private readonly _forwarder: Forwarder;
  private _http: HttpServer | undefined;
  private _grpc: GrpcServer | undefined;
  private _pricesReady = false;
  private _listening = false;
  private _stopping = false;
  private _shutdownPromise: Promise<void> | undefined;

  constructor(options: LlmCostGatewayOptions) {
    this._options = options;
    const limits = gatewayLimits(options);
    this._limits = limits;
    this._protocol = options.upstreamProtocol ?? 'http/protobuf';
    this._upstreamEncoding = this._protocol === 'http/json' ? 'json' : 'protobuf';
    this.bearerToken = options.bearerToken;
    this.maxBodyBytes = limits.maxBodyBytes;
    this.retryAfterSeconds = limits.retryAfterSeconds;
    this._queue = new ExportQueue(limits.queueSpans, limits.queueBytes);
    this._metrics = new GatewayMetrics({
      queue: this._queue,
      encoding: this._upstreamEncoding,
      exportIntervalMs: limits.metricsIntervalMs,
      maxServices: limits.maxServices,
      resource: { 'service.instance.id': randomUUID() },
    });
    const { settings, priceBook } = assemblePricing({
      pricing: options.pricing,
      inputAccounting: options.inputAccounting,
    });
    // Without `priceBook` in the options, assemblePricing always builds one.
    this._priceBook = priceBook!;
    if (options.enrich ?? true) {
      this._enricher = new TraceEnricher({
        settings,
        rollup: (options.rollup ?? true) ? new CostRollup(limits.maxPendingRollups) : undefined,
        recorderFor: (service) => this._metrics.recorderFor(service),
      });
    }
    const metrics = this._metrics;
    this._forwarder = new Forwarder(
      this._queue,
      createUpstreamClient({
        url: options.upstream,
        protocol: this._protocol,
        headers: options.upstreamHeaders ?? {},
        timeoutMs: limits.upstreamTimeoutMs,
      }),
      {
        concurrency: limits.concurrency,
        initialBackoffMs: limits.initialBackoffMs,
        maxBackoffMs: limits.maxBackoffMs,
        maxElapsedMs: limits.maxRetryElapsedMs,
      },
      {
        forwarded: (r) => r.spans > 0 && metrics.forwarded.add(r.spans),
        dropped: (r, reason) => {
          if (r.spans > 0) metrics.dropped.add(r.spans, { reason: reason.split(' (', 1)[0] });
          warn(`llm-cost serve dropped a ${r.signal} request (${r.spans} spans): ${reason}`);
        },
        upstreamError: (_r, reason) => metrics.upstreamErrors.add(1, { reason }),
      },
    );
  }

  /** Starts the forwarder and the receivers; resolves with the addresses bound. */
  async start(): Promise<GatewayAddresses> {
    void this._priceBook.ready().then(() => {
      this._pricesReady = true;
    });
    this._forwarder.start();
    const addresses: GatewayAddresses = {};
    const tls =
      this._options.tlsCertFile !== undefined && this._options.tlsKeyFile !== undefined
        ? { certFile: this._options.tlsCertFile, keyFile: this._options.tlsKeyFile }
        : undefined;
    const http = this._options.http ?? '127.0.0.1:4318';
    if (http !== 'off') {
      const { host, port } = splitHostPort(http);
      this._http = createHttpReceiver(this, tls);
      await new Promise<void>((resolve, reject) => {
        this._http!.once('error', reject);
        this._http!.listen(port, host, () => resolve());
      });
      addresses.http = { host, port: (this._http.address() as AddressInfo).port };
    }
    const grpcAddress = this._options.grpc ?? '127.0.0.1:4317';
    if (grpcAddress !== 'off') {
      const { host, port } = splitHostPort(grpcAddress);
      this._grpc = createGrpcReceiver(this);
      const bound = await bindGrpc(this._grpc, `${host.includes(':') ? `[${host}]` : host}:${port}`, tls);
      addresses.grpc = { host, port: bound };
    }
    this._listening = true;
    return addresses;
  }

  /** Resolves once the price tables have loaded (or failed to, leaving the embedded prices). */
  ready(): Promise<void> {
    return this._priceBook.ready();
  }

  isReady(): boolean {
    return this._pricesReady && this._listening && !this._stopping;
  }

  /** Spans accepted and not yet forwarded. */
  get queuedSpans(): number {
    return this._queue.spans;
  }

  refused(reason: string): void {
    this._metrics.refused.add(1, { reason });
  }

  ingest(request: IncomingExport): IngestResult {
    if (this._stopping) {
      this.refused('shutting_down');
      return { kind: 'unavailable', reason: 'shutting down' };
    }
    if (!this._queue.hasRoom()) {
      this.refused('queue_full');
      return { kind: 'full' };
    }
    const queued: QueuedRequest = {
      signal: request.signal,
      encoding: request.encoding,
      body: request.body,
      spans: 0,
      acceptedAt: Date.now(),
    };
    if (request.signal !== 'traces') {
      // Metrics and logs pass through as they came; OTLP/JSON has no gRPC form to forward as.
      if (request.encoding === 'json' && this._protocol === 'grpc') {
        this.refused('unsupported');
        return {
          kind: 'unsupported',
          reason: `OTLP/JSON ${request.signal} cannot be forwarded to a gRPC upstream; send protobuf`,
        };
      }
      this._queue.push(queued);
      return { kind: 'accepted' };
    }
    const started = performance.now();
    let decoded;
    try {
      decoded = decodeTraceRequest(request.body, request.encoding);
    } catch (err) {
      if (!(err instanceof MalformedRequestError)) throw err;
      this.refused('invalid');
      return { kind: 'invalid', reason: err.message };
    }
    queued.spans = countSpans(decoded);
    // Nothing to forward (an empty request, as some exporters send to probe the endpoint).
    if (queued.spans === 0) return { kind: 'accepted' };
    this._enricher?.enrich(decoded);
    queued.encoding = this._upstreamEncoding;
    queued.body = encodeTraceRequest(decoded, this._upstreamEncoding);
    this._metrics.enrichDuration.record((performance.now() - started) / 1000);
    this._queue.push(queued);
    if (queued.spans > 0) this._metrics.received.add(queued.spans);
    return { kind: 'accepted' };
  }

  /**
   * Graceful stop: refuses new requests (503 / UNAVAILABLE), closes the receivers, exports the
   * metrics once more, and drains the queue to the upstream for at most `shutdownTimeoutMs`.
   * Idempotent.
   */
  shutdown(): Promise<void> {
    this._shutdownPromise ??= this._shutdown();
    return this._shutdownPromise;
  }

  private async _shutdown(): Promise<void> {
    const deadline = Date.now() + this._limits.shutdownTimeoutMs;
    this._stopping = true;
    const closing: Promise<void>[] = [];
    if (this._http !== undefined) {
      const http = this._http;
      closing.push(new Promise((resolve) => http.close(() => resolve())));
      http.closeIdleConnections();
    }
    if (this._grpc !== undefined) {
      const grpc = this._grpc;
      closing.push(new Promise((resolve) => grpc.tryShutdown(() => resolve())));
    }
    await Promise.race([Promise.all(closing), sleep(Math.max(0, deadline - Date.now()))]);
    this._http?.closeAllConnections();
    this._grpc?.forceShutdown();
    await this._metrics.shutdown();
    await this._forwarder.drain(deadline);
    await this._priceBook.shutdown();
  }
}

function sleep(ms: number): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, ms).unref());
}

/** `HOST:PORT`, `[v6]:PORT` or `:PORT` (all interfaces). */
export function splitHostPort(value: string): { host: string; port: number } {
  const match = /^(?:\[([^\]]+)\]|([^:]*)):(\d+)$/.exec(value.trim());
  if (match === null) throw new Error(`expected HOST:PORT, got ${JSON.stringify(value)}`);
  const port = Number(match[3]);
  if (port > 65535) throw new Error(`port out of range in ${JSON.stringify(value)}`);
  const host = match[1] ?? match[2] ?? '';
  return { host: host === '' ? '0.0.0.0' : host, port };
}
