import type { Attributes } from '@opentelemetry/api';
import {
  ATTR_COST_CACHE_READ_USD,
  ATTR_COST_CACHE_WRITE_USD,
  ATTR_COST_INPUT_USD,
  ATTR_COST_MATCH,
  ATTR_COST_OUTPUT_USD,
  ATTR_COST_PRICING_KEY,
  ATTR_COST_REPORTED_FROM,
  ATTR_COST_SOURCE,
  ATTR_COST_UNPRICED_REASON,
  ATTR_COST_USD,
} from '../attributes.js';
import { REPORTED_SOURCE } from '../conventions/reported-cost.js';
import { unpricedCost, type CallCost } from '../pricing/call-cost.js';
import type { CostBreakdown, CostResult, MatchKind, NormalizedUsage, UnpricedReason } from '../pricing/types.js';
import { assemblePricing } from '../core/assemble-pricing.js';
import { computeSpanEnrichment, type EnrichmentSettings, type UsagePricer } from '../core/span-enrichment.js';
import type { ReportSpan } from './otlp-json.js';

/** How the report prices spans. */
export interface ReportPricing {
  /** Prices inference spans that carry no cost of their own. */
  pricer: UsagePricer;
  /** `--reprice`: prices every call again with this pricer, as a second figure. Default: none. */
  repricer?: UsagePricer;
  /** `--as-model`: the model every call is repriced as. Default: the call's own model. */
  asModel?: string;
}

/** One inference call found in the input, with its figures. */
export interface ReportCall {
  span: ReportSpan;
  usage: NormalizedUsage;
  /** The cost on the span when it carries one, else the price from `pricer` (or the provider's
   * reported cost the span carries). */
  result: CallCost;
  /** What cache reads saved against the uncached input price minus what cache writes cost above
   * it, with the prices of `result` (0 when unpriced, provider-reported, or no cache tokens). */
  cacheNetSavingsUsd: number;
  /** The second figure, with `--reprice`. */
  repriced?: CostResult;
  /** `gen_ai.operation.name`, when the span has one. */
  operation?: string;
}

/**
 * Prices nothing for a span that carries its recorded cost (the recorded figure replaces the
 * core's answer, so pricing it again would be wasted), and prices every other span: the span-role
 * and usage decisions stay the core's, the figure stays the one the processor wrote at the time.
 */
class RecordedFirstPricer implements UsagePricer {
  recorded = false;
  constructor(private readonly _fallback: UsagePricer) {}
  price(usage: NormalizedUsage): CostResult {
    return this.recorded ? NOT_PRICED_AGAIN : this._fallback.price(usage);
  }
}

/** The core's answer for a span whose recorded cost wins (never used as the call's figure). */
const NOT_PRICED_AGAIN: CostResult = { costUsd: null, reason: 'no_usage' };

/** Prices spans for the report with the enrichment core of the processor (one engine). */
export class SpanPricer {
  private readonly _pricer: RecordedFirstPricer;
  private readonly _settings: EnrichmentSettings;

  constructor(private readonly _pricing: ReportPricing) {
    this._pricer = new RecordedFirstPricer(_pricing.pricer);
    // The processor's settings (one assembly path): providers normalized the same way (input accounting depends on it).
    // cacheDetail off: the report prints nothing from that flag, and checking it prices a call
    // from an instrumentation that never records cache reads a second time (a fifth of the
    // report's own work in the profile).
    this._settings = { ...assemblePricing({ priceBook: this._pricer }).settings, cacheDetail: false };
  }

  /** The call `span` stands for, or `undefined` when it is not an inference span (a plain span,
   * or an agent / workflow / SDK wrapper span that repeats its children's usage). */
  price(span: ReportSpan): ReportCall | undefined {
    const recorded = recordedResult(span.recorded);
    this._pricer.recorded = recorded !== undefined;
    const enrichment = computeSpanEnrichment(span, this._settings);
    this._pricer.recorded = false;
    if (enrichment === undefined) {
      return undefined;
    }
    const usage = enrichment.call.usage;
    // A cost on the span wins even where today's reading of the span would not price it.
    const result = recorded ?? enrichment.call.result;
    const call: ReportCall = {
      span,
      usage,
      result,
      cacheNetSavingsUsd: cacheNetSavings(usage, result, this._pricing.pricer),
    };
    if (enrichment.call.operation !== undefined) call.operation = enrichment.call.operation;
    const repricer = this._pricing.repricer;
    if (repricer !== undefined) {
      const asModel = this._pricing.asModel;
      const repriceUsage: NormalizedUsage =
        asModel !== undefined ? { ...usage, model: asModel, provider: undefined } : usage;
      const hasTokens = usage.inputTokens !== undefined || usage.outputTokens !== undefined;
      call.repriced = hasTokens ? safePrice(repricer, repriceUsage) : unpricedCost('no_usage');
    }
    return call;
  }
}

function safePrice(pricer: UsagePricer, usage: NormalizedUsage): CostResult {
  try {
    return pricer.price(usage);
  } catch {
    return { costUsd: null, reason: 'invalid_usage' };
  }
}

/**
 * Reads back what the processor wrote (docs/architecture.md, "Span attributes"): a cost priced
 * from a table or reported by the provider (`gen_ai.cost.source = reported`), with its parts, or
 * an unpriced reason. Values of the wrong type are ignored (the span is then priced as if it had
 * none).
 */
function recordedResult(recorded: Attributes): CallCost | undefined {
  const cost = recorded[ATTR_COST_USD];
  if (typeof cost === 'number' && Number.isFinite(cost) && cost >= 0) {
    const part = (key: string): number => {
      const v = recorded[key];
      return typeof v === 'number' && Number.isFinite(v) ? v : 0;
    };
    const breakdown: CostBreakdown = {
      input: part(ATTR_COST_INPUT_USD),
      cacheRead: part(ATTR_COST_CACHE_READ_USD),
      cacheWrite: part(ATTR_COST_CACHE_WRITE_USD),
      output: part(ATTR_COST_OUTPUT_USD),
    };
    const source = recorded[ATTR_COST_SOURCE];
    if (source === REPORTED_SOURCE) {
      const from = recorded[ATTR_COST_REPORTED_FROM];
      return { kind: 'reported', costUsd: cost, from: typeof from === 'string' ? from : '', breakdown };
    }
    const key = recorded[ATTR_COST_PRICING_KEY];
    const match = recorded[ATTR_COST_MATCH];
    return {
      kind: 'priced',
      costUsd: cost,
      breakdown,
      pricingKey: typeof key === 'string' ? key : '',
      match: (typeof match === 'string' ? match : 'exact') as MatchKind,
      source: typeof source === 'string' ? source : 'recorded',
    };
  }
  const reason = recorded[ATTR_COST_UNPRICED_REASON];
  if (typeof reason === 'string' && reason.length > 0 && reason.length <= 64) {
    return unpricedCost(reason as UnpricedReason);
  }
  return undefined;
}

/**
 * Cache reads saved (tokens × (uncached input rate − cache read rate)) minus what writes cost
 * above the uncached rate (tokens × (cache write rate − uncached input rate)). Computed as the
 * input side of the same call priced without cache, minus the input side as it was priced: the
 * engine applies tiers and long-context cliffs the same way to both.
 */
function cacheNetSavings(usage: NormalizedUsage, result: CallCost, pricer: UsagePricer): number {
  const cached = (usage.cacheReadTokens ?? 0) + (usage.cacheWriteTokens ?? 0);
  if (result.kind !== 'priced' || cached === 0) return 0;
  const uncached = safePrice(pricer, { ...usage, cacheReadTokens: 0, cacheWriteTokens: 0, cacheWrite1hTokens: 0 });
  if (uncached.costUsd === null) return 0;
  const b = result.breakdown;
  return uncached.breakdown.input - (b.input + b.cacheRead + b.cacheWrite);
}
