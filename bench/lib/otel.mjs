// The SDK pipeline the span benchmarks run: a real BasicTracerProvider whose export processor
// is a BatchSpanProcessor (what production setups register) in front of an exporter that
// drops every batch, optionally with CostSpanProcessor registered first, plus a real
// MeterProvider with a periodic reader for the CostMetrics recorder.
import { ROOT_CONTEXT, SpanKind, trace } from '@opentelemetry/api';
import { BasicTracerProvider, BatchSpanProcessor } from '@opentelemetry/sdk-trace-base';
import { MeterProvider, PeriodicExportingMetricReader } from '@opentelemetry/sdk-metrics';
import { CostMetrics, CostSpanProcessor } from '../../dist/index.js';

const SUCCESS = { code: 0 };

/** Drops every batch, successfully. */
export class NoopSpanExporter {
  export(_spans, done) {
    done(SUCCESS);
  }
  shutdown() {
    return Promise.resolve();
  }
  forceFlush() {
    return Promise.resolve();
  }
}

class NoopMetricExporter {
  export(_metrics, done) {
    done(SUCCESS);
  }
  shutdown() {
    return Promise.resolve();
  }
  forceFlush() {
    return Promise.resolve();
  }
}

/**
 * A processor that does nothing, with the same hooks as CostSpanProcessor (`onStart`,
 * `onEnding`, `onEnd`), so the SDK dispatches to it exactly as it does to ours: what
 * registering any processor costs, which no processor can remove.
 */
export class DoNothingSpanProcessor {
  onStart(_span, _parentContext) {}
  onEnding(_span) {}
  onEnd(_span) {}
  forceFlush() {
    return Promise.resolve();
  }
  shutdown() {
    return Promise.resolve();
  }
}

/**
 * @param {{ cost: boolean, doNothing?: boolean, metrics?: boolean }} o
 * `cost`: register CostSpanProcessor (default pricing: the embedded genai-prices table).
 * `doNothing`: register a DoNothingSpanProcessor in the same place instead (first).
 * `metrics`: a real MeterProvider with a periodic reader (`metricReader`, collected on demand
 * with `metricReader.collect()`); with `cost`, the processor gets a CostMetrics recorder on it.
 */
export function createPipeline(o) {
  const spanProcessors = [];
  let meterProvider;
  let metricReader;
  let processor;
  if (o.metrics) {
    metricReader = new PeriodicExportingMetricReader({
      exporter: new NoopMetricExporter(),
      exportIntervalMillis: 60_000,
    });
    meterProvider = new MeterProvider({ readers: [metricReader] });
  }
  if (o.cost) {
    const recorder = meterProvider === undefined ? undefined : new CostMetrics({ meterProvider });
    processor = new CostSpanProcessor({ recorder });
    spanProcessors.push(processor);
  } else if (o.doNothing) {
    spanProcessors.push(new DoNothingSpanProcessor());
  }
  spanProcessors.push(new BatchSpanProcessor(new NoopSpanExporter()));
  const provider = new BasicTracerProvider({ spanProcessors });
  return {
    provider,
    processor,
    meterProvider,
    metricReader,
    tracer: provider.getTracer('bench-instrumentation', '1.0.0'),
    async shutdown() {
      await provider.shutdown();
      await meterProvider?.shutdown();
    },
  };
}

/** What a priced chat span gets written (docs/architecture.md, "Span attributes"), as constants. */
const CONTRACT_ATTRIBUTES = {
  'gen_ai.client.operation.duration': 0.8,
  'gen_ai.usage.cost_usd': 0.0123,
  'gen_ai.cost.input_usd': 0.0011,
  'gen_ai.cost.cache_read_usd': 0,
  'gen_ai.cost.cache_write_usd': 0,
  'gen_ai.cost.output_usd': 0.0112,
  'gen_ai.cost.pricing_key': 'gpt-4o-2024-08-06',
  'gen_ai.cost.match': 'exact',
  'gen_ai.cost.source': 'genai-prices@0.1.8',
  'gen_ai.cost.input_accounting': 'inclusive',
  'gen_ai.cost.input_accounting_reason': 'semconv',
};

/**
 * The contract floor: a stand-in processor registered where CostSpanProcessor is, doing no work
 * of its own: on every span with token usage it writes the 11 contract attributes (constants,
 * one `span.setAttributes`), nothing else. What any processor that keeps the attribute
 * contract pays, whatever its reading, pricing and metrics cost.
 */
export function createContractFloorPipeline() {
  const floor = {
    onStart() {},
    onEnding(span) {
      if (span.attributes['gen_ai.usage.input_tokens'] === undefined) return;
      span.setAttributes(CONTRACT_ATTRIBUTES);
    },
    onEnd() {},
    forceFlush: () => Promise.resolve(),
    shutdown: () => Promise.resolve(),
  };
  const provider = new BasicTracerProvider({ spanProcessors: [floor, new BatchSpanProcessor(new NoopSpanExporter())] });
  return {
    tracer: provider.getTracer('bench-instrumentation', '1.0.0'),
    shutdown: () => provider.shutdown(),
  };
}

// ---------------------------------------------------------------------------------------------
// Traces. Every iteration is one trace: a parent span with `children` children, all ended.

/** A request handled by a web server that queries a database: no GenAI attribute anywhere. */
export function plainTrace(tracer, children) {
  const parent = tracer.startSpan('GET /api/orders/:id', {
    kind: SpanKind.SERVER,
    attributes: {
      'http.request.method': 'GET',
      'url.path': '/api/orders/42',
      'url.scheme': 'https',
      'http.route': '/api/orders/:id',
      'server.address': 'shop.example.com',
      'user_agent.original': 'Mozilla/5.0 (X11; Linux x86_64)',
    },
  });
  const ctx = trace.setSpan(ROOT_CONTEXT, parent);
  for (let i = 0; i < children; i++) {
    const span = tracer.startSpan(
      'SELECT orders',
      {
        kind: SpanKind.CLIENT,
        attributes: {
          'db.system.name': 'postgresql',
          'db.namespace': 'shop',
          'db.operation.name': 'SELECT',
          'db.collection.name': 'orders',
          'db.query.text': 'SELECT * FROM orders WHERE id = $1',
          'server.address': 'db.internal',
          'server.port': 5432,
        },
      },
      ctx,
    );
    span.setAttribute('db.response.returned_rows', 1);
    span.end();
  }
  parent.setAttribute('http.response.status_code', 200);
  parent.end();
}

/** Response model, token counts and provider per call, as the instrumentation reports them. */
const LLM_CALLS = [
  { provider: 'openai', request: 'gpt-4o', response: 'gpt-4o-2024-08-06', input: 1250, output: 320 },
  { provider: 'openai', request: 'gpt-4o-mini', response: 'gpt-4o-mini-2024-07-18', input: 860, output: 140 },
  {
    provider: 'anthropic',
    request: 'claude-sonnet-4-5',
    response: 'claude-sonnet-4-5-20250929',
    input: 14200,
    output: 610,
    cacheRead: 12000,
    cacheWrite: 900,
  },
  {
    provider: 'openai',
    request: 'gpt-5-mini',
    response: 'gpt-5-mini-2025-08-07',
    input: 2300,
    output: 1900,
    reasoning: 1400,
  },
  {
    provider: 'anthropic',
    request: 'claude-haiku-4-5',
    response: 'claude-haiku-4-5-20251001',
    input: 5200,
    output: 210,
    cacheRead: 4096,
  },
  { provider: 'openai', request: 'gpt-4.1', response: 'gpt-4.1-2025-04-14', input: 3100, output: 450 },
  { provider: 'gcp.gemini', request: 'gemini-2.5-flash', response: 'gemini-2.5-flash', input: 4100, output: 380 },
  {
    provider: 'openai',
    request: 'o4-mini',
    response: 'o4-mini-2025-04-16',
    input: 1800,
    output: 2600,
    reasoning: 2200,
  },
];

/** An agent invocation with `children` chat calls, attributes as semconv instrumentations set them. */
export function llmTrace(tracer, children, seq) {
  const parent = tracer.startSpan('invoke_agent support-agent', {
    kind: SpanKind.INTERNAL,
    attributes: {
      'gen_ai.operation.name': 'invoke_agent',
      'gen_ai.agent.name': 'support-agent',
      'gen_ai.provider.name': 'openai',
    },
  });
  const ctx = trace.setSpan(ROOT_CONTEXT, parent);
  for (let i = 0; i < children; i++) {
    const c = LLM_CALLS[(seq + i) % LLM_CALLS.length];
    const span = tracer.startSpan(
      `chat ${c.request}`,
      {
        kind: SpanKind.CLIENT,
        attributes: {
          'gen_ai.operation.name': 'chat',
          'gen_ai.provider.name': c.provider,
          'gen_ai.request.model': c.request,
          'gen_ai.request.max_tokens': 4096,
          'gen_ai.request.temperature': 0.2,
          'server.address': 'api.example.com',
          'server.port': 443,
        },
      },
      ctx,
    );
    span.setAttributes({
      'gen_ai.response.model': c.response,
      'gen_ai.response.id': 'chatcmpl-AbCdEf0123456789',
      'gen_ai.response.finish_reasons': ['stop'],
      'gen_ai.usage.input_tokens': c.input,
      'gen_ai.usage.output_tokens': c.output,
    });
    if (c.cacheRead !== undefined) span.setAttribute('gen_ai.usage.cache_read.input_tokens', c.cacheRead);
    if (c.cacheWrite !== undefined) span.setAttribute('gen_ai.usage.cache_creation.input_tokens', c.cacheWrite);
    if (c.reasoning !== undefined) span.setAttribute('gen_ai.usage.reasoning.output_tokens', c.reasoning);
    span.end();
  }
  parent.end();
}
