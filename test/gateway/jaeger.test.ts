/**
 * A real Jaeger v2 (built by .ci/tools.sh from the module proxy, run with
 * collector-config/gateway/jaeger.yaml) receives the spans `llm-cost serve` enriched, sent over
 * OTLP/HTTP protobuf; the test reads them back through Jaeger's query API.
 *
 * Needs the Jaeger binary: skipped with a message outside CI, fails under CI=true.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { join } from 'node:path';
import { OTLPTraceExporter as OTLPGrpcTraceExporter } from '@opentelemetry/exporter-trace-otlp-grpc';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { LlmCostGateway } from '../../src/gateway/gateway.js';
import { oracleTotal, sendWorkload, startGateway, T0 } from './helpers.js';
import { ROOT } from './serve-process.js';
import { freePort, JAEGER, toolAvailable, waitForPort } from './tools.js';

const available = toolAvailable(JAEGER, 'build it with .ci/tools.sh jaeger');

interface JaegerSpan {
  operationName: string;
  tags: Array<{ key: string; type: string; value: unknown }>;
}

describe.skipIf(!available)('Jaeger v2 receives the enriched spans', () => {
  let jaeger: ChildProcess;
  let log = '';
  let queryPort: number;
  let otlpHttpPort: number;
  let gateway: LlmCostGateway;
  let grpcUrl: string;

  beforeAll(async () => {
    queryPort = await freePort();
    otlpHttpPort = await freePort();
    jaeger = spawn(JAEGER, ['--config', join(ROOT, 'collector-config', 'gateway', 'jaeger.yaml')], {
      env: {
        PATH: process.env.PATH ?? '',
        JAEGER_QUERY_HTTP_ENDPOINT: `127.0.0.1:${queryPort}`,
        JAEGER_QUERY_GRPC_ENDPOINT: `127.0.0.1:${await freePort()}`,
        JAEGER_OTLP_GRPC_ENDPOINT: `127.0.0.1:${await freePort()}`,
        JAEGER_OTLP_HTTP_ENDPOINT: `127.0.0.1:${otlpHttpPort}`,
      },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    jaeger.stderr!.on('data', (c: Buffer) => (log = (log + c.toString()).slice(-10_000)));
    await waitForPort(otlpHttpPort, 60_000);
    await waitForPort(queryPort, 60_000);
    ({ gateway, grpcUrl } = await startGateway({
      upstream: `http://127.0.0.1:${otlpHttpPort}`,
      upstreamProtocol: 'http/protobuf',
      grpc: '127.0.0.1:0',
    }));
  }, 120_000);

  afterAll(async () => {
    await gateway?.shutdown();
    if (jaeger && jaeger.exitCode === null) {
      const exited = new Promise((r) => jaeger.once('exit', r));
      jaeger.kill('SIGTERM');
      await exited;
    }
  });

  it('the query API returns calls with gen_ai.usage.cost_usd as genai-prices prices them and the roll-up', async () => {
    await sendWorkload(new OTLPGrpcTraceExporter({ url: grpcUrl }), [], 'jaeger-gateway-app');

    let spans: JaegerSpan[] = [];
    const deadline = Date.now() + 30_000;
    while (Date.now() < deadline) {
      // The workload is dated T0 (2025): search around it, not the default last hour.
      const window = `start=${(T0[0] - 60) * 1e6}&end=${(T0[0] + 3600) * 1e6}`;
      const res = await fetch(`http://127.0.0.1:${queryPort}/api/traces?service=jaeger-gateway-app&limit=20&${window}`);
      if (res.ok) {
        const body = (await res.json()) as { data?: Array<{ spans: JaegerSpan[] }> };
        spans = (body.data ?? []).flatMap((t) => t.spans);
        if (spans.length >= 5) break;
      }
      await new Promise((r) => setTimeout(r, 250));
    }
    if (spans.length !== 5) {
      const services = await fetch(`http://127.0.0.1:${queryPort}/api/services`).then(
        (r) => r.text(),
        (e: Error) => e.message,
      );
      throw new Error(
        `Jaeger has ${spans.length} spans; services: ${services}; queued in gateway: ${gateway.queuedSpans}; ` +
          `log: ${log.slice(-3000)}`,
      );
    }
    const tag = (name: string, key: string) =>
      spans.find((s) => s.operationName === name)?.tags.find((t) => t.key === key);
    let sum = 0;
    for (const name of ['chat gpt-4o', 'chat claude']) {
      const expected = oracleTotal(name);
      expect(expected, name).toBeDefined();
      const cost = tag(name, 'gen_ai.usage.cost_usd');
      expect(cost?.type).toBe('float64');
      expect(cost?.value as number).toBeCloseTo(expected!, 12);
      sum += cost?.value as number;
      expect(tag(name, 'gen_ai.cost.pricing_key')?.value).toBeTypeOf('string');
    }
    expect(tag('chat unknown', 'gen_ai.cost.unpriced_reason')?.value).toBe('unknown_model');
    expect(tag('invoke_agent planner', 'gen_ai.cost.rollup_usd')?.value as number).toBeCloseTo(sum, 12);
  }, 60_000);
});
