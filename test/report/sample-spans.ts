/**
 * The spans behind the report's sample input, made with the real OpenTelemetry JS SDK (and, for
 * one deployment, the real CostSpanProcessor), as three apps would emit them:
 *
 * - `chat-api` without our processor, spans as `@opentelemetry/instrumentation-openai` 0.21
 *   writes them (gen_ai.system=openai, inclusive input, no cache detail), an unknown fine-tune
 *   and a call without usage;
 * - `chat-api` (a second deployment) WITH CostSpanProcessor and a negotiated override for
 *   gpt-4o-mini, so its spans carry cost attributes that differ from the public table;
 * - `support-agent`: an `invoke_agent` span (gen_ai.agent.name, repeating its children's usage)
 *   over Anthropic calls as `@traceloop/instrumentation-anthropic` 0.27 writes them (input
 *   EXCLUDES cache reads and writes), and a Vercel AI SDK `ai.generateText` wrapper repeating the
 *   usage of its `ai.generateText.doGenerate` child.
 *
 * `SAMPLE_CALLS` lists the inference calls with their token counts in semconv meaning (input
 * includes cache), which is what the tests sum independently.
 */
import type { Attributes } from '@opentelemetry/api';
import { resourceFromAttributes } from '@opentelemetry/resources';
import {
  BasicTracerProvider,
  InMemorySpanExporter,
  SimpleSpanProcessor,
  type IdGenerator,
  type ReadableSpan,
} from '@opentelemetry/sdk-trace-base';
import { context, trace } from '@opentelemetry/api';
import { CostSpanProcessor } from '../../src/processor/cost-span-processor.js';
import { PriceBook } from '../../src/pricing/price-book.js';

/** 2026-11-02T09:00:00Z, a Monday. */
export const SAMPLE_BASE_MS = Date.UTC(2026, 10, 2, 9, 0, 0);

/** The negotiated gpt-4o-mini price of the second chat-api deployment (USD per token). */
export const NEGOTIATED_GPT_4O_MINI = { input: 1e-7, output: 4e-7 };

/** One inference call of the sample, as the tests expect the report to count it. */
export interface SampleCall {
  service: string;
  /** The model id the report groups by (response model, else request model). */
  model: string;
  provider: string;
  operation: string;
  agent: string | null;
  tenant: string | null;
  startMs: number;
  traceIndex: number;
  input: number;
  output: number;
  cacheRead: number;
  cacheWrite: number;
  reasoning: number;
  /** The span carries a cost written by our processor with the negotiated override. */
  recordedNegotiated: boolean;
  /** Expected unpriced reason, when the call cannot be priced. */
  unpriced?: 'unknown_model' | 'no_usage';
}

export const SAMPLE_CALLS: SampleCall[] = [];

class CountingIds implements IdGenerator {
  private _trace = 0;
  private _span = 0;
  constructor(private readonly _prefix: number) {}
  generateTraceId(): string {
    this._trace++;
    return `${this._prefix.toString(16).padStart(8, '0')}${this._trace.toString(16).padStart(24, '0')}`;
  }
  generateSpanId(): string {
    this._span++;
    return `${this._prefix.toString(16).padStart(4, '0')}${this._span.toString(16).padStart(12, '0')}`;
  }
}

interface App {
  provider: BasicTracerProvider;
  exporter: InMemorySpanExporter;
}

function app(service: string, prefix: number, withProcessor: boolean): App {
  const exporter = new InMemorySpanExporter();
  const spanProcessors = [];
  if (withProcessor) {
    const book = new PriceBook({
      embedded: false,
      overrides: [
        {
          key: 'gpt-4o-mini',
          provider: 'openai',
          rates: { input: NEGOTIATED_GPT_4O_MINI.input, output: NEGOTIATED_GPT_4O_MINI.output },
          source: 'overrides',
        },
      ],
    });
    spanProcessors.push(new CostSpanProcessor({ priceBook: book }));
  }
  spanProcessors.push(new SimpleSpanProcessor(exporter));
  const provider = new BasicTracerProvider({
    resource: resourceFromAttributes({ 'service.name': service, 'deployment.environment.name': 'prod' }),
    idGenerator: new CountingIds(prefix),
    spanProcessors,
  });
  return { provider, exporter };
}

const at = (minutes: number): number => SAMPLE_BASE_MS + minutes * 60_000;

/** Makes every span; returns the batches (one per app, in end order) as an exporter sees them. */
export async function buildSampleSpans(): Promise<ReadableSpan[][]> {
  SAMPLE_CALLS.length = 0;
  const chat = app('chat-api', 1, false);
  const chatV2 = app('chat-api', 2, true);
  const agent = app('support-agent', 3, false);
  let traceIndex = 0;

  // ── chat-api, contrib OpenAI instrumentation, no processor ──
  const openai = chat.provider.getTracer('@opentelemetry/instrumentation-openai', '0.21.0');
  const http = chat.provider.getTracer('@opentelemetry/instrumentation-http', '0.223.0');
  const gpt4o: [number, number, number, string][] = [
    // minutes after base, input, output, tenant
    [0, 1200, 350, 'acme'],
    [5, 8000, 900, 'acme'],
    [30, 450, 120, 'globex'],
    [70, 15000, 2200, 'globex'],
    [24 * 60 + 10, 3100, 640, 'acme'],
    [24 * 60 + 75, 620, 80, 'initech'],
  ];
  for (const [minute, input, output, tenant] of gpt4o) {
    traceIndex++;
    const root = http.startSpan('POST /chat', {
      startTime: at(minute),
      attributes: { 'http.request.method': 'POST', tenant },
    });
    const ctx = trace.setSpan(context.active(), root);
    const attributes: Attributes = {
      'gen_ai.system': 'openai',
      'gen_ai.operation.name': 'chat',
      'gen_ai.request.model': 'gpt-4o',
      'gen_ai.response.model': 'gpt-4o-2024-08-06',
      'gen_ai.usage.input_tokens': input,
      'gen_ai.usage.output_tokens': output,
    };
    openai.startSpan('chat gpt-4o', { startTime: at(minute), attributes, kind: 2 }, ctx).end(at(minute) + 1500);
    root.end(at(minute) + 1600);
    SAMPLE_CALLS.push({
      service: 'chat-api',
      model: 'gpt-4o-2024-08-06',
      provider: 'openai',
      operation: 'chat',
      agent: null,
      tenant,
      startMs: at(minute),
      traceIndex,
      input,
      output,
      cacheRead: 0,
      cacheWrite: 0,
      reasoning: 0,
      recordedNegotiated: false,
    });
  }
  // An unknown fine-tune, and a call whose instrumentation recorded no usage (e.g. a stream).
  traceIndex++;
  openai
    .startSpan('chat ft:acme-support-7', {
      startTime: at(40),
      attributes: {
        'gen_ai.system': 'openai',
        'gen_ai.operation.name': 'chat',
        'gen_ai.request.model': 'ft:acme-support-7',
        'gen_ai.usage.input_tokens': 900,
        'gen_ai.usage.output_tokens': 200,
        tenant: 'acme',
      },
    })
    .end(at(40) + 900);
  SAMPLE_CALLS.push({
    service: 'chat-api',
    model: 'ft:acme-support-7',
    provider: 'openai',
    operation: 'chat',
    agent: null,
    tenant: 'acme',
    startMs: at(40),
    traceIndex,
    input: 900,
    output: 200,
    cacheRead: 0,
    cacheWrite: 0,
    reasoning: 0,
    recordedNegotiated: false,
    unpriced: 'unknown_model',
  });
  traceIndex++;
  openai
    .startSpan('chat gpt-4o', {
      startTime: at(45),
      attributes: {
        'gen_ai.system': 'openai',
        'gen_ai.operation.name': 'chat',
        'gen_ai.request.model': 'gpt-4o',
        tenant: 'globex',
      },
    })
    .end(at(45) + 2000);
  SAMPLE_CALLS.push({
    service: 'chat-api',
    model: 'gpt-4o',
    provider: 'openai',
    operation: 'chat',
    agent: null,
    tenant: 'globex',
    startMs: at(45),
    traceIndex,
    input: 0,
    output: 0,
    cacheRead: 0,
    cacheWrite: 0,
    reasoning: 0,
    recordedNegotiated: false,
    unpriced: 'no_usage',
  });

  // ── chat-api v2: CostSpanProcessor with a negotiated gpt-4o-mini price ──
  const openaiV2 = chatV2.provider.getTracer('@opentelemetry/instrumentation-openai', '0.21.0');
  const mini: [number, number, number][] = [
    [12, 2000, 500],
    [50, 40000, 3000],
    [24 * 60 + 20, 700, 150],
  ];
  for (const [minute, input, output] of mini) {
    traceIndex++;
    openaiV2
      .startSpan('chat gpt-4o-mini', {
        startTime: at(minute),
        attributes: {
          'gen_ai.system': 'openai',
          'gen_ai.operation.name': 'chat',
          'gen_ai.request.model': 'gpt-4o-mini',
          'gen_ai.response.model': 'gpt-4o-mini',
          'gen_ai.usage.input_tokens': input,
          'gen_ai.usage.output_tokens': output,
          tenant: 'initech',
        },
      })
      .end(at(minute) + 700);
    SAMPLE_CALLS.push({
      service: 'chat-api',
      model: 'gpt-4o-mini',
      provider: 'openai',
      operation: 'chat',
      agent: null,
      tenant: 'initech',
      startMs: at(minute),
      traceIndex,
      input,
      output,
      cacheRead: 0,
      cacheWrite: 0,
      reasoning: 0,
      recordedNegotiated: true,
    });
  }

  // ── support-agent: an agent over Traceloop-instrumented Anthropic calls ──
  const agentTracer = agent.provider.getTracer('support-agent', '1.0.0');
  const anthropic = agent.provider.getTracer('@traceloop/instrumentation-anthropic', '0.27.0');
  const turns: { minute: number; fresh: number; read: number; write: number; output: number }[][] = [
    [
      { minute: 15, fresh: 1500, read: 0, write: 12000, output: 400 },
      { minute: 16, fresh: 300, read: 12000, write: 0, output: 650 },
    ],
    [
      { minute: 24 * 60 + 30, fresh: 800, read: 12000, write: 2000, output: 900 },
      { minute: 24 * 60 + 31, fresh: 200, read: 14000, write: 0, output: 300 },
      { minute: 24 * 60 + 32, fresh: 100, read: 14000, write: 0, output: 120 },
    ],
  ];
  for (const session of turns) {
    traceIndex++;
    const first = session[0]!.minute;
    const sum = (f: (t: (typeof session)[number]) => number): number => session.reduce((s, t) => s + f(t), 0);
    // The agent span repeats the usage of its calls (as agent frameworks do): it must not count.
    const root = agentTracer.startSpan('invoke_agent triage', {
      startTime: at(first),
      attributes: {
        'gen_ai.operation.name': 'invoke_agent',
        'gen_ai.agent.name': 'triage',
        'gen_ai.provider.name': 'anthropic',
        'gen_ai.request.model': 'claude-sonnet-4-5',
        'gen_ai.usage.input_tokens': sum((t) => t.fresh),
        'gen_ai.usage.output_tokens': sum((t) => t.output),
        tenant: 'acme',
      },
    });
    const ctx = trace.setSpan(context.active(), root);
    for (const t of session) {
      anthropic
        .startSpan(
          'anthropic.chat',
          {
            startTime: at(t.minute),
            attributes: {
              'gen_ai.provider.name': 'anthropic',
              'gen_ai.operation.name': 'chat',
              'gen_ai.request.model': 'claude-sonnet-4-5',
              'gen_ai.response.model': 'claude-sonnet-4-5-20250929',
              // Traceloop writes Anthropic's raw usage: input EXCLUDES cache reads and writes.
              'gen_ai.usage.input_tokens': t.fresh,
              'gen_ai.usage.output_tokens': t.output,
              'gen_ai.usage.cache_read.input_tokens': t.read,
              'gen_ai.usage.cache_creation.input_tokens': t.write,
            },
          },
          ctx,
        )
        .end(at(t.minute) + 4000);
      SAMPLE_CALLS.push({
        service: 'support-agent',
        model: 'claude-sonnet-4-5-20250929',
        provider: 'anthropic',
        operation: 'chat',
        agent: 'triage',
        tenant: 'acme',
        startMs: at(t.minute),
        traceIndex,
        input: t.fresh + t.read + t.write,
        output: t.output,
        cacheRead: t.read,
        cacheWrite: t.write,
        reasoning: 0,
        recordedNegotiated: false,
      });
    }
    root.end(at(session[session.length - 1]!.minute) + 5000);
  }

  // ── support-agent: Vercel AI SDK wrapper + provider call repeating the same usage ──
  const ai = agent.provider.getTracer('ai', '6.0.0');
  for (const [minute, input, cached, output, reasoning] of [
    [20, 5000, 4096, 800, 300],
    [24 * 60 + 45, 2500, 0, 400, 0],
  ] as const) {
    traceIndex++;
    const usage: Attributes = {
      'ai.usage.inputTokens': input,
      'ai.usage.outputTokens': output,
      'ai.usage.inputTokenDetails.cacheReadTokens': cached,
      'ai.usage.outputTokenDetails.reasoningTokens': reasoning,
    };
    const parent = ai.startSpan('ai.generateText', {
      startTime: at(minute),
      attributes: {
        'ai.operationId': 'ai.generateText',
        'ai.model.id': 'gpt-4.1-mini',
        'ai.model.provider': 'openai.chat',
        ...usage,
      },
    });
    const ctx = trace.setSpan(context.active(), parent);
    ai.startSpan(
      'ai.generateText.doGenerate',
      {
        startTime: at(minute),
        attributes: {
          'ai.operationId': 'ai.generateText.doGenerate',
          'ai.model.id': 'gpt-4.1-mini',
          'ai.model.provider': 'openai.chat',
          'gen_ai.system': 'openai.chat',
          'gen_ai.request.model': 'gpt-4.1-mini',
          'gen_ai.response.model': 'gpt-4.1-mini-2025-04-14',
          'gen_ai.usage.input_tokens': input,
          'gen_ai.usage.output_tokens': output,
          ...usage,
        },
      },
      ctx,
    ).end(at(minute) + 3000);
    parent.end(at(minute) + 3100);
    SAMPLE_CALLS.push({
      service: 'support-agent',
      model: 'gpt-4.1-mini-2025-04-14',
      provider: 'openai',
      operation: 'ai.generateText.doGenerate',
      agent: null,
      tenant: null,
      startMs: at(minute),
      traceIndex,
      input,
      output,
      cacheRead: cached,
      cacheWrite: 0,
      reasoning,
      recordedNegotiated: false,
    });
  }

  const batches: ReadableSpan[][] = [];
  for (const a of [chat, chatV2, agent]) {
    await a.provider.forceFlush();
    batches.push(a.exporter.getFinishedSpans());
    await a.provider.shutdown();
  }
  return batches;
}
