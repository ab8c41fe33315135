import type { Attributes } from '@opentelemetry/api';
import type { ExportResult } from '@opentelemetry/core';
import type { ReadableSpan, SpanExporter } from '@opentelemetry/sdk-trace';
import { ATTR_COST_ROLLUP_USD } from '../attributes.js';
import { roundUsd } from '../core/cost-rollup.js';
import type { CostEnrichmentOptions } from '../core/enrichment-options.js';
import { assemblePricing } from '../core/assemble-pricing.js';
import type { PriceBookHandle } from '../sources/price-source.js';
import { DiagOnce } from '../diag.js';
import { markedFirstChunk } from './first-chunk.js';
import type { LlmCall, LlmCallRecorder } from '../core/llm-call.js';
import { computeSpanEnrichment, type EnrichmentSettings } from '../core/span-enrichment.js';

/** Options of `CostSpanExporter`. */
export type CostSpanExporterOptions = CostEnrichmentOptions;

/**
 * For SDKs without `SpanProcessor.onEnding` (sdk-trace-base older than 2.3): wraps the user's
 * exporter and adds the same attributes as `CostSpanProcessor` before delegating. Enriched spans
 * are copies (a new object with merged attributes); the spans other processors and exporters see
 * are never mutated. The roll-up only sums descendants exported in the same batch.
 *
 * Do not register it behind a `CostSpanProcessor`: spans it finds already priced are passed on
 * unchanged, so it does no harm, but it does no good either.
 */
export class CostSpanExporter implements SpanExporter {
  private readonly _delegate: SpanExporter;
  private readonly _settings: EnrichmentSettings;
  private readonly _priceBook: PriceBookHandle | undefined;
  private readonly _recorder: LlmCallRecorder | undefined;
  private readonly _diag = new DiagOnce('CostSpanExporter');
  private _shutdownPromise: Promise<void> | undefined;

  constructor(delegate: SpanExporter, options: CostSpanExporterOptions = {}) {
    this._delegate = delegate;
    ({ settings: this._settings, priceBook: this._priceBook } = assemblePricing(options));
    this._recorder = options.recorder;
  }

  /** Resolves when the price tables named by the configuration have been loaded (or failed to). */
  ready(): Promise<void> {
    return this._priceBook?.ready() ?? Promise.resolve();
  }

  export(spans: ReadableSpan[], resultCallback: (result: ExportResult) => void): void {
    let out = spans;
    let calls: LlmCall[] = [];
    try {
      ({ spans: out, calls } = this._enrichBatch(spans));
    } catch (err) {
      this._diag.error('enriching a batch', err);
      out = spans;
    }
    this._delegate.export(out, resultCallback);
    for (const call of calls) {
      try {
        this._recorder?.record(call);
      } catch (err) {
        this._diag.error('recording metrics', err);
      }
    }
  }

  forceFlush(): Promise<void> {
    return this._delegate.forceFlush?.() ?? Promise.resolve();
  }

  /** Shuts down the delegate and stops the price sources' refresh timer. Idempotent. */
  shutdown(): Promise<void> {
    this._shutdownPromise ??= Promise.all([this._delegate.shutdown(), this._priceBook?.shutdown()]).then(
      () => undefined,
      (err: unknown) => this._diag.error('shutdown', err),
    );
    return this._shutdownPromise;
  }

  private _enrichBatch(spans: ReadableSpan[]): { spans: ReadableSpan[]; calls: LlmCall[] } {
    const added: Array<Attributes | undefined> = new Array(spans.length);
    const calls: LlmCall[] = [];
    // Roll-up within the batch: every priced span's cost is added to each ancestor found in it.
    const indexById = new Map<string, number>();
    for (let i = 0; i < spans.length; i++) indexById.set((spans[i] as ReadableSpan).spanContext().spanId, i);
    const rollup = new Map<number, number>();

    for (let i = 0; i < spans.length; i++) {
      const span = spans[i] as ReadableSpan;
      let enrichment;
      try {
        enrichment = computeSpanEnrichment(span, this._settings, markedFirstChunk(span));
      } catch (err) {
        this._diag.error('pricing a span', err);
        continue;
      }
      if (enrichment === undefined) continue;
      added[i] = enrichment.attributes;
      calls.push(enrichment.call);
      if (enrichment.costUsd === undefined) continue;
      let parent = parentSpanId(span);
      for (let depth = 0; parent !== undefined && depth < spans.length; depth++) {
        const p = indexById.get(parent);
        if (p === undefined) break;
        rollup.set(p, (rollup.get(p) ?? 0) + enrichment.costUsd);
        parent = parentSpanId(spans[p] as ReadableSpan);
      }
    }
    for (const [i, sum] of rollup) {
      if ((spans[i] as ReadableSpan).attributes[ATTR_COST_ROLLUP_USD] !== undefined) continue;
      added[i] = { ...added[i], [ATTR_COST_ROLLUP_USD]: roundUsd(sum) };
    }
    if (calls.length === 0 && rollup.size === 0) return { spans, calls };
    return { spans: spans.map((span, i) => (added[i] === undefined ? span : withAttributes(span, added[i]))), calls };
  }
}

/**
 * A copy of `span` with `extra` merged into its attributes: a new object whose own `attributes`
 * shadow the original's and whose prototype is the original span, so every other property and
 * method (`spanContext()`, getters, `parentSpanId` of SDK 1.x) reads through unchanged.
 */
function withAttributes(span: ReadableSpan, extra: Attributes): ReadableSpan {
  return Object.create(span, {
    attributes: { value: { ...span.attributes, ...extra }, enumerable: true },
  }) as ReadableSpan;
}

/** Parent span id: `parentSpanContext` (SDK 2.x) or `parentSpanId` (SDK 1.x). */
function parentSpanId(span: ReadableSpan): string | undefined {
  return span.parentSpanContext?.spanId ?? (span as { parentSpanId?: string }).parentSpanId;
}
