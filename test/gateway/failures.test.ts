/**
 * What `llm-cost serve` answers when things go wrong: malformed bodies (400 with a short reason,
 * the process unaffected), refusals the sender retries (queue full: HTTP 429 + Retry-After, gRPC
 * UNAVAILABLE), an upstream that is down for a while (retried, nothing lost), bearer token,
 * health endpoints, and logs/metrics passed through untouched.
 */
import * as grpc from '@grpc/grpc-js';
import { OTLPTraceExporter as OTLPHttpJsonTraceExporter } from '@opentelemetry/exporter-trace-otlp-http';
import { OTLPTraceExporter as OTLPProtoTraceExporter } from '@opentelemetry/exporter-trace-otlp-proto';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { gzipSync } from 'node:zlib';
import { afterEach, describe, expect, it } from 'vitest';
import { startOtlpReceiver } from '../support/otlp-receiver.js';
import { sendWorkload, startGateway } from './helpers.js';

const cleanup: Array<() => Promise<unknown>> = [];
afterEach(async () => {
  while (cleanup.length > 0) await cleanup.pop()!().catch(() => undefined);
});

async function setup(options: Parameters<typeof startGateway>[0] extends infer O ? Partial<O> : never = {}) {
  const upstream = await startOtlpReceiver();
  cleanup.push(() => upstream.close());
  const started = await startGateway({ upstream: upstream.url, ...options });
  cleanup.push(() => started.gateway.shutdown());
  return { upstream, ...started };
}

/** A valid OTLP/JSON trace request with `n` plain spans of trace `traceHex`. */
function jsonTraces(n: number, traceHex = '0af7651916cd43dd8448eb211c80319c'): string {
  const spans = Array.from({ length: n }, (_, i) => ({
    traceId: traceHex,
    spanId: (i + 1).toString(16).padStart(16, '0'),
    name: `span ${i}`,
    kind: 1,
    startTimeUnixNano: '1760000000000000000',
    endTimeUnixNano: '1760000000500000000',
    attributes: [{ key: 'i', value: { intValue: String(i) } }],
  }));
  return JSON.stringify({
    resourceSpans: [{ resource: { attributes: [] }, scopeSpans: [{ scope: { name: 's' }, spans }] }],
  });
}

async function post(
  url: string,
  body: string | Uint8Array,
  headers: Record<string, string>,
): Promise<{ status: number; text: string; headers: Headers }> {
  const res = await fetch(url, { method: 'POST', body, headers });
  return { status: res.status, text: await res.text(), headers: res.headers };
}

describe('malformed requests: 400 with a short reason, the gateway unaffected', () => {
  const cases: Array<[string, string | Uint8Array, Record<string, string>, number, RegExp]> = [
    [
      'garbage protobuf',
      Buffer.from([0x0a, 0xff, 0xff, 0xff, 0xff, 0x0f, 0x01]),
      { 'content-type': 'application/x-protobuf' },
      400,
      /invalid protobuf/,
    ],
    [
      'truncated protobuf',
      Buffer.from([0x0a, 0x10, 0x12, 0x0e, 0x12, 0x0c]),
      { 'content-type': 'application/x-protobuf' },
      400,
      /invalid protobuf/,
    ],
    ['bad JSON', '{"resourceSpans": [', { 'content-type': 'application/json' }, 400, /invalid JSON/],
    [
      'JSON of the wrong shape',
      '{"resourceSpans": 3}',
      { 'content-type': 'application/json' },
      400,
      /invalid OTLP\/JSON/,
    ],
    [
      'a trace id that is not hex',
      jsonTraces(1, 'zz'),
      { 'content-type': 'application/json' },
      400,
      /traceId must be a hex string/,
    ],
    [
      'bad gzip',
      Buffer.from('not gzip at all'),
      { 'content-type': 'application/x-protobuf', 'content-encoding': 'gzip' },
      400,
      /bad gzip body/,
    ],
    [
      'truncated gzip',
      gzipSync(Buffer.from(jsonTraces(3))).subarray(0, 20),
      { 'content-type': 'application/json', 'content-encoding': 'gzip' },
      400,
      /bad gzip body/,
    ],
    ['wrong content type', 'hello', { 'content-type': 'text/plain' }, 415, /content-type must be/],
    [
      'unknown content encoding',
      'hello',
      { 'content-type': 'application/json', 'content-encoding': 'br' },
      415,
      /unsupported content-encoding/,
    ],
  ];
  for (const [name, body, headers, status, reason] of cases) {
    it(`${name} → ${status}`, async () => {
      const { upstream, httpUrl } = await setup();
      const res = await post(`${httpUrl}/v1/traces`, body, headers);
      expect(res.status).toBe(status);
      expect(res.text).toMatch(reason);
      expect(res.text.length).toBeLessThan(300);
      // Still serving: a valid request goes through.
      const ok = await post(`${httpUrl}/v1/traces`, jsonTraces(2), { 'content-type': 'application/json' });
      expect(ok.status).toBe(200);
      await upstream.waitFor((r) => r.spans().length === 2);
    });
  }

  it('oversized bodies → 413, declared or streamed, and gzip bombs are cut at the cap', async () => {
    const { httpUrl } = await setup({ maxBodyBytes: 10_000 });
    const big = jsonTraces(200);
    expect(big.length).toBeGreaterThan(10_000);
    expect((await post(`${httpUrl}/v1/traces`, big, { 'content-type': 'application/json' })).status).toBe(413);
    // Small on the wire, large once decompressed.
    const bomb = gzipSync(Buffer.alloc(5_000_000, 0x20));
    expect(bomb.length).toBeLessThan(10_000);
    const res = await post(`${httpUrl}/v1/traces`, bomb, {
      'content-type': 'application/json',
      'content-encoding': 'gzip',
    });
    expect(res.status).toBe(413);
    expect((await fetch(`${httpUrl}/healthz`)).status).toBe(200);
  });

  it('gRPC: malformed protobuf → INVALID_ARGUMENT with the reason', async () => {
    const { addresses } = await setup();
    const client = new grpc.Client(`127.0.0.1:${addresses.grpc!.port}`, grpc.credentials.createInsecure());
    cleanup.push(async () => client.close());
    const err = await new Promise<grpc.ServiceError | null>((resolve) =>
      client.makeUnaryRequest(
        '/opentelemetry.proto.collector.trace.v1.TraceService/Export',
        (b: Buffer) => b,
        (b: Buffer) => b,
        Buffer.from([0x0a, 0xff, 0xff, 0xff, 0xff, 0x0f]),
        (e) => resolve(e),
      ),
    );
    expect(err?.code).toBe(grpc.status.INVALID_ARGUMENT);
    expect(err?.details).toMatch(/invalid protobuf/);
  });
});

describe('operations', () => {
  it('/healthz and /readyz; unknown paths 404', async () => {
    const { httpUrl, gateway } = await setup();
    expect((await fetch(`${httpUrl}/healthz`)).status).toBe(200);
    expect((await fetch(`${httpUrl}/readyz`)).status).toBe(200);
    expect((await post(`${httpUrl}/v1/nope`, '{}', { 'content-type': 'application/json' })).status).toBe(404);
    const stopping = gateway.shutdown();
    await stopping;
    await expect(fetch(`${httpUrl}/readyz`)).rejects.toThrow();
  });

  it('bearer token: required on HTTP and gRPC when set', async () => {
    const { httpUrl, grpcUrl, upstream } = await setup({ bearerToken: 's3cret' });
    const res = await post(`${httpUrl}/v1/traces`, jsonTraces(1), { 'content-type': 'application/json' });
    expect(res.status).toBe(401);
    const wrong = await post(`${httpUrl}/v1/traces`, jsonTraces(1), {
      'content-type': 'application/json',
      authorization: 'Bearer nope',
    });
    expect(wrong.status).toBe(401);
    await sendWorkload(
      new OTLPHttpJsonTraceExporter({ url: `${httpUrl}/v1/traces`, headers: { authorization: 'Bearer s3cret' } }),
    );
    await upstream.waitFor((r) => r.spans().length === 5);
    const { OTLPTraceExporter: Grpc } = await import('@opentelemetry/exporter-trace-otlp-grpc');
    const metadata = new grpc.Metadata();
    metadata.set('authorization', 'Bearer s3cret');
    await sendWorkload(new Grpc({ url: grpcUrl, metadata }));
    await upstream.waitFor((r) => r.spans().length === 10);
    // No token on gRPC: refused (the exporter gives up on UNAUTHENTICATED, nothing arrives).
    await sendWorkload(new Grpc({ url: grpcUrl })).catch(() => undefined);
    await new Promise((r) => setTimeout(r, 300));
    expect(upstream.spans()).toHaveLength(10);
  });

  it('metrics and logs pass through untouched', async () => {
    const { httpUrl, upstream } = await setup();
    const metrics = {
      resourceMetrics: [
        {
          resource: { attributes: [{ key: 'service.name', value: { stringValue: 'py-app' } }] },
          scopeMetrics: [
            {
              scope: { name: 'm' },
              metrics: [
                {
                  name: 'requests',
                  unit: '1',
                  sum: {
                    isMonotonic: true,
                    aggregationTemporality: 2,
                    dataPoints: [{ asInt: '7', timeUnixNano: '1760000000000000000' }],
                  },
                },
              ],
            },
          ],
        },
      ],
    };
    expect(
      (await post(`${httpUrl}/v1/metrics`, JSON.stringify(metrics), { 'content-type': 'application/json' })).status,
    ).toBe(200);
    await upstream.waitFor((r) => r.metricRequests.some((m) => JSON.stringify(m).includes('py-app')));
    expect(upstream.metricRequests.find((m) => JSON.stringify(m).includes('py-app'))).toEqual(metrics);
  });
});

describe('never lose a span it accepted', () => {
  it('queue full: HTTP 429 with Retry-After; the exporter retries and everything arrives', async () => {
    // An upstream that refuses everything until opened.
    const upstream = await startOtlpReceiver();
    cleanup.push(() => upstream.close());
    let open = false;
    const gate: Server = createServer((req, res) => {
      if (!open) {
        req.resume();
        res.writeHead(503).end();
        return;
      }
      const chunks: Buffer[] = [];
      req.on('data', (c: Buffer) => chunks.push(c));
      req.on('end', () => {
        void fetch(upstream.url + req.url, {
          method: 'POST',
          body: Buffer.concat(chunks),
          headers: { 'content-type': String(req.headers['content-type']) },
        }).then(
          (r) => res.writeHead(r.status).end(),
          () => res.writeHead(502).end(),
        );
      });
    });
    await new Promise<void>((r) => gate.listen(0, '127.0.0.1', r));
    cleanup.push(
      () =>
        new Promise((r) => {
          gate.closeAllConnections();
          gate.close(r);
        }),
    );
    const { httpUrl, gateway } = await startGateway({
      upstream: `http://127.0.0.1:${(gate.address() as AddressInfo).port}`,
      queueSpans: 5,
      retryAfterSeconds: 1,
      initialBackoffMs: 50,
    });
    cleanup.push(() => gateway.shutdown());

    // Fill the queue: 5 spans accepted, the next request is refused with Retry-After.
    expect((await post(`${httpUrl}/v1/traces`, jsonTraces(5), { 'content-type': 'application/json' })).status).toBe(
      200,
    );
    const refused = await post(`${httpUrl}/v1/traces`, jsonTraces(1, '1af7651916cd43dd8448eb211c80319c'), {
      'content-type': 'application/json',
    });
    expect(refused.status).toBe(429);
    expect(refused.headers.get('retry-after')).toBe('1');

    // A real exporter hits the full queue, is told to retry, and retries until the upstream is back.
    const sending = sendWorkload(new OTLPProtoTraceExporter({ url: `${httpUrl}/v1/traces`, timeoutMillis: 20_000 }));
    await new Promise((r) => setTimeout(r, 1500));
    expect(upstream.spans()).toHaveLength(0);
    open = true;
    await sending;
    await upstream.waitFor((r) => r.spans().length === 10, 20_000);
    const names = upstream.spans().map((s) => s.name);
    expect(names.filter((n) => n.startsWith('span '))).toHaveLength(5);
    expect(names).toContain('chat gpt-4o');
    expect(new Set(upstream.spans().map((s) => s.spanId + s.traceId)).size).toBe(10);
  }, 40_000);

  it('upstream down, then back: accepted spans are retried and delivered once', async () => {
    // Reserve a port, then close it: the upstream is "down" until a receiver listens there.
    const probe = createServer();
    await new Promise<void>((r) => probe.listen(0, '127.0.0.1', r));
    const port = (probe.address() as AddressInfo).port;
    await new Promise((r) => probe.close(r));
    const { httpUrl, gateway } = await startGateway({
      upstream: `http://127.0.0.1:${port}`,
      initialBackoffMs: 100,
      maxBackoffMs: 500,
    });
    cleanup.push(() => gateway.shutdown());
    for (let i = 0; i < 10; i++) {
      const traceHex = (i + 1).toString(16).padStart(32, '0');
      expect(
        (await post(`${httpUrl}/v1/traces`, jsonTraces(10, traceHex), { 'content-type': 'application/json' })).status,
      ).toBe(200);
    }
    expect(gateway.queuedSpans).toBe(100);
    await new Promise((r) => setTimeout(r, 1000));
    // Back: a receiver on the same port.
    const received: unknown[] = [];
    const back = createServer((req, res) => {
      const chunks: Buffer[] = [];
      req.on('data', (c: Buffer) => chunks.push(c));
      req.on('end', () => {
        received.push(JSON.parse(Buffer.concat(chunks).toString()));
        res.writeHead(200).end('{}');
      });
    });
    await new Promise<void>((r) => back.listen(port, '127.0.0.1', r));
    cleanup.push(
      () =>
        new Promise((r) => {
          back.closeAllConnections();
          back.close(r);
        }),
    );
    const deadline = Date.now() + 20_000;
    while (gateway.queuedSpans > 0 && Date.now() < deadline) await new Promise((r) => setTimeout(r, 50));
    expect(gateway.queuedSpans).toBe(0);
    const spans = (
      received as Array<{
        resourceSpans: Array<{ scopeSpans: Array<{ spans: Array<{ traceId: string; spanId: string }> }> }>;
      }>
    ).flatMap((r) => r.resourceSpans.flatMap((rs) => rs.scopeSpans.flatMap((ss) => ss.spans)));
    expect(spans).toHaveLength(100);
    expect(new Set(spans.map((s) => s.traceId + s.spanId)).size).toBe(100);
  }, 40_000);

  it('gRPC, queue full: UNAVAILABLE (a code every OTLP exporter retries)', async () => {
    // A one-span queue and 20 concurrent 3-span requests: the first fills it, others find it full.
    const { addresses } = await setup({ queueSpans: 1 });
    const client = new grpc.Client(`127.0.0.1:${addresses.grpc!.port}`, grpc.credentials.createInsecure());
    cleanup.push(async () => client.close());
    const { ExportTraceServiceRequestType } = await import('../../src/gateway/otlp-trace-schema.js');
    const { decodeTraceRequest } = await import('../../src/gateway/trace-codec.js');
    const body = Buffer.from(
      ExportTraceServiceRequestType.encode(decodeTraceRequest(Buffer.from(jsonTraces(3)), 'json') as never).finish(),
    );
    const call = () =>
      new Promise<grpc.ServiceError | null>((resolve) =>
        client.makeUnaryRequest(
          '/opentelemetry.proto.collector.trace.v1.TraceService/Export',
          (b: Buffer) => b,
          (b: Buffer) => b,
          body,
          (e) => resolve(e),
        ),
      );
    const results = await Promise.all(Array.from({ length: 20 }, call));
    const codes = new Set(results.map((e) => e?.code ?? grpc.status.OK));
    expect(codes.has(grpc.status.OK)).toBe(true);
    expect(codes.has(grpc.status.UNAVAILABLE)).toBe(true);
    expect(results.find((e) => e?.code === grpc.status.UNAVAILABLE)?.details).toMatch(/queue full/);
  });
});
