/**
 * Cost per user, tenant, feature: `dimensions` come from where apps put them. A real HTTP server
 * (node:http on loopback, traced by `@opentelemetry/instrumentation-http`) handles a request; the
 * handler sets `enduser.id` on its server span (or the client sends W3C baggage) and makes a real
 * AI SDK 7 call to the mock LLM inside it. The LLM span gets the values as attributes and the cost
 * metrics are grouped by them. Expected costs come from genai-prices' `calcPrice`.
 */
import { createRequire } from 'node:module';
import type { IncomingMessage, Server, ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { context, diag, propagation, trace, type DiagLogger } from '@opentelemetry/api';
import { AsyncLocalStorageContextManager } from '@opentelemetry/context-async-hooks';
import { CompositePropagator, W3CBaggagePropagator, W3CTraceContextPropagator } from '@opentelemetry/core';
import { HttpInstrumentation } from '@opentelemetry/instrumentation-http';
import { MeterProvider } from '@opentelemetry/sdk-metrics';
import { InMemorySpanExporter, SimpleSpanProcessor, type ReadableSpan } from '@opentelemetry/sdk-trace-base';
import { NodeTracerProvider } from '@opentelemetry/sdk-trace-node';
import { calcPrice } from '@pydantic/genai-prices';
import { OpenTelemetry } from '@ai-sdk/otel';
import { generateText } from 'ai7';
import { createOpenAI } from 'ai-sdk-openai-4';
import { afterAll, afterEach, beforeAll, describe, expect, it, vi } from 'vitest';
import { startMockLLM, usageDirective, type MockLLM } from '../../examples/mock-llm/index.js';
import { ATTR_COST_USD } from '../../src/attributes.js';
import { METRIC_COST } from '../../src/metrics/instruments.js';
import { CostMetrics } from '../../src/metrics/cost-metrics.js';
import { CostSpanProcessor } from '../../src/processor/cost-span-processor.js';
import { collectMetrics, histogramMetric, TestReader } from '../support/metric-reader.js';

const USAGE = { input: 1500, cached: 1000, output: 200 };
const EXPECTED = calcPrice(
  { input_tokens: USAGE.input, cache_read_tokens: USAGE.cached, output_tokens: USAGE.output },
  'gpt-4.1-mini',
  { providerId: 'openai' },
)!.total_price;

describe('dimensions from the request span and from baggage', () => {
  let llm: MockLLM;
  let server: Server;
  let base: string;
  let provider: NodeTracerProvider;
  let exporter: InMemorySpanExporter;
  let reader: TestReader;
  let processor: CostSpanProcessor;
  let http: typeof import('node:http');
  const instrumentation = new HttpInstrumentation();

  beforeAll(async () => {
    llm = await startMockLLM();
    context.setGlobalContextManager(new AsyncLocalStorageContextManager().enable());
    propagation.setGlobalPropagator(
      new CompositePropagator({ propagators: [new W3CTraceContextPropagator(), new W3CBaggagePropagator()] }),
    );
    reader = new TestReader();
    const meterProvider = new MeterProvider({ readers: [reader] });
    processor = new CostSpanProcessor({
      recorder: new CostMetrics({ meterProvider, dimensions: ['enduser.id', 'app.tenant'] }),
    });
    exporter = new InMemorySpanExporter();
    provider = new NodeTracerProvider({ spanProcessors: [processor, new SimpleSpanProcessor(exporter)] });
    instrumentation.setTracerProvider(provider);
    instrumentation.enable();
    // Loaded after enabling, through require: the instrumentation patches `http` as it is required.
    http = createRequire(import.meta.url)('http') as typeof import('node:http');
    const openai = createOpenAI({ baseURL: llm.openaiBaseURL, apiKey: 'mock' });
    const telemetry = { integrations: new OpenTelemetry({ tracer: provider.getTracer('gen_ai') }) };

    server = http.createServer((req: IncomingMessage, res: ServerResponse) => {
      const url = new URL(req.url ?? '/', 'http://x');
      const user = url.searchParams.get('user');
      // What apps do: the authenticated user goes on the request's span.
      if (user !== null) trace.getActiveSpan()?.setAttribute('enduser.id', user);
      generateText({
        model: openai.chat('gpt-4.1-mini'),
        prompt: `Answer. ${usageDirective(USAGE)}`,
        telemetry,
      }).then(
        () => res.end('ok'),
        (err: Error) => {
          res.statusCode = 500;
          res.end(err.message);
        },
      );
    });
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  });

  afterAll(async () => {
    instrumentation.disable();
    await new Promise((resolve) => server?.close(resolve));
    await provider?.shutdown();
    await llm?.close();
  });

  afterEach(() => exporter.reset());

  async function request(path: string, headers: Record<string, string> = {}): Promise<ReadableSpan[]> {
    // Sent with fetch (undici), which the HTTP instrumentation does not trace: the server span is the root.
    const res = await fetch(`${base}${path}`, { headers });
    expect(await res.text()).toBe('ok');
    await provider.forceFlush();
    return exporter.getFinishedSpans();
  }

  function llmSpan(spans: ReadableSpan[]): ReadableSpan {
    const priced = spans.filter((s) => typeof s.attributes[ATTR_COST_USD] === 'number');
    expect(priced).toHaveLength(1);
    return priced[0]!;
  }

  it('copies enduser.id from the HTTP server span onto the LLM span and into the cost metric', async () => {
    const spans = await request('/chat?user=user-42');
    // The request span of our server (the mock LLM's own server may be traced too, as its own root).
    const serverSpan = spans.find(
      (s) =>
        s.instrumentationScope.name === '@opentelemetry/instrumentation-http' && s.attributes['url.path'] === '/chat',
    )!;
    expect(serverSpan.attributes['enduser.id']).toBe('user-42');
    const call = llmSpan(spans);
    expect(call.spanContext().traceId).toBe(serverSpan.spanContext().traceId);
    // A grandchild (invoke_agent between).
    expect(call.parentSpanContext?.spanId).not.toBe(serverSpan.spanContext().spanId);
    expect(call.attributes['enduser.id']).toBe('user-42');
    expect(call.attributes[ATTR_COST_USD]).toBeCloseTo(EXPECTED, 12);
    expect(call.attributes['app.tenant']).toBeUndefined();

    const cost = histogramMetric(await collectMetrics(reader), METRIC_COST);
    const point = cost.dataPoints.find((p) => p.attributes['enduser.id'] === 'user-42');
    expect(point?.value.count).toBe(1);
    expect(point?.value.sum).toBeCloseTo(EXPECTED, 12);
  });

  it('takes app.tenant from the W3C baggage of the incoming request', async () => {
    const spans = await request('/chat?user=user-7', { baggage: 'app.tenant=acme,other=x' });
    const call = llmSpan(spans);
    expect(call.attributes['app.tenant']).toBe('acme');
    expect(call.attributes['enduser.id']).toBe('user-7');
    expect(call.attributes['other']).toBeUndefined();
    const cost = histogramMetric(await collectMetrics(reader), METRIC_COST);
    const point = cost.dataPoints.find((p) => p.attributes['app.tenant'] === 'acme');
    expect(point?.attributes).toMatchObject({ 'enduser.id': 'user-7', 'gen_ai.request.model': 'gpt-4.1-mini' });
    expect(point?.value.sum).toBeCloseTo(EXPECTED, 12);
  });

  it('forgets every span once it has ended (no leak)', async () => {
    await request('/chat?user=user-9');
    const live = (processor as unknown as { _dimensions: { _live: Map<string, unknown> } })._dimensions._live;
    // The mock LLM's own server spans, if any, ended too.
    expect(live.size).toBe(0);
  });
});

describe('dimension tracking is bounded', () => {
  it('keeps at most maxTrackedSpans live spans, warns once, and a span with its own value keeps it', () => {
    const warn = vi.fn();
    diag.setLogger({ warn, error: vi.fn(), info: vi.fn(), debug: vi.fn(), verbose: vi.fn() } as DiagLogger);
    try {
      context.setGlobalContextManager(new AsyncLocalStorageContextManager().enable());
      const processor = new CostSpanProcessor({ dimensions: ['enduser.id'], maxTrackedSpans: 3 });
      const exporter = new InMemorySpanExporter();
      const provider = new NodeTracerProvider({ spanProcessors: [processor, new SimpleSpanProcessor(exporter)] });
      const tracer = provider.getTracer('t');
      const leaked = Array.from({ length: 5 }, () =>
        tracer.startSpan('never ended', { attributes: { 'enduser.id': 'x' } }),
      );
      const live = (processor as unknown as { _dimensions: { _live: Map<string, unknown> } })._dimensions._live;
      expect(live.size).toBe(3);
      expect(warn.mock.calls.filter((c) => String(c[0]).includes('maxTrackedSpans'))).toHaveLength(1);

      const root = tracer.startSpan('request', { attributes: { 'enduser.id': 'parent-user' } });
      const call = tracer.startSpan(
        'chat gpt-4.1-mini',
        {
          attributes: {
            'gen_ai.provider.name': 'openai',
            'gen_ai.request.model': 'gpt-4.1-mini',
            'gen_ai.usage.input_tokens': 10,
            'gen_ai.usage.output_tokens': 5,
            'enduser.id': 'own-user',
          },
        },
        trace.setSpan(context.active(), root),
      );
      call.end();
      root.end();
      const ended = exporter.getFinishedSpans().find((s) => s.name === 'chat gpt-4.1-mini')!;
      expect(ended.attributes['enduser.id']).toBe('own-user');
      for (const s of leaked) s.end();
      expect(live.size).toBe(0);
    } finally {
      diag.disable();
    }
  });
});
