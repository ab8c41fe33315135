/**
 * `llm-cost serve` as a user runs it: a child process, flags and environment, cost metrics
 * exported over OTLP under the originating service's `service.name`, its own metrics, TLS, and a
 * graceful SIGTERM that forwards everything it accepted before exiting.
 */
import { OTLPTraceExporter as OTLPProtoTraceExporter } from '@opentelemetry/exporter-trace-otlp-proto';
import { execFileSync } from 'node:child_process';
import { mkdtempSync, readFileSync } from 'node:fs';
import { request } from 'node:https';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeAll, describe, expect, it } from 'vitest';
import { startOtlpReceiver, type OtlpReceiver } from '../support/otlp-receiver.js';
import { sendWorkload } from './helpers.js';
import { CLI, ensureBuilt, startServe, type ServeProcess } from './serve-process.js';

let upstream: OtlpReceiver | undefined;
let serve: ServeProcess | undefined;

beforeAll(() => ensureBuilt(), 120_000);
async function startReceiver(): Promise<OtlpReceiver> {
  upstream = await startOtlpReceiver();
  return upstream;
}
afterEach(async () => {
  if (serve && serve.child.exitCode === null) serve.child.kill('SIGKILL');
  serve = undefined;
  await upstream?.close();
  upstream = undefined;
});

describe('llm-cost serve (process)', () => {
  it('prices spans, exports cost metrics under the app service.name and its own, drains on SIGTERM', async () => {
    const upstream = await startReceiver();
    serve = await startServe(
      [
        '--http',
        '127.0.0.1:0',
        '--grpc',
        '127.0.0.1:0',
        '--upstream-protocol',
        'http/json',
        '--metrics-interval',
        '300',
      ],
      {
        OTEL_EXPORTER_OTLP_ENDPOINT: upstream.url,
        OTEL_EXPORTER_OTLP_HEADERS: 'x-tenant=acme',
      },
    );
    expect(serve.httpPort).toBeGreaterThan(0);
    expect(serve.grpcPort).toBeGreaterThan(0);
    await sendWorkload(
      new OTLPProtoTraceExporter({ url: `http://127.0.0.1:${serve.httpPort}/v1/traces` }),
      [],
      'billing-app',
    );
    await upstream.waitFor((r) => r.spans().length === 5, 15_000);
    expect(upstream.spans().find((s) => s.name === 'chat gpt-4o')?.attributes['gen_ai.usage.cost_usd']).toBeGreaterThan(
      0,
    );

    await upstream.waitFor(
      (r) =>
        r.metrics().some((m) => m.name === 'gen_ai.usage.cost' && m.resource['service.name'] === 'billing-app') &&
        r.metrics().some((m) => m.name === 'llm_cost.gateway.spans.received'),
      15_000,
    );
    const cost = upstream
      .metrics()
      .filter((m) => m.name === 'gen_ai.usage.cost' && m.resource['service.name'] === 'billing-app')
      .at(-1)!;
    // Two priced calls (gpt-4o, claude); the unknown model is counted as unpriced instead.
    expect(cost.dataPoints.reduce((n, p) => n + (p.count ?? 0), 0)).toBe(2);
    const received = upstream
      .metrics()
      .filter((m) => m.name === 'llm_cost.gateway.spans.received')
      .at(-1)!;
    expect(received.resource['service.name']).toBe('llm-cost-gateway');
    expect(received.dataPoints[0]!.value).toBe(5);

    // Accept a batch, then SIGTERM at once: it must still be forwarded before the process exits.
    const before = upstream.spans().length;
    await sendWorkload(
      new OTLPProtoTraceExporter({ url: `http://127.0.0.1:${serve.httpPort}/v1/traces` }),
      [],
      'billing-app',
    );
    serve.child.kill('SIGTERM');
    expect(await serve.exited).toBe(0);
    expect(serve.stdout()).toMatch(/stopped/);
    expect(upstream.spans().length).toBe(before + 5);
  }, 60_000);

  it('rejects bad flags with a usage message', () => {
    const run = (args: string[]) => {
      try {
        execFileSync(process.execPath, [CLI, 'serve', ...args], {
          env: { PATH: process.env.PATH ?? '' },
          stdio: 'pipe',
        });
        return { code: 0, stderr: '' };
      } catch (err) {
        const e = err as { status: number; stderr: Buffer };
        return { code: e.status, stderr: e.stderr.toString() };
      }
    };
    expect(run([])).toMatchObject({ code: 1, stderr: expect.stringMatching(/--upstream URL .* is required/) });
    expect(run(['--upstream', 'http://127.0.0.1:1', '--upstream-protocol', 'thrift'])).toMatchObject({
      code: 1,
      stderr: expect.stringMatching(/--upstream-protocol must be/),
    });
    expect(run(['--upstream', 'http://127.0.0.1:1', '--http', 'nohost'])).toMatchObject({
      code: 1,
      stderr: expect.stringMatching(/--http: expected HOST:PORT/),
    });
  });

  it('TLS and a bearer token on the receivers', async () => {
    const upstream = await startReceiver();
    const dir = mkdtempSync(join(tmpdir(), 'gw-tls-'));
    const cert = join(dir, 'cert.pem');
    const key = join(dir, 'key.pem');
    execFileSync(
      'openssl',
      [
        'req',
        '-x509',
        '-newkey',
        'rsa:2048',
        '-nodes',
        '-keyout',
        key,
        '-out',
        cert,
        '-days',
        '1',
        '-subj',
        '/CN=127.0.0.1',
        '-addext',
        'subjectAltName=IP:127.0.0.1',
      ],
      { stdio: 'ignore' },
    );
    serve = await startServe(
      [
        '--http',
        '127.0.0.1:0',
        '--grpc',
        'off',
        '--upstream',
        upstream.url,
        '--upstream-protocol',
        'http/json',
        '--tls-cert',
        cert,
        '--tls-key',
        key,
      ],
      {
        OTEL_LLM_COST_SERVE_TOKEN: 'tok',
      },
    );
    expect(serve.grpcPort).toBeUndefined();
    const post = (auth: string | undefined) =>
      new Promise<number>((resolve, reject) => {
        const body = JSON.stringify({ resourceSpans: [] });
        const req = request(
          {
            host: '127.0.0.1',
            port: serve!.httpPort,
            path: '/v1/traces',
            method: 'POST',
            ca: readFileSync(cert),
            headers: { 'content-type': 'application/json', ...(auth ? { authorization: auth } : {}) },
          },
          (res) => {
            res.resume();
            resolve(res.statusCode ?? 0);
          },
        );
        req.on('error', reject);
        req.end(body);
      });
    expect(await post(undefined)).toBe(401);
    expect(await post('Bearer tok')).toBe(200);
    serve.child.kill('SIGTERM');
    expect(await serve.exited).toBe(0);
  }, 60_000);
});
