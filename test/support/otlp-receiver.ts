/**
 * A real OTLP receiver on loopback for tests: a node:http server that accepts
 * `POST /v1/traces` and `POST /v1/metrics` the way a Collector would, and keeps what it received;
 * with `{ grpc: true }` also an OTLP/gRPC server (`TraceService/Export`, `MetricsService/Export`)
 * that stores into the same lists.
 *
 * Encodings: OTLP/JSON (`application/json`, what `-otlp-http` exporters send) and OTLP/protobuf
 * (`application/x-protobuf`, `-otlp-proto` exporters; decoded by test/support/otlp-proto.ts),
 * optionally gzip. Any other body is answered 415 and counted in `rejected`, so a test fails
 * loudly instead of waiting for data that will never decode.
 */
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { gunzipSync, inflateSync } from 'node:zlib';
import * as grpc from '@grpc/grpc-js';
import { decodeMetricsRequest, decodeTraceRequest } from './otlp-proto.js';

export type OtlpAttributes = Record<string, unknown>;

export interface ReceivedSpan {
  name: string;
  traceId: string;
  spanId: string;
  parentSpanId?: string;
  attributes: OtlpAttributes;
  resource: OtlpAttributes;
  scope: string;
}

export interface ReceivedDataPoint {
  attributes: OtlpAttributes;
  /** Sum / gauge value. */
  value?: number;
  /** Histogram fields. */
  count?: number;
  sum?: number;
  bucketCounts?: number[];
  explicitBounds?: number[];
}

export interface ReceivedMetric {
  name: string;
  unit: string;
  type: 'sum' | 'gauge' | 'histogram' | 'exponentialHistogram' | 'summary';
  isMonotonic?: boolean;
  dataPoints: ReceivedDataPoint[];
  resource: OtlpAttributes;
  scope: string;
}

export interface OtlpReceiver {
  /** Base URL, e.g. `http://127.0.0.1:43210`: use as `OTEL_EXPORTER_OTLP_ENDPOINT`. */
  readonly url: string;
  /** With `{ grpc: true }`: the gRPC endpoint, e.g. `http://127.0.0.1:43211`. */
  readonly grpcUrl?: string;
  /** How each accepted request arrived, in order: its signal and `http/json`, `http/protobuf` or `grpc`. */
  readonly arrivals: Array<{ signal: 'traces' | 'metrics'; protocol: 'http/json' | 'http/protobuf' | 'grpc' }>;
  /** Raw decoded request bodies (`ExportTraceServiceRequest` JSON). */
  readonly traceRequests: unknown[];
  /** Raw decoded request bodies (`ExportMetricsServiceRequest` JSON). */
  readonly metricRequests: unknown[];
  /** Requests refused: wrong path/method, protobuf, or undecodable JSON. */
  readonly rejected: Array<{ path: string; contentType: string; status: number }>;
  /** Every span received so far, flattened. */
  spans(): ReceivedSpan[];
  /** Every metric received so far, flattened (one entry per metric per export). */
  metrics(): ReceivedMetric[];
  /** Resolves once `predicate` holds, polling every 25 ms; rejects after `timeoutMs`. */
  waitFor(predicate: (r: OtlpReceiver) => boolean, timeoutMs?: number): Promise<void>;
  close(): Promise<void>;
}

/** Starts a receiver on 127.0.0.1 and an OS-chosen free port (two with `grpc`). */
export async function startOtlpReceiver(options: { grpc?: boolean } = {}): Promise<OtlpReceiver> {
  const traceRequests: unknown[] = [];
  const metricRequests: unknown[] = [];
  const rejected: OtlpReceiver['rejected'] = [];
  const arrivals: OtlpReceiver['arrivals'] = [];

  const server: Server = createServer((req, res) => {
    void handle(req, res).catch(() => reply(res, 500, {}));
  });

  async function handle(req: IncomingMessage, res: ServerResponse): Promise<void> {
    const path = (req.url ?? '').split('?')[0] ?? '';
    const contentType = String(req.headers['content-type'] ?? '');
    const refuse = (status: number): void => {
      rejected.push({ path, contentType, status });
      reply(res, status, { error: `otlp-receiver: ${status}` });
    };
    const body = await readBody(req);
    if (req.method !== 'POST' || (path !== '/v1/traces' && path !== '/v1/metrics')) return refuse(404);
    const json = contentType.includes('application/json');
    if (!json && !contentType.includes('application/x-protobuf')) return refuse(415);
    let decoded: unknown;
    try {
      const raw = decompress(body, String(req.headers['content-encoding'] ?? ''));
      if (json) decoded = JSON.parse(raw.toString('utf8'));
      else decoded = path === '/v1/traces' ? decodeTraceRequest(raw) : decodeMetricsRequest(raw);
    } catch {
      return refuse(400);
    }
    (path === '/v1/traces' ? traceRequests : metricRequests).push(decoded);
    arrivals.push({
      signal: path === '/v1/traces' ? 'traces' : 'metrics',
      protocol: json ? 'http/json' : 'http/protobuf',
    });
    if (!json) {
      // An empty ExportXxxServiceResponse in protobuf is zero bytes.
      res.writeHead(200, { 'Content-Type': 'application/x-protobuf' });
      res.end();
      return;
    }
    // An empty ExportXxxServiceResponse: full success.
    reply(res, 200, {});
  }

  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  const grpcServer = options.grpc ? await startGrpc(traceRequests, metricRequests, arrivals) : undefined;

  const receiver: OtlpReceiver = {
    url: `http://127.0.0.1:${port}`,
    grpcUrl: grpcServer ? `http://127.0.0.1:${grpcServer.port}` : undefined,
    arrivals,
    traceRequests,
    metricRequests,
    rejected,
    spans: () => traceRequests.flatMap(flattenSpans),
    metrics: () => metricRequests.flatMap(flattenMetrics),
    async waitFor(predicate, timeoutMs = 10_000) {
      const deadline = Date.now() + timeoutMs;
      while (!predicate(receiver)) {
        if (Date.now() > deadline) {
          throw new Error(
            `otlp-receiver: condition not met within ${timeoutMs} ms ` +
              `(${traceRequests.length} trace and ${metricRequests.length} metric requests, ` +
              `${rejected.length} rejected)`,
          );
        }
        await new Promise((r) => setTimeout(r, 25));
      }
    },
    close: async () => {
      grpcServer?.server.forceShutdown();
      await new Promise<void>((resolve, reject) => {
        server.closeAllConnections();
        server.close((err) => (err ? reject(err) : resolve()));
      });
    },
  };
  return receiver;
}

/** The two unary OTLP/gRPC services, answering an empty (zero-byte) response. */
async function startGrpc(
  traceRequests: unknown[],
  metricRequests: unknown[],
  arrivals: OtlpReceiver['arrivals'],
): Promise<{ server: grpc.Server; port: number }> {
  const server = new grpc.Server();
  const service = (path: string): grpc.ServiceDefinition => ({
    Export: {
      path,
      requestStream: false,
      responseStream: false,
      requestSerialize: (v: Buffer) => v,
      requestDeserialize: (b: Buffer) => b,
      responseSerialize: () => Buffer.alloc(0),
      responseDeserialize: (b: Buffer) => b,
    },
  });
  const handler =
    (decode: (b: Buffer) => unknown, into: unknown[]) =>
    (call: grpc.ServerUnaryCall<Buffer, Buffer>, callback: grpc.sendUnaryData<Buffer>): void => {
      try {
        into.push(decode(call.request));
        arrivals.push({ signal: into === traceRequests ? 'traces' : 'metrics', protocol: 'grpc' });
        callback(null, Buffer.alloc(0));
      } catch (err) {
        callback({ code: grpc.status.INVALID_ARGUMENT, details: String(err) });
      }
    };
  server.addService(service('/opentelemetry.proto.collector.trace.v1.TraceService/Export'), {
    Export: handler(decodeTraceRequest, traceRequests),
  });
  server.addService(service('/opentelemetry.proto.collector.metrics.v1.MetricsService/Export'), {
    Export: handler(decodeMetricsRequest, metricRequests),
  });
  const port = await new Promise<number>((resolve, reject) =>
    server.bindAsync('127.0.0.1:0', grpc.ServerCredentials.createInsecure(), (err, p) =>
      err ? reject(err) : resolve(p),
    ),
  );
  return { server, port };
}

function reply(res: ServerResponse, status: number, body: object): void {
  if (res.headersSent) return;
  res.writeHead(status, { 'Content-Type': 'application/json' });
  res.end(JSON.stringify(body));
}

function readBody(req: IncomingMessage): Promise<Buffer> {
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', () => resolve(Buffer.concat(chunks)));
    req.on('error', reject);
  });
}

function decompress(body: Buffer, encoding: string): Buffer {
  if (encoding === 'gzip') return gunzipSync(body);
  if (encoding === 'deflate') return inflateSync(body);
  return body;
}

// ── OTLP/JSON → plain objects ──

interface JsonKeyValue {
  key: string;
  value?: JsonAnyValue;
}
interface JsonAnyValue {
  stringValue?: string;
  boolValue?: boolean;
  intValue?: number | string;
  doubleValue?: number | string;
  arrayValue?: { values?: JsonAnyValue[] };
  kvlistValue?: { values?: JsonKeyValue[] };
}

/** OTLP/JSON attributes (`[{key, value: {stringValue…}}]`) → `{ key: value }`. */
export function attributesToObject(kvs: JsonKeyValue[] | undefined): OtlpAttributes {
  const out: OtlpAttributes = {};
  for (const kv of kvs ?? []) out[kv.key] = anyValue(kv.value);
  return out;
}

function anyValue(v: JsonAnyValue | undefined): unknown {
  if (v === undefined) return undefined;
  if (v.stringValue !== undefined) return v.stringValue;
  if (v.boolValue !== undefined) return v.boolValue;
  // int64 travels as a string in OTLP/JSON when it does not fit a double.
  if (v.intValue !== undefined) return Number(v.intValue);
  if (v.doubleValue !== undefined) return Number(v.doubleValue);
  if (v.arrayValue !== undefined) return (v.arrayValue.values ?? []).map(anyValue);
  if (v.kvlistValue !== undefined) return attributesToObject(v.kvlistValue.values);
  return undefined;
}

interface JsonResourceBlock<S> {
  resource?: { attributes?: JsonKeyValue[] };
  scopeSpans?: S[];
  scopeMetrics?: S[];
}

function flattenSpans(request: unknown): ReceivedSpan[] {
  const out: ReceivedSpan[] = [];
  const blocks =
    (request as { resourceSpans?: JsonResourceBlock<{ scope?: { name?: string }; spans?: any[] }>[] }).resourceSpans ??
    [];
  for (const block of blocks) {
    const resource = attributesToObject(block.resource?.attributes);
    for (const scopeSpans of block.scopeSpans ?? []) {
      for (const span of scopeSpans.spans ?? []) {
        out.push({
          name: String(span.name),
          traceId: String(span.traceId),
          spanId: String(span.spanId),
          parentSpanId: span.parentSpanId ? String(span.parentSpanId) : undefined,
          attributes: attributesToObject(span.attributes),
          resource,
          scope: scopeSpans.scope?.name ?? '',
        });
      }
    }
  }
  return out;
}

function flattenMetrics(request: unknown): ReceivedMetric[] {
  const out: ReceivedMetric[] = [];
  const blocks =
    (request as { resourceMetrics?: JsonResourceBlock<{ scope?: { name?: string }; metrics?: any[] }>[] })
      .resourceMetrics ?? [];
  for (const block of blocks) {
    const resource = attributesToObject(block.resource?.attributes);
    for (const scopeMetrics of block.scopeMetrics ?? []) {
      for (const metric of scopeMetrics.metrics ?? []) {
        const type = (['sum', 'gauge', 'histogram', 'exponentialHistogram', 'summary'] as const).find(
          (t) => metric[t] !== undefined,
        );
        if (type === undefined) continue;
        const data = metric[type];
        out.push({
          name: String(metric.name),
          unit: String(metric.unit ?? ''),
          type,
          isMonotonic: data.isMonotonic,
          dataPoints: (data.dataPoints ?? []).map((p: any): ReceivedDataPoint => ({
            attributes: attributesToObject(p.attributes),
            value: p.asDouble !== undefined ? Number(p.asDouble) : p.asInt !== undefined ? Number(p.asInt) : undefined,
            count: p.count !== undefined ? Number(p.count) : undefined,
            sum: p.sum !== undefined ? Number(p.sum) : undefined,
            bucketCounts: p.bucketCounts?.map(Number),
            explicitBounds: p.explicitBounds?.map(Number),
          })),
          resource,
          scope: scopeMetrics.scope?.name ?? '',
        });
      }
    }
  }
  return out;
}
