import { context, diag, DiagLogLevel, trace, type Span, type Tracer } from '@opentelemetry/api';
import {
  BasicTracerProvider,
  InMemorySpanExporter,
  SimpleSpanProcessor,
  type ReadableSpan,
  type SpanProcessor,
} from '@opentelemetry/sdk-trace-base';
import type { CostResult, NormalizedUsage } from '../../src/pricing/types.js';
import type { UsagePricer } from '../../src/core/span-enrichment.js';

/** A price entry written by the test itself (USD per token). */
export const FIXTURE_RATES = { input: 2e-6, cacheRead: 0.5e-6, cacheWrite: 2.5e-6, output: 8e-6 };

/** Prices `fixture-model` at FIXTURE_RATES and nothing else; records what it was asked. */
export class FixturePricer implements UsagePricer {
  readonly calls: NormalizedUsage[] = [];
  price(usage: NormalizedUsage): CostResult {
    this.calls.push(usage);
    if (usage.model !== 'fixture-model') return { costUsd: null, reason: 'unknown_model' };
    const read = usage.cacheReadTokens ?? 0;
    const write = usage.cacheWriteTokens ?? 0;
    const breakdown = {
      input: ((usage.inputTokens ?? 0) - read - write) * FIXTURE_RATES.input,
      cacheRead: read * FIXTURE_RATES.cacheRead,
      cacheWrite: write * FIXTURE_RATES.cacheWrite,
      output: (usage.outputTokens ?? 0) * FIXTURE_RATES.output,
    };
    const costUsd = breakdown.input + breakdown.cacheRead + breakdown.cacheWrite + breakdown.output;
    return { costUsd, breakdown, pricingKey: 'fixture-model', match: 'exact', source: 'fixture@1' };
  }
}

export interface Pipeline {
  tracer: Tracer;
  exporter: InMemorySpanExporter;
  provider: BasicTracerProvider;
  spans(): ReadableSpan[];
  byName(name: string): ReadableSpan;
}

/** A real tracer provider with `processor` registered before a simple export processor. */
export function pipeline(processor: SpanProcessor, scope = 'test-scope', version?: string): Pipeline {
  const exporter = new InMemorySpanExporter();
  const provider = new BasicTracerProvider({ spanProcessors: [processor, new SimpleSpanProcessor(exporter)] });
  const tracer = provider.getTracer(scope, version);
  return {
    tracer,
    exporter,
    provider,
    spans: () => exporter.getFinishedSpans(),
    byName(name) {
      const span = exporter.getFinishedSpans().find((s) => s.name === name);
      if (span === undefined) throw new Error(`no span named ${name}`);
      return span;
    },
  };
}

/** Starts a child of `parent` without relying on a context manager. */
export function child(tracer: Tracer, name: string, parent: Span, attributes = {}): Span {
  return tracer.startSpan(name, { attributes }, trace.setSpan(context.active(), parent));
}

/** Collects diag output at WARN and above. Call `restore()` after. */
export function captureDiag(): { messages: string[]; restore(): void } {
  const messages: string[] = [];
  const push = (msg: string) => messages.push(msg);
  diag.setLogger(
    { error: push, warn: push, info: () => {}, debug: () => {}, verbose: () => {} },
    {
      logLevel: DiagLogLevel.WARN,
      suppressOverrideMessage: true,
    },
  );
  return { messages, restore: () => diag.disable() };
}
