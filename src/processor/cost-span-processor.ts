import { type Attributes, type Context } from '@opentelemetry/api';
import type { ReadableSpan, Span, SpanProcessor } from '@opentelemetry/sdk-trace';
import { ATTR_COST_ROLLUP_USD } from '../attributes.js';
import { mayBeGenAi } from '../conventions/span-role.js';
import { CostRollup, roundUsd } from '../core/cost-rollup.js';
import { COST_ATTRIBUTE_HEADROOM } from './attribute-limit.js';
import { METRIC_DROPPED_ATTRIBUTES } from '../metrics/instruments.js';
import { DEFAULT_MAX_PENDING_ROLLUPS } from '../core/enrichment-options.js';
import type { CostSpanProcessorOptions } from './cost-span-processor-options.js';
import { dimensionSourcesFor, type DimensionSources } from './dimension-sources.js';
import { markedFirstChunk } from './first-chunk.js';
import type { LlmCallRecorder } from '../core/llm-call.js';
import { computeSpanEnrichment, type EnrichmentSettings } from '../core/span-enrichment.js';
import { assemblePricing } from '../core/assemble-pricing.js';
import type { PriceBookHandle } from '../sources/price-source.js';
import { DiagOnce } from '../diag.js';
import { integerOption } from '../options.js';

/**
 * Prices every LLM call: in `onEnding` (the span is still writable) it reads the usage the
 * instrumentation recorded, prices it and writes the cost, TTFT and duration attributes onto the
 * span, so every exporter registered beside it sees them. Ancestors of priced calls get
 * `gen_ai.cost.rollup_usd`. Never throws into `span.end()`; does no I/O on the span path.
 *
 * Register it beside your export processor:
 * `new NodeSDK({ spanProcessors: [new CostSpanProcessor(), new BatchSpanProcessor(exporter)] })`.
 */
export class CostSpanProcessor implements SpanProcessor {
  private readonly _settings: EnrichmentSettings;
  private readonly _priceBook: PriceBookHandle | undefined;
  private readonly _recorder: LlmCallRecorder | undefined;
  private readonly _rollup: CostRollup | undefined;
  private readonly _dimensions: DimensionSources | undefined;
  private readonly _diag = new DiagOnce('CostSpanProcessor');
  private _shutdownPromise: Promise<void> | undefined;

  constructor(options: CostSpanProcessorOptions = {}) {
    ({ settings: this._settings, priceBook: this._priceBook } = assemblePricing(options));
    this._recorder = options.recorder;
    if (options.rollup ?? true) {
      this._rollup = new CostRollup(
        integerOption(options.maxPendingRollups, 'maxPendingRollups', DEFAULT_MAX_PENDING_ROLLUPS),
      );
    }
    this._dimensions = dimensionSourcesFor(options);
  }

  /** Resolves when the price tables named by the configuration have been loaded (or failed to). */
  ready(): Promise<void> {
    return this._priceBook?.ready() ?? Promise.resolve();
  }

  onStart(span: Span, parentContext: Context): void {
    if (this._dimensions === undefined) return;
    try {
      this._dimensions.onStart(span, parentContext);
    } catch (err) {
      this._diag.error('tracking a span for dimensions', err);
    }
  }

  onEnding(span: Span): void {
    // Fast path: a plain span with nothing waiting for a roll-up costs a few property reads.
    const rollup = this._rollup;
    const genAi = mayBeGenAi(span.attributes);
    if (!genAi && (rollup === undefined || rollup.isEmpty)) return;
    try {
      this._annotate(span, genAi, rollup);
    } catch (err) {
      this._diag.error('annotating a span', err);
    }
  }

  onEnd(span: ReadableSpan): void {
    this._dimensions?.onEnd(span);
  }

  forceFlush(): Promise<void> {
    return Promise.resolve();
  }

  /** Stops the price sources' refresh timer and drops pending roll-ups. Idempotent. */
  shutdown(): Promise<void> {
    this._shutdownPromise ??= (async () => {
      this._rollup?.clear();
      this._dimensions?.clear();
      await this._priceBook?.shutdown();
    })().catch((err: unknown) => this._diag.error('shutdown', err));
    return this._shutdownPromise;
  }

  /**
   * Sets attributes and notices when the SDK dropped some because the span was at its attribute
   * count limit (`spanLimits.attributeCountLimit`, default 128): the SDK only counts them in
   * `droppedAttributesCount`. Callers put the most important attribute first.
   */
  private _setAttributes(span: Span, attributes: Attributes): void {
    const before = span.droppedAttributesCount;
    span.setAttributes(attributes);
    const dropped = span.droppedAttributesCount - before;
    if (!(dropped > 0)) return;
    try {
      this._recorder?.recordDroppedAttributes?.(dropped);
    } catch (err) {
      this._diag.error('recording metrics', err);
    }
    if (!this._diag.has('attribute-limit')) {
      const lost = Object.keys(attributes).filter((k) => !Object.prototype.hasOwnProperty.call(span.attributes, k));
      this._diag.warn(
        'attribute-limit',
        `span "${span.name}" is at the SDK's attribute count limit; ${dropped} cost attribute(s) dropped ` +
          `(${lost.join(', ')}). Raise spanLimits.attributeCountLimit (or OTEL_SPAN_ATTRIBUTE_COUNT_LIMIT) ` +
          `by at least ${COST_ATTRIBUTE_HEADROOM}; ` +
          `further drops are counted in the ${METRIC_DROPPED_ATTRIBUTES} metric, not logged.`,
      );
    }
  }

  private _annotate(span: Span, genAi: boolean, rollup: CostRollup | undefined): void {
    const enrichment = genAi ? computeSpanEnrichment(span, this._settings, markedFirstChunk(span)) : undefined;
    if (enrichment !== undefined) {
      this._setAttributes(span, enrichment.attributes);
      const inherited = this._dimensions?.inherited(span);
      if (inherited !== undefined) {
        this._setAttributes(span, inherited);
        // The recorder reads dimensions from the call's attributes; given here too, so they count
        // even when the span's attribute limit dropped them from the span.
        enrichment.call.attributes = { ...enrichment.call.attributes, ...inherited };
      }
    }

    if (rollup !== undefined) {
      const descendants = rollup.take(span.spanContext().spanId);
      if (descendants !== undefined && Number.isFinite(descendants)) {
        this._setAttributes(span, { [ATTR_COST_ROLLUP_USD]: roundUsd(descendants) });
      }
      const parent = span.parentSpanContext;
      // A remote parent never ends here: its slot would only wait for eviction.
      if (
        parent !== undefined &&
        !parent.isRemote &&
        (enrichment?.costUsd !== undefined || descendants !== undefined)
      ) {
        rollup.add(parent.spanId, (enrichment?.costUsd ?? 0) + (descendants ?? 0));
      }
    }

    if (enrichment !== undefined && this._recorder !== undefined) {
      try {
        this._recorder.record(enrichment.call);
      } catch (err) {
        this._diag.error('recording metrics', err);
      }
    }
  }
}
