import { context, diag, DiagLogLevel, trace, type Attributes, type Context } from '@opentelemetry/api';
import { MeterProvider } from '@opentelemetry/sdk-metrics';
import {
  BasicTracerProvider,
  InMemorySpanExporter,
  SimpleSpanProcessor,
  type ReadableSpan,
  type Span,
  type SpanProcessor,
} from '@opentelemetry/sdk-trace-base';
import { afterEach, describe, expect, it } from 'vitest';
import { CostMetrics } from '../../src/metrics/cost-metrics.js';
import { PriceBook } from '../../src/pricing/price-book.js';
import { PriceTable } from '../../src/pricing/price-table.js';
import { CostSpanProcessor } from '../../src/processor/cost-span-processor.js';
import { TestReader } from '../support/metric-reader.js';

/**
 * The processor never reads prompt or completion content, and nothing it writes (span
 * attributes, metrics, diag output) carries any of it. The span's attributes are wrapped in a
 * Proxy for exactly the duration of the processor's `onEnding`, recording every value it reads.
 */

const SECRET = 'SECRET-c0ntent-marker';

/** Content attributes of every convention in docs/instrumentations.md (semconv, Traceloop, OpenInference, Vercel). */
const CONTENT: Attributes = {
  'gen_ai.prompt': `${SECRET} prompt`,
  'gen_ai.prompt.0.content': `${SECRET} p0`,
  'gen_ai.prompt.0.role': 'user',
  'gen_ai.completion': `${SECRET} completion`,
  'gen_ai.completion.0.content': `${SECRET} c0`,
  'gen_ai.input.messages': `[{"role":"user","parts":[{"type":"text","content":"${SECRET}"}]}]`,
  'gen_ai.output.messages': `[{"role":"assistant","parts":[{"type":"text","content":"${SECRET}"}]}]`,
  'gen_ai.system_instructions': `${SECRET} system`,
  'gen_ai.tool.call.arguments': `{"q":"${SECRET}"}`,
  'gen_ai.tool.call.result': `${SECRET} tool result`,
  'llm.input_messages.0.message.content': `${SECRET} oi in`,
  'llm.input_messages.0.message.role': 'user',
  'llm.output_messages.0.message.content': `${SECRET} oi out`,
  'llm.prompts': [`${SECRET} p`],
  'input.value': `${SECRET} input value`,
  'output.value': `${SECRET} output value`,
  'ai.prompt': `${SECRET} vercel prompt`,
  'ai.prompt.messages': `[{"role":"user","content":"${SECRET}"}]`,
  'ai.response.text': `${SECRET} vercel text`,
  'ai.response.object': `{"a":"${SECRET}"}`,
  'ai.response.toolCalls': `[{"args":"${SECRET}"}]`,
  // Not content, but parsed on Vercel spans for the tier: its ids must not be copied anywhere.
  'ai.response.providerMetadata':
    `{"openai":{"responseId":"resp_${SECRET}",` + `"serviceTier":"priority","note":"${SECRET}"}}`,
};

function isContentKey(key: string): boolean {
  return (
    key.startsWith('gen_ai.prompt') ||
    key.startsWith('gen_ai.completion') ||
    key === 'gen_ai.input.messages' ||
    key === 'gen_ai.output.messages' ||
    key === 'gen_ai.system_instructions' ||
    key.startsWith('gen_ai.tool.call.') ||
    key.startsWith('llm.input_messages') ||
    key.startsWith('llm.output_messages') ||
    key === 'llm.prompts' ||
    key === 'input.value' ||
    key === 'output.value' ||
    key.startsWith('ai.prompt') ||
    key === 'ai.response.text' ||
    key === 'ai.response.object' ||
    key === 'ai.response.toolCalls'
  );
}

/** Usage of each convention, beside the content above. */
const CALLS: Array<[string, string, Attributes]> = [
  [
    'semconv',
    'app',
    {
      'gen_ai.operation.name': 'chat',
      'gen_ai.request.model': 'm',
      'gen_ai.usage.input_tokens': 1200,
      'gen_ai.usage.output_tokens': 300,
      'gen_ai.usage.cache_read.input_tokens': 200,
    },
  ],
  [
    'Traceloop',
    '@traceloop/instrumentation-anthropic',
    {
      'gen_ai.request.model': 'm',
      'gen_ai.usage.input_tokens': 100,
      'gen_ai.usage.cache_creation.input_tokens': 50,
      'gen_ai.usage.output_tokens': 7,
    },
  ],
  [
    'OpenInference',
    '@arizeai/openinference-instrumentation-openai',
    {
      'openinference.span.kind': 'LLM',
      'llm.model_name': 'm',
      'llm.token_count.prompt': 10,
      'llm.token_count.completion': 5,
    },
  ],
  [
    'Vercel AI SDK',
    'ai',
    {
      'ai.operationId': 'ai.streamText.doStream',
      'ai.model.id': 'm',
      'gen_ai.response.model': 'm',
      'ai.usage.inputTokens': 40,
      'gen_ai.usage.input_tokens': 40,
      'ai.usage.outputTokens': 8,
      'ai.response.msToFirstChunk': 120,
    },
  ],
  ['unpriced model', 'app', { 'gen_ai.request.model': `model-${SECRET.length}`, 'gen_ai.usage.input_tokens': 1 }],
];

/** Runs the real CostSpanProcessor's onEnding with the span's attributes behind a recording Proxy. */
class SpyingProcessor implements SpanProcessor {
  readonly read = new Set<string>();
  constructor(private readonly inner: CostSpanProcessor) {}
  onStart(span: Span, ctx: Context): void {
    this.inner.onStart(span, ctx);
  }
  onEnding(span: Span): void {
    const target = span.attributes;
    // Value reads only: the SDK's own setAttribute enumerates keys and checks own properties
    // (its attribute-count limit) without reading values; that is not the processor reading.
    const spy = new Proxy(target, {
      get: (t, key, receiver) => {
        if (typeof key === 'string') this.read.add(key);
        return Reflect.get(t, key, receiver);
      },
    });
    const writable = span as unknown as { attributes: Attributes };
    writable.attributes = spy;
    try {
      this.inner.onEnding(span);
    } finally {
      writable.attributes = target;
    }
  }
  onEnd(span: ReadableSpan): void {
    this.inner.onEnd(span);
  }
  forceFlush(): Promise<void> {
    return this.inner.forceFlush();
  }
  shutdown(): Promise<void> {
    return this.inner.shutdown();
  }
}

afterEach(() => diag.disable());

describe('no prompt or completion content is ever read or copied', () => {
  it('reads no content attribute, and writes no content to span attributes, metrics or diag output', async () => {
    const logged: string[] = [];
    const log = (...args: unknown[]) =>
      logged.push(
        args
          .map((a) => (a instanceof Error ? `${a.message} ${a.stack}` : typeof a === 'string' ? a : JSON.stringify(a)))
          .join(' '),
      );
    diag.setLogger(
      { error: log, warn: log, info: log, debug: log, verbose: log },
      { logLevel: DiagLogLevel.ALL, suppressOverrideMessage: true },
    );

    const reader = new TestReader();
    const meterProvider = new MeterProvider({ readers: [reader] });
    const book = new PriceBook({
      table: new PriceTable(
        [
          {
            key: 'm',
            rates: { input: 1e-6, output: 4e-6, cacheRead: 1e-7 },
            serviceTiers: { priority: { input: 2e-6, output: 8e-6 } },
            source: 'test@1',
          },
        ],
        'test@1',
      ),
      embedded: false,
    });
    // Extra metric dimensions are opt-in; configuring unrelated ones must not pull content in.
    const recorder = new CostMetrics({ meterProvider, dimensions: ['app.feature'] });
    const spy = new SpyingProcessor(new CostSpanProcessor({ priceBook: book, recorder }));
    const exporter = new InMemorySpanExporter();
    const provider = new BasicTracerProvider({ spanProcessors: [spy, new SimpleSpanProcessor(exporter)] });

    for (const [, scope, usage] of CALLS) {
      const tracer = provider.getTracer(scope, '0.27.0');
      const parent = tracer.startSpan('agent', { attributes: { 'gen_ai.operation.name': 'invoke_agent', ...CONTENT } });
      const span = tracer.startSpan(
        'chat',
        { attributes: { ...CONTENT, ...usage, 'app.feature': 'search' } },
        trace.setSpan(context.active(), parent),
      );
      span.addEvent('gen_ai.content.prompt', { 'gen_ai.prompt': SECRET });
      span.end();
      parent.end();
    }

    // The processor did its job on these spans (the test would be empty otherwise).
    const spans = exporter.getFinishedSpans();
    const chats = spans.filter((s) => s.name === 'chat');
    expect(chats.filter((s) => s.attributes['gen_ai.usage.cost_usd'] !== undefined)).toHaveLength(4);
    expect(spans.filter((s) => s.attributes['gen_ai.cost.rollup_usd'] !== undefined).length).toBeGreaterThan(0);
    expect(spy.read.size).toBeGreaterThan(5);

    const contentRead = [...spy.read].filter(isContentKey);
    expect(contentRead, 'content attributes read by the processor').toEqual([]);

    // What the processor wrote on spans: every attribute the exported span has beyond its inputs.
    for (const s of spans) {
      for (const [key, value] of Object.entries(s.attributes)) {
        if (key in CONTENT) continue;
        expect(JSON.stringify(value) ?? '', `span attribute ${key}`).not.toContain(SECRET);
      }
    }

    const collected = await reader.collect();
    const metricsJson = JSON.stringify(collected.resourceMetrics.scopeMetrics);
    expect(metricsJson).toContain('gen_ai.usage.cost');
    expect(metricsJson).not.toContain(SECRET);

    expect(logged.join('\n')).not.toContain(SECRET);
    await provider.shutdown();
    await meterProvider.shutdown();
  });
});
