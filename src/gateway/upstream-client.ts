import * as grpc from '@grpc/grpc-js';
import type { QueuedRequest } from './export-queue.js';

/** How the gateway talks to its upstream. */
export type UpstreamProtocol = 'http/protobuf' | 'http/json' | 'grpc';

/** The outcome of one send. */
export type SendResult =
  | { ok: true }
  /** Try again later (network error, 429/502/503/504, gRPC UNAVAILABLE …); `retryAfterMs` if the upstream said. */
  | { ok: false; retryable: true; reason: string; retryAfterMs?: number }
  | { ok: false; retryable: false; reason: string };

export interface UpstreamClient {
  send(request: QueuedRequest): Promise<SendResult>;
  close(): void;
}

const HTTP_PATHS = { traces: '/v1/traces', metrics: '/v1/metrics', logs: '/v1/logs' } as const;
const GRPC_METHODS = {
  traces: '/opentelemetry.proto.collector.trace.v1.TraceService/Export',
  metrics: '/opentelemetry.proto.collector.metrics.v1.MetricsService/Export',
  logs: '/opentelemetry.proto.collector.logs.v1.LogsService/Export',
} as const;
/** OTLP/HTTP: these statuses mean "retry later" (OTLP specification, failures). */
const RETRYABLE_HTTP = new Set([429, 502, 503, 504]);
/** OTLP/gRPC retryable codes (OTLP specification; RESOURCE_EXHAUSTED as the JS and Go exporters do). */
const RETRYABLE_GRPC = new Set([
  grpc.status.CANCELLED,
  grpc.status.DEADLINE_EXCEEDED,
  grpc.status.RESOURCE_EXHAUSTED,
  grpc.status.ABORTED,
  grpc.status.OUT_OF_RANGE,
  grpc.status.UNAVAILABLE,
  grpc.status.DATA_LOSS,
]);

export interface UpstreamClientOptions {
  /** Base URL: `http(s)://host:port[/prefix]`; signal paths (`/v1/traces`) are appended for HTTP. */
  url: string;
  protocol: UpstreamProtocol;
  headers: Record<string, string>;
  timeoutMs: number;
}

export function createUpstreamClient(options: UpstreamClientOptions): UpstreamClient {
  return options.protocol === 'grpc' ? new GrpcUpstream(options) : new HttpUpstream(options);
}

class HttpUpstream implements UpstreamClient {
  private readonly _base: string;

  constructor(private readonly _options: UpstreamClientOptions) {
    this._base = _options.url.replace(/\/+$/, '');
  }

  async send(request: QueuedRequest): Promise<SendResult> {
    const contentType = request.encoding === 'json' ? 'application/json' : 'application/x-protobuf';
    let response: Response;
    try {
      response = await fetch(this._base + HTTP_PATHS[request.signal], {
        method: 'POST',
        headers: { ...this._options.headers, 'content-type': contentType },
        body: request.body,
        signal: AbortSignal.timeout(this._options.timeoutMs),
      });
    } catch (err) {
      return { ok: false, retryable: true, reason: `network: ${causeOf(err)}` };
    }
    // Drain the body so the connection is reused.
    await response.arrayBuffer().catch(() => undefined);
    if (response.ok) return { ok: true };
    const reason = `HTTP ${response.status}`;
    if (!RETRYABLE_HTTP.has(response.status)) return { ok: false, retryable: false, reason };
    const retryAfterMs = parseRetryAfter(response.headers.get('retry-after'));
    return retryAfterMs === undefined
      ? { ok: false, retryable: true, reason }
      : { ok: false, retryable: true, reason, retryAfterMs };
  }

  close(): void {}
}

class GrpcUpstream implements UpstreamClient {
  private readonly _client: grpc.Client;
  private readonly _metadata: grpc.Metadata;

  constructor(private readonly _options: UpstreamClientOptions) {
    const url = new URL(_options.url);
    const credentials = url.protocol === 'https:' ? grpc.credentials.createSsl() : grpc.credentials.createInsecure();
    this._client = new grpc.Client(url.host, credentials);
    this._metadata = new grpc.Metadata();
    for (const [key, value] of Object.entries(_options.headers)) this._metadata.set(key.toLowerCase(), value);
  }

  send(request: QueuedRequest): Promise<SendResult> {
    return new Promise((resolve) => {
      this._client.makeUnaryRequest<Uint8Array, Buffer>(
        GRPC_METHODS[request.signal],
        (body) => Buffer.from(body.buffer, body.byteOffset, body.byteLength),
        (bytes) => bytes,
        request.body,
        this._metadata.clone(),
        { deadline: Date.now() + this._options.timeoutMs },
        (err) => {
          if (err === null) return resolve({ ok: true });
          const reason = `gRPC ${grpc.status[err.code] ?? err.code}`;
          resolve(
            RETRYABLE_GRPC.has(err.code)
              ? { ok: false, retryable: true, reason }
              : { ok: false, retryable: false, reason },
          );
        },
      );
    });
  }

  close(): void {
    this._client.close();
  }
}

/** `Retry-After`: delay in seconds or an HTTP date. */
export function parseRetryAfter(value: string | null): number | undefined {
  if (value === null) return undefined;
  if (/^\d+$/.test(value.trim())) return Number(value.trim()) * 1000;
  const at = Date.parse(value);
  return Number.isNaN(at) ? undefined : Math.max(0, at - Date.now());
}

function causeOf(err: unknown): string {
  const cause = (err as { cause?: { code?: string; message?: string } }).cause;
  return cause?.code ?? cause?.message ?? (err as Error).message ?? String(err);
}
