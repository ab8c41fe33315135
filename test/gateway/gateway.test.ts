/**
 * `llm-cost serve` end to end on loopback: the real OTel JS exporters (HTTP protobuf, HTTP JSON,
 * gRPC) send to the gateway, which forwards to a real OTLP/HTTP receiver. The processor is the
 * reference: the same spans through `CostSpanProcessor` must come out with identical attributes.
 */
import { OTLPTraceExporter as OTLPGrpcTraceExporter } from '@opentelemetry/exporter-trace-otlp-grpc';
import { OTLPTraceExporter as OTLPHttpJsonTraceExporter } from '@opentelemetry/exporter-trace-otlp-http';
import { OTLPTraceExporter as OTLPProtoTraceExporter } from '@opentelemetry/exporter-trace-otlp-proto';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { CostSpanProcessor } from '../../src/processor/cost-span-processor.js';
import type { LlmCostGateway } from '../../src/gateway/gateway.js';
import { startOtlpReceiver, type OtlpReceiver, type ReceivedSpan } from '../support/otlp-receiver.js';
import { addedAttributes, oracleTotal, sendWorkload, startGateway } from './helpers.js';

let upstream: OtlpReceiver;
let gateway: LlmCostGateway | undefined;

beforeEach(async () => {
  upstream = await startOtlpReceiver();
});
afterEach(async () => {
  await gateway?.shutdown();
  gateway = undefined;
  await upstream.close();
});

const byName = (spans: ReceivedSpan[], name: string): ReceivedSpan => {
  const span = spans.find((s) => s.name === name);
  if (span === undefined) throw new Error(`no span ${name} among ${spans.map((s) => s.name).join(', ')}`);
  return span;
};

/** The workload through CostSpanProcessor in-process, exported as OTLP/JSON to its own receiver. */
async function throughProcessor(): Promise<ReceivedSpan[]> {
  const reference = await startOtlpReceiver();
  try {
    const processor = new CostSpanProcessor();
    await processor.ready();
    await sendWorkload(new OTLPHttpJsonTraceExporter({ url: `${reference.url}/v1/traces` }), [processor]);
    await reference.waitFor((r) => r.spans().length >= 5);
    return reference.spans();
  } finally {
    await reference.close();
  }
}

const SENDERS = {
  'HTTP protobuf': (g: { httpUrl: string }) => new OTLPProtoTraceExporter({ url: `${g.httpUrl}/v1/traces` }),
  'HTTP protobuf, gzip': (g: { httpUrl: string }) =>
    new OTLPProtoTraceExporter({ url: `${g.httpUrl}/v1/traces`, compression: 'gzip' as never }),
  'HTTP JSON': (g: { httpUrl: string }) => new OTLPHttpJsonTraceExporter({ url: `${g.httpUrl}/v1/traces` }),
  'HTTP JSON, gzip': (g: { httpUrl: string }) =>
    new OTLPHttpJsonTraceExporter({ url: `${g.httpUrl}/v1/traces`, compression: 'gzip' as never }),
  gRPC: (g: { grpcUrl: string }) => new OTLPGrpcTraceExporter({ url: g.grpcUrl }),
} as const;

describe('llm-cost serve adds exactly what the processor adds', () => {
  for (const [sender, makeExporter] of Object.entries(SENDERS)) {
    it(`${sender}: same attributes as CostSpanProcessor, span for span`, async () => {
      const reference = await throughProcessor();
      const started = await startGateway({ upstream: upstream.url });
      gateway = started.gateway;
      await sendWorkload(makeExporter(started));
      await upstream.waitFor((r) => r.spans().length >= 5);
      const got = upstream.spans();
      expect(got).toHaveLength(5);
      for (const ref of reference) {
        const span = byName(got, ref.name);
        // Everything the app set survives, and the gateway adds exactly the processor's keys and values.
        expect(span.attributes, ref.name).toEqual(ref.attributes);
        expect(span.resource['service.name']).toBe('gateway-test-app');
      }
      // The contract, not just agreement: priced where the table knows the model, never a fake 0.
      expect(addedAttributes(byName(got, 'chat gpt-4o').attributes)['gen_ai.usage.cost_usd']).toBeGreaterThan(0);
      expect(byName(got, 'chat unknown').attributes['gen_ai.cost.unpriced_reason']).toBe('unknown_model');
      expect(byName(got, 'chat unknown').attributes['gen_ai.usage.cost_usd']).toBeUndefined();
      expect(byName(got, 'GET /health').attributes).toEqual({ 'http.request.method': 'GET' });
    });
  }

  it('prices as genai-prices does, and the agent span rolls up its calls', async () => {
    const started = await startGateway({ upstream: upstream.url });
    gateway = started.gateway;
    await sendWorkload(SENDERS['HTTP protobuf'](started));
    await upstream.waitFor((r) => r.spans().length >= 5);
    const got = upstream.spans();
    let sum = 0;
    for (const name of ['chat gpt-4o', 'chat claude']) {
      const expected = oracleTotal(name);
      expect(expected, name).toBeDefined();
      const cost = byName(got, name).attributes['gen_ai.usage.cost_usd'] as number;
      expect(cost).toBeCloseTo(expected!, 12);
      sum += cost;
    }
    expect(byName(got, 'invoke_agent planner').attributes['gen_ai.cost.rollup_usd']).toBeCloseTo(sum, 12);
  });

  it('upstream over gRPC: a second gateway behind the first passes the priced spans on unchanged', async () => {
    const reference = await throughProcessor();
    const second = await startGateway({ upstream: upstream.url });
    const first = await startGateway({ upstream: second.grpcUrl, upstreamProtocol: 'grpc' });
    try {
      await sendWorkload(SENDERS['HTTP JSON'](first));
      await upstream.waitFor((r) => r.spans().length >= 5);
      const got = upstream.spans();
      expect(got).toHaveLength(5);
      // Priced once: the second gateway sees gen_ai.cost.source and leaves the spans alone.
      for (const ref of reference) expect(byName(got, ref.name).attributes, ref.name).toEqual(ref.attributes);
    } finally {
      await first.gateway.shutdown();
      await second.gateway.shutdown();
    }
  });
});
