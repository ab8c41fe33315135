import { diag, type Context } from '@opentelemetry/api';
import type { ReadableSpan, Span, SpanProcessor } from '@opentelemetry/sdk-trace';
import { ATTR_COST_ROLLUP_USD } from '../attributes.js';
import type { InputAccounting, InputAccountingOverrides } from '../conventions/input-accounting.js';
import { mayBeGenAi } from '../conventions/span-role.js';
import { normalizeProvider } from '../pricing/providers.js';
import { CostRollup, roundUsd } from './cost-rollup.js';
import {
  DEFAULT_MAX_PENDING_ROLLUPS,
  type CostEnrichmentOptions,
  type CostSpanProcessorOptions,
} from './cost-span-processor-options.js';
import { DiagOnce } from './diag-once.js';
import { markedFirstChunk } from './first-chunk.js';
import type { LlmCallRecorder } from './llm-call.js';
import { computeSpanEnrichment, type EnrichmentSettings } from './span-enrichment.js';
import { createDefaultPricing, type PricingHandle } from './default-pricing.js';

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
  private readonly _pricing: PricingHandle | undefined;
  private readonly _recorder: LlmCallRecorder | undefined;
  private readonly _rollup: CostRollup | undefined;
  private readonly _diag = new DiagOnce('CostSpanProcessor');
  private _shutdownPromise: Promise<void> | undefined;

  constructor(options: CostSpanProcessorOptions = {}) {
    ({ settings: this._settings, pricing: this._pricing } = pricingFor(options));
    this._recorder = options.recorder;
    if (options.rollup ?? true) {
      this._rollup = new CostRollup(validMaxPending(options.maxPendingRollups));
    }
  }

  /** Resolves when the price tables named by the configuration have been loaded (or failed to). */
  ready(): Promise<void> {
    return this._pricing?.ready() ?? Promise.resolve();
  }

  onStart(_span: Span, _parentContext: Context): void {}

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

  onEnd(_span: ReadableSpan): void {}

  forceFlush(): Promise<void> {
    return Promise.resolve();
  }

  /** Stops the price sources' refresh timer and drops pending roll-ups. Idempotent. */
  shutdown(): Promise<void> {
    this._shutdownPromise ??= (async () => {
      this._rollup?.clear();
      await this._pricing?.shutdown();
    })().catch((err: unknown) => this._diag.error('shutdown', err));
    return this._shutdownPromise;
  }

  private _annotate(span: Span, genAi: boolean, rollup: CostRollup | undefined): void {
    const enrichment = genAi ? computeSpanEnrichment(span, this._settings, markedFirstChunk(span)) : undefined;
    if (enrichment !== undefined) span.setAttributes(enrichment.attributes);

    if (rollup !== undefined) {
      const descendants = rollup.take(span.spanContext().spanId);
      if (descendants !== undefined) span.setAttribute(ATTR_COST_ROLLUP_USD, roundUsd(descendants));
      const parent = span.parentSpanContext;
      // A remote parent never ends here: its slot would only wait for eviction.
      if (parent !== undefined && !parent.isRemote && (enrichment?.costUsd !== undefined || descendants !== undefined)) {
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

/**
 * The pricer the options name (`priceBook`), else a price book the processor owns (built from
 * `pricing` and the environment), with the settings shared by the processor and the exporter.
 */
export function pricingFor(options: CostEnrichmentOptions): { settings: EnrichmentSettings; pricing?: PricingHandle } {
  if (options.priceBook !== undefined) return { settings: enrichmentSettings(options, options.priceBook) };
  const pricing = createDefaultPricing(options.pricing);
  return { settings: enrichmentSettings(options, pricing.pricer), pricing };
}

/** Builds the settings shared with the exporter wrapper, correcting bad override values. */
export function enrichmentSettings(
  options: CostEnrichmentOptions,
  pricer: EnrichmentSettings['pricer'],
): EnrichmentSettings {
  const settings: EnrichmentSettings = { pricer, normalizeProvider };
  const overrides = validOverrides(options.inputAccounting);
  if (overrides !== undefined) settings.inputAccounting = overrides;
  return settings;
}

function validMaxPending(value: number | undefined): number {
  if (value === undefined) return DEFAULT_MAX_PENDING_ROLLUPS;
  if (Number.isInteger(value) && value > 0) return value;
  diag.warn(
    `CostSpanProcessor: maxPendingRollups must be a positive integer, got ${String(value)}; ` +
      `using ${DEFAULT_MAX_PENDING_ROLLUPS}`,
  );
  return DEFAULT_MAX_PENDING_ROLLUPS;
}

function validOverrides(overrides: InputAccountingOverrides | undefined): InputAccountingOverrides | undefined {
  if (overrides === undefined) return undefined;
  const result: InputAccountingOverrides = {};
  for (const field of ['scopes', 'providers'] as const) {
    const table = overrides[field];
    if (table === undefined) continue;
    const clean: Record<string, InputAccounting> = {};
    for (const [key, value] of Object.entries(table)) {
      if (value === 'inclusive' || value === 'additive') clean[key] = value;
      else diag.warn(`CostSpanProcessor: inputAccounting.${field}['${key}'] must be 'inclusive' or 'additive', got ${String(value)}; ignored`);
    }
    result[field] = clean;
  }
  return result;
}
