/**
 * Roll-up across requests in one replica (docs/gateway.md, "Roll-up in a gateway"): children in
 * an earlier request than their parent are summed into it; a parent that was forwarded before its
 * child arrived keeps no roll-up (it cannot be changed any more); remote parents are left alone.
 */
import { afterEach, describe, expect, it } from 'vitest';
import type { LlmCostGateway } from '../../src/gateway/gateway.js';
import { startOtlpReceiver, type OtlpReceiver } from '../support/otlp-receiver.js';
import { startGateway } from './helpers.js';

let upstream: OtlpReceiver;
let gateway: LlmCostGateway | undefined;
afterEach(async () => {
  await gateway?.shutdown();
  await upstream.close();
});

const TRACE = '5b8efff798038103d269b633813fc60c';
const kv = (key: string, value: string | number) =>
  typeof value === 'string' ? { key, value: { stringValue: value } } : { key, value: { intValue: String(value) } };
const chat = (spanId: string, parentSpanId: string, flags?: number) => ({
  traceId: TRACE,
  spanId,
  parentSpanId,
  ...(flags === undefined ? {} : { flags }),
  name: 'chat gpt-4o-mini',
  startTimeUnixNano: '1760000000000000000',
  endTimeUnixNano: '1760000000500000000',
  attributes: [
    kv('gen_ai.operation.name', 'chat'),
    kv('gen_ai.provider.name', 'openai'),
    kv('gen_ai.request.model', 'gpt-4o-mini'),
    kv('gen_ai.usage.input_tokens', 1000),
    kv('gen_ai.usage.output_tokens', 100),
  ],
});
const plain = (spanId: string, parentSpanId?: string) => ({
  traceId: TRACE,
  spanId,
  ...(parentSpanId ? { parentSpanId } : {}),
  name: `op ${spanId}`,
  startTimeUnixNano: '1760000000000000000',
  endTimeUnixNano: '1760000001000000000',
  attributes: [kv('http.request.method', 'GET')],
});
const body = (spans: object[]) =>
  JSON.stringify({
    resourceSpans: [
      { resource: { attributes: [kv('service.name', 'r')] }, scopeSpans: [{ scope: { name: 's' }, spans }] },
    ],
  });

async function send(url: string, spans: object[]): Promise<void> {
  const res = await fetch(`${url}/v1/traces`, {
    method: 'POST',
    body: body(spans),
    headers: { 'content-type': 'application/json' },
  });
  expect(res.status).toBe(200);
}

describe('roll-up across requests', () => {
  it('children first, parent and grandparent in later requests: summed up the chain', async () => {
    upstream = await startOtlpReceiver();
    const started = await startGateway({ upstream: upstream.url });
    gateway = started.gateway;
    await send(started.httpUrl, [
      chat('00000000000000c1', '00000000000000a1'),
      chat('00000000000000c2', '00000000000000a1'),
    ]);
    await send(started.httpUrl, [plain('00000000000000a1', '00000000000000d1')]);
    await send(started.httpUrl, [plain('00000000000000d1')]);
    await upstream.waitFor((r) => r.spans().length === 4);
    const spans = upstream.spans();
    const cost = (id: string) => spans.find((s) => s.spanId === id)!.attributes['gen_ai.usage.cost_usd'] as number;
    const sum = cost('00000000000000c1') + cost('00000000000000c2');
    expect(sum).toBeGreaterThan(0);
    expect(spans.find((s) => s.spanId === '00000000000000a1')!.attributes['gen_ai.cost.rollup_usd']).toBeCloseTo(
      sum,
      12,
    );
    expect(spans.find((s) => s.spanId === '00000000000000d1')!.attributes['gen_ai.cost.rollup_usd']).toBeCloseTo(
      sum,
      12,
    );
  });

  it('a parent forwarded before its child keeps no roll-up; a remote parent is not waited for', async () => {
    upstream = await startOtlpReceiver();
    const started = await startGateway({ upstream: upstream.url });
    gateway = started.gateway;
    await send(started.httpUrl, [plain('00000000000000b1')]);
    // 0x300: the parent is remote (OTLP span flags), so no slot is kept for it either.
    await send(started.httpUrl, [
      chat('00000000000000c3', '00000000000000b1'),
      chat('00000000000000c4', '00000000000000e1', 0x300),
    ]);
    await upstream.waitFor((r) => r.spans().length === 3);
    const parent = upstream.spans().find((s) => s.spanId === '00000000000000b1')!;
    expect(parent.attributes['gen_ai.cost.rollup_usd']).toBeUndefined();
    expect(
      upstream.spans().find((s) => s.spanId === '00000000000000c3')!.attributes['gen_ai.usage.cost_usd'],
    ).toBeGreaterThan(0);
  });
});
