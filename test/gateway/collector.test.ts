/**
 * The scale-out deployment of docs/gateway.md with real parts: the OpenTelemetry Collector built
 * by .ci/tools.sh from the module proxy, running collector-config/gateway/front.yaml (the
 * `loadbalancing` exporter, routing_key traceID) in front of two `llm-cost serve` processes, and
 * an OTLP/HTTP receiver behind them. Load and faults are bounded and loopback only.
 *
 * Needs the Collector binary (`.ci/tools.sh otelcol`): skipped with a message outside CI, fails
 * under CI=true.
 */
import { afterEach, beforeAll, describe, expect, it } from 'vitest';
import { expectedCost, SPANS_PER_TRACE, SpanSink, traceIdOf, sendLoad } from './load.js';
import { deploy, type Deployment } from './deployment.js';
import { ensureBuilt } from './serve-process.js';
import { OTELCOL, toolAvailable } from './tools.js';

const available = toolAvailable(OTELCOL, 'build it with .ci/tools.sh otelcol');
const LOAD_SPANS = Number(process.env.GATEWAY_LOAD_SPANS ?? 200_000);

const stops: Array<() => Promise<unknown>> = [];
afterEach(async () => {
  while (stops.length > 0) await stops.pop()!().catch(() => undefined);
});

async function deployWithSink(replicaArgs: string[] = []): Promise<Deployment & { sink: SpanSink }> {
  const sink = new SpanSink();
  await sink.start();
  stops.push(() => sink.stop());
  const d = await deploy(sink.url, replicaArgs, stops);
  return { ...d, sink };
}

/** Every span of every trace once, every LLM span priced as genai-prices does, every root rolled up. */
function check(sink: SpanSink, traces: number, run: number, missingTraces: Set<number> = new Set()) {
  let llm = 0;
  const problems: string[] = [];
  for (let t = 0; t < traces; t++) {
    if (missingTraces.has(t)) continue;
    const traceId = traceIdOf(t, run);
    const root = sink.spans.get(`${traceId}/${(t + 1).toString(16).padStart(12, '0')}0001`);
    const call = sink.spans.get(`${traceId}/${(t + 1).toString(16).padStart(12, '0')}000a`);
    if (!root || !call) {
      problems.push(`trace ${t}: root ${!!root}, call ${!!call}`);
      continue;
    }
    llm++;
    const expected = expectedCost(t);
    if (call.cost === undefined || Math.abs(call.cost - expected) > 1e-12)
      problems.push(`trace ${t}: cost ${call.cost} ≠ ${expected}`);
    if (root.rollup === undefined || Math.abs(root.rollup - call.cost!) > 1e-12)
      problems.push(`trace ${t}: rollup ${root.rollup} ≠ ${call.cost}`);
    if (problems.length > 10) break;
  }
  return { llm, problems };
}

describe.skipIf(!available)(
  'Collector loadbalancing (routing_key traceID) → 2 × llm-cost serve → OTLP receiver',
  () => {
    beforeAll(() => ensureBuilt(), 120_000);

    const loadSpans = `${LOAD_SPANS.toLocaleString('en-US')} spans, 10% LLM`;
    it(`${loadSpans}: every span once, every LLM span priced, every roll-up right`, async () => {
      const d = await deployWithSink();
      const requests = LOAD_SPANS / (SPANS_PER_TRACE * 10);
      const traces = requests * 10;
      const started = Date.now();
      await sendLoad(`http://127.0.0.1:${d.frontHttp}/v1/traces`, requests, 1);
      await d.sink.waitFor(() => d.sink.spans.size >= LOAD_SPANS, 240_000, `${LOAD_SPANS} spans`);
      const seconds = (Date.now() - started) / 1000;
      console.log(
        `gateway load: ${LOAD_SPANS} spans in ${seconds.toFixed(1)} s ` +
          `(${Math.round(LOAD_SPANS / seconds)} spans/s end to end)`,
      );
      expect(d.sink.spans.size).toBe(LOAD_SPANS);
      expect(d.sink.duplicates).toBe(0);
      const { llm, problems } = check(d.sink, traces, 1);
      expect(problems).toEqual([]);
      expect(llm).toBe(LOAD_SPANS / 10);
      // Both replicas took a share (their own metrics, one resource per replica).
      await d.sink.waitFor(
        () => [...d.sink.receivedByInstance.values()].reduce((a, b) => a + b, 0) === LOAD_SPANS,
        20_000,
        'replica metrics',
      );
      const shares = [...d.sink.receivedByInstance.values()];
      console.log(`gateway load: replica shares ${shares.join(' / ')}`);
      expect(shares).toHaveLength(2);
      for (const share of shares) expect(share).toBeGreaterThan(LOAD_SPANS * 0.3);
    }, 400_000);

    it('upstream down for 10 s mid-run, queues full: the Collector is told to retry and nothing is lost', async () => {
      // Small queues, so the outage fills them and the replicas refuse (UNAVAILABLE) before it ends.
      const d = await deployWithSink(['--queue-spans', '3000', '--max-backoff', '1000']);
      const requests = 400;
      let outage: Promise<void> | undefined;
      await sendLoad(`http://127.0.0.1:${d.frontHttp}/v1/traces`, requests, 2, {
        onProgress: (sent) => {
          if (sent === 100 && outage === undefined) {
            const port = d.sink.port;
            outage = d.sink.stop().then(async () => {
              await new Promise((r) => setTimeout(r, 10_000));
              await d.sink.start(port);
            });
          }
        },
      });
      await outage;
      await d.sink.waitFor(() => d.sink.spans.size >= requests * 100, 180_000, `${requests * 100} spans`);
      expect(d.sink.spans.size).toBe(requests * 100);
      const { llm, problems } = check(d.sink, requests * 10, 2);
      expect(problems).toEqual([]);
      expect(llm).toBe(requests * 10);
      // The queues did fill: the replicas refused requests, and the Collector's retries delivered them.
      await d.sink.waitFor(
        () => [...d.sink.queueFullByInstance.values()].some((n) => n > 0),
        20_000,
        'queue-full refusals in the replica metrics',
      );
      console.log(
        `gateway outage: queue-full refusals ${[...d.sink.queueFullByInstance.values()].join(' / ')}, ` +
          `duplicates ${d.sink.duplicates}`,
      );
    }, 400_000);

    it('a replica SIGKILLed mid-run with a full queue, restarted: only what it had queued is lost', async () => {
      const QUEUE = 2000;
      const d = await deployWithSink(['--queue-spans', String(QUEUE)]);
      const requests = 300;
      const sending = sendLoad(`http://127.0.0.1:${d.frontHttp}/v1/traces`, requests, 3);
      await d.sink.waitFor(() => d.sink.spans.size >= 5000, 60_000, 'the first 5000 spans');
      // Upstream down: both replicas queue until full, then refuse (the Collector retries those).
      const port = d.sink.port;
      await d.sink.stop();
      await new Promise((r) => setTimeout(r, 4000));
      // Kill one with a full queue, bring it back on its port, then the upstream.
      const victim = d.replicas[1]!;
      victim.child.kill('SIGKILL');
      await victim.exited;
      await new Promise((r) => setTimeout(r, 1000));
      await d.restartReplica(1);
      await d.sink.start(port);
      await sending;
      const total = requests * 100;
      // Wait until the stream has settled (nothing new for 5 s).
      let last = -1;
      while (d.sink.spans.size !== last) {
        last = d.sink.spans.size;
        await new Promise((r) => setTimeout(r, 5000));
      }
      const lost = total - d.sink.spans.size;
      console.log(
        `gateway SIGKILL: ${lost} of ${total} spans lost ` +
          `(queue bound ${QUEUE} spans per replica, killed with a full queue)`,
      );
      // Lost: what the killed replica had accepted and not forwarded: its queue, which may exceed
      // the bound by the one request that found room (the Collector batches up to 8192 spans).
      // Everything the Collector had not had acknowledged was retried to the restarted replica.
      expect(d.sink.duplicates).toBe(0);
      expect(lost).toBeGreaterThan(0);
      expect(lost).toBeLessThanOrEqual(QUEUE + 8192);
      // Whole traces are lost or kept (a trace is one replica's, and its spans travel together);
      // what arrived is priced and rolled up exactly.
      const incomplete = new Set<number>();
      let partialTraces = 0;
      for (let t = 0; t < requests * 10; t++) {
        const traceId = traceIdOf(t, 3);
        let n = 0;
        for (let i = 1; i <= SPANS_PER_TRACE; i++)
          if (
            d.sink.spans.has(`${traceId}/${(t + 1).toString(16).padStart(12, '0')}${i.toString(16).padStart(4, '0')}`)
          )
            n++;
        if (n < SPANS_PER_TRACE) incomplete.add(t);
        if (n > 0 && n < SPANS_PER_TRACE) partialTraces++;
      }
      expect(incomplete.size * SPANS_PER_TRACE).toBe(lost);
      expect(partialTraces).toBe(0);
      const { problems } = check(d.sink, requests * 10, 3, incomplete);
      expect(problems).toEqual([]);
    }, 400_000);
  },
);

describe.skipIf(!available)('roll-up limits behind the Collector, measured', () => {
  beforeAll(() => ensureBuilt(), 120_000);

  it('how often a parent is forwarded before its last child arrives (SDK BatchSpanProcessor defaults)', async () => {
    const { BasicTracerProvider, BatchSpanProcessor } = await import('@opentelemetry/sdk-trace-base');
    const { resourceFromAttributes } = await import('@opentelemetry/resources');
    const { context, trace } = await import('@opentelemetry/api');
    const { startOtlpReceiver } = await import('../support/otlp-receiver.js');
    const upstream = await startOtlpReceiver();
    stops.push(() => upstream.close());
    const d = await deploy(upstream.url, [], stops);
    const { OTLPTraceExporter: HttpExporter } = await import('@opentelemetry/exporter-trace-otlp-http');
    const provider = new BasicTracerProvider({
      resource: resourceFromAttributes({ 'service.name': 'agents' }),
      spanProcessors: [new BatchSpanProcessor(new HttpExporter({ url: `http://127.0.0.1:${d.frontHttp}/v1/traces` }))],
    });
    const tracer = provider.getTracer('agents');
    // 500 agent runs, 20 at a time, each 3 chat calls of a few ms: spans of concurrent traces
    // interleave in the SDK's batches, as in a server.
    const AGENTS = 500;
    const call = (parent: ReturnType<typeof tracer.startSpan>, i: number) =>
      new Promise<void>((resolve) => {
        const span = tracer.startSpan(
          `chat ${i}`,
          {
            attributes: {
              'gen_ai.operation.name': 'chat',
              'gen_ai.provider.name': 'openai',
              'gen_ai.request.model': 'gpt-4o-mini',
              'gen_ai.usage.input_tokens': 100 + i,
              'gen_ai.usage.output_tokens': 10,
            },
          },
          trace.setSpan(context.active(), parent),
        );
        setTimeout(
          () => {
            span.end();
            resolve();
          },
          1 + Math.random() * 5,
        );
      });
    const agent = async (a: number) => {
      const root = tracer.startSpan('invoke_agent', {
        attributes: { 'gen_ai.operation.name': 'invoke_agent', 'agent.run': a },
      });
      for (let i = 0; i < 3; i++) await call(root, i);
      root.end();
    };
    for (let a = 0; a < AGENTS; a += 20) await Promise.all(Array.from({ length: 20 }, (_, k) => agent(a + k)));
    await provider.forceFlush();
    await provider.shutdown();
    await upstream.waitFor((r) => r.spans().length >= AGENTS * 4, 60_000);
    const spans = upstream.spans();
    const costByParent = new Map<string, number>();
    for (const s of spans) {
      const cost = s.attributes['gen_ai.usage.cost_usd'];
      if (typeof cost === 'number' && s.parentSpanId)
        costByParent.set(s.parentSpanId, (costByParent.get(s.parentSpanId) ?? 0) + cost);
    }
    let complete = 0;
    let partial = 0;
    let missing = 0;
    for (const root of spans.filter((s) => s.name === 'invoke_agent')) {
      const sum = costByParent.get(root.spanId) ?? 0;
      const rollup = root.attributes['gen_ai.cost.rollup_usd'] as number | undefined;
      if (rollup === undefined) missing++;
      else if (Math.abs(rollup - sum) < 1e-12) complete++;
      else {
        partial++;
        // Never more than its descendants: a roll-up only ever lacks late children.
        expect(rollup).toBeLessThan(sum);
      }
    }
    console.log(
      `gateway roll-up: ${complete}/${AGENTS} complete, ${partial} partial, ${missing} missing ` +
        '(parent forwarded before a child arrived)',
    );
    expect(complete + partial + missing).toBe(AGENTS);
    // Children end before their parent, and the SDK exports in end order: only reordering on the
    // way (the Collector's concurrent senders) can put a parent first, which must stay rare.
    expect(complete).toBeGreaterThan(AGENTS * 0.9);
  }, 300_000);
});
