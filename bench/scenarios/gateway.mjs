// `llm-cost serve` throughput on one core: the server's request path (decode the OTLP/protobuf
// body, enrich, re-encode for the upstream, queue) for a realistic request of 100 spans, 10% of
// them LLM calls, with enrichment and as a pure pass-through (same server, `enrich: false`),
// interleaved in the same run. The queue is emptied after every request and the forwarder is
// not started, so the upstream's cost is not counted. HTTP parsing is left out on purpose: it
// is the same for both variants and belongs to Node, not to us.
import { context, trace } from '@opentelemetry/api';
import { ProtobufTraceSerializer } from '@opentelemetry/otlp-transformer';
import { resourceFromAttributes } from '@opentelemetry/resources';
import { BasicTracerProvider, InMemorySpanExporter, SimpleSpanProcessor } from '@opentelemetry/sdk-trace-base';
import { LlmCostGateway } from '../../dist/gateway.js';
import { interleavedRatio, report } from '../lib/measure.mjs';

const TRACES_PER_REQUEST = 10;

/** One request: 10 traces, each an HTTP server span with 8 plain children and 1 chat call. */
function buildRequest() {
  const exporter = new InMemorySpanExporter();
  const provider = new BasicTracerProvider({
    resource: resourceFromAttributes({
      'service.name': 'bench-app',
      'service.version': '1.2.3',
      'host.name': 'bench-host',
    }),
    spanProcessors: [new SimpleSpanProcessor(exporter)],
  });
  const http = provider.getTracer('@opentelemetry/instrumentation-http', '0.200.0');
  const openai = provider.getTracer('@opentelemetry/instrumentation-openai', '0.21.0');
  for (let t = 0; t < TRACES_PER_REQUEST; t++) {
    const root = http.startSpan('POST /api/chat', {
      attributes: {
        'http.request.method': 'POST',
        'url.path': '/api/chat',
        'http.response.status_code': 200,
        'server.address': 'bench-host',
        'user_agent.original': 'bench/1.0',
      },
    });
    const ctx = trace.setSpan(context.active(), root);
    for (let i = 0; i < 8; i++) {
      http
        .startSpan(
          `SELECT orders ${i}`,
          {
            attributes: {
              'db.system.name': 'postgresql',
              'db.query.text': 'SELECT * FROM orders WHERE id = $1',
              'db.namespace': 'shop',
              'server.port': 5432,
            },
          },
          ctx,
        )
        .end();
    }
    openai
      .startSpan(
        'chat gpt-4o-mini',
        {
          attributes: {
            'gen_ai.operation.name': 'chat',
            'gen_ai.system': 'openai',
            'gen_ai.request.model': 'gpt-4o-mini',
            'gen_ai.response.model': 'gpt-4o-mini-2024-07-18',
            'gen_ai.usage.input_tokens': 1200 + t,
            'gen_ai.usage.output_tokens': 300,
            'gen_ai.response.finish_reasons': ['stop'],
            'gen_ai.response.id': `chatcmpl-${t}`,
          },
        },
        ctx,
      )
      .end();
    root.end();
  }
  return ProtobufTraceSerializer.serializeRequest(exporter.getFinishedSpans());
}

const body = buildRequest();
const SPANS = TRACES_PER_REQUEST * 10;

function server(enrich) {
  const gateway = new LlmCostGateway({
    upstream: 'http://127.0.0.1:9',
    http: 'off',
    grpc: 'off',
    enrich,
    metricsIntervalMs: 3_600_000,
  });
  const queue = gateway._queue;
  return {
    gateway,
    handle() {
      const result = gateway.ingest({ signal: 'traces', encoding: 'protobuf', body });
      if (result.kind !== 'accepted') throw new Error(`gateway refused the bench request: ${JSON.stringify(result)}`);
      for (let r = queue.take(); r !== undefined; r = queue.take()) queue.release(r);
    },
  };
}

const enriching = server(true);
const passThrough = server(false);
await enriching.gateway.ready();
// Sanity: the enriching server really prices the 10 LLM spans.
enriching.handle();

const m = await interleavedRatio({
  with: () => enriching.handle(),
  without: () => passThrough.handle(),
  opsPerIteration: SPANS,
  rounds: 7,
  time: 300,
});

report({
  ratio: m.ratio,
  enrichUsPerSpan: m.withUs,
  passThroughUsPerSpan: m.withoutUs,
  spansPerSecond: 1e6 / m.withUs,
  passThroughSpansPerSecond: 1e6 / m.withoutUs,
  requestBytes: body.length,
});
process.exit(0);
