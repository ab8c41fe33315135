import type { Attributes, HrTime } from '@opentelemetry/api';
import {
  ATTR_COST_CACHE_DETAIL,
  ATTR_COST_CACHE_READ_USD,
  ATTR_COST_CACHE_WRITE_USD,
  ATTR_COST_INPUT_ACCOUNTING,
  ATTR_COST_INPUT_ACCOUNTING_REASON,
  ATTR_COST_INPUT_USD,
  ATTR_COST_MATCH,
  ATTR_COST_OUTPUT_USD,
  ATTR_COST_PRICING_KEY,
  ATTR_COST_REPORTED_FROM,
  ATTR_COST_SOURCE,
  ATTR_COST_UNPRICED_REASON,
  ATTR_COST_USD,
  ATTR_OPERATION_DURATION,
  ATTR_TIME_TO_FIRST_CHUNK,
} from '../attributes.js';
import { isCacheDetailUnreported } from '../conventions/cache-detail.js';
import type { InputAccountingOverrides } from '../conventions/input-accounting.js';
import { readUsage } from '../conventions/read-usage.js';
import { readReportedCost, REPORTED_SOURCE, type ReportedCost } from '../conventions/reported-cost.js';
import { mayBeGenAi, spanRole } from '../conventions/span-role.js';
import { hrTimeDiffSeconds, readTimeToFirstChunk, type TimedEventView } from '../conventions/time-to-first-chunk.js';
import { callCostOf, unpricedCost, type CallCost, type ReportedCallCost } from '../pricing/call-cost.js';
import type { CostResult, NormalizedUsage } from '../pricing/types.js';
import { interopAttributes, type CostInteropOptions } from '../interop/cost-interop.js';
import type { LlmCall } from './llm-call.js';

/** Anything that prices normalized usage: a `PriceBook`, or a function-backed stub in tests. */
export interface UsagePricer {
  /** Must be synchronous and must not throw (a throw is caught and reported once). */
  price(usage: NormalizedUsage): CostResult;
}

/**
 * The parts of a span the enrichment reads: a `ReadableSpan` or an SDK `Span` in `onEnding`
 * satisfy it. Nothing else (no content attribute, no resource) is looked at.
 */
export interface SpanView {
  readonly name: string;
  readonly attributes: Attributes;
  readonly instrumentationScope: { readonly name: string; readonly version?: string };
  readonly startTime: HrTime;
  readonly endTime: HrTime;
  readonly events: readonly TimedEventView[];
}

/** How to price, shared by the processor and the exporter wrapper. */
export interface EnrichmentSettings {
  pricer: UsagePricer;
  inputAccounting?: InputAccountingOverrides;
  normalizeProvider?: (provider: string) => string | undefined;
  /** Attributes trusted as the provider's billed cost in USD (`CostEnrichmentOptions.trustedCostAttributes`). */
  trustedCostAttributes?: readonly string[];
  /** Other tools' cost attributes to write too (validated); none when absent. */
  interop?: CostInteropOptions;
  /**
   * Whether to check for `gen_ai.cost.cache_detail = unreported` (it prices the call a second
   * time, as if every input token had been a cache read). Default `true`; the report, which
   * prints nothing from the flag, turns it off.
   */
  cacheDetail?: boolean;
}

/** The attributes to add to one inference span, and what the metrics recorder is told. */
export interface SpanEnrichment {
  attributes: Attributes;
  call: LlmCall;
  /** The call's cost when it was priced (or reported), for the roll-up. */
  costUsd?: number;
}

/**
 * Computes what to add to a span, or `undefined` when the span is not an inference span (not
 * GenAI, an aggregate/wrapper span, or already enriched by another processor). Pure: the span is
 * not touched. May throw only if the pricer throws; callers catch.
 */
export function computeSpanEnrichment(
  span: SpanView,
  settings: EnrichmentSettings,
  markedFirstChunk?: HrTime,
): SpanEnrichment | undefined {
  const source = span.attributes;
  if (!mayBeGenAi(source)) return undefined;
  // Enriched already (a second processor, or the exporter wrapper behind the processor).
  // The total is checked too: on a span at the attribute count limit it may be all that was kept.
  // Literal keys (`satisfies` keeps them equal to the constants): read by a bundled constant, a
  // variable, each absent key cost ~30 ns instead of a few (BENCHMARKS.md).
  if (
    source['gen_ai.usage.cost_usd' satisfies typeof ATTR_COST_USD] !== undefined ||
    source['gen_ai.cost.source' satisfies typeof ATTR_COST_SOURCE] !== undefined ||
    source['gen_ai.cost.unpriced_reason' satisfies typeof ATTR_COST_UNPRICED_REASON] !== undefined
  ) {
    return undefined;
  }

  const scope = span.instrumentationScope;
  const reading = readUsage(source, {
    scopeName: scope.name,
    scopeVersion: scope.version,
    inputAccounting: settings.inputAccounting,
    normalizeProvider: settings.normalizeProvider,
  });
  const usage = reading.usage;
  if (spanRole(span.name, source, reading.hasUsage || usage.model !== undefined) !== 'inference') return undefined;
  // Each call is priced at its own time (dated prices, overrides with an effective date). A span
  // without a start time (0 in a stored span that lacks one) is priced now.
  const startMs = span.startTime[0] * 1000 + span.startTime[1] / 1e6;
  if (startMs > 0) usage.at = startMs;

  const ttft = readTimeToFirstChunk(source, span.events, span.startTime, markedFirstChunk);
  const durationSeconds = Math.max(0, hrTimeDiffSeconds(span.startTime, span.endTime));

  const reported = readReportedCost(source, settings.trustedCostAttributes);
  const cost: CallCost =
    reported !== undefined
      ? reportedCost(reported)
      : reading.invalidKey !== undefined
        ? unpricedCost('invalid_usage')
        : !reading.hasUsage
          ? unpricedCost('no_usage')
          : usage.model === undefined
            ? unpricedCost('no_model')
            : callCostOf(settings.pricer.price(usage));

  // Most important first: a span near the SDK's attribute count limit keeps the attributes set
  // first (setAttributes goes in insertion order), so the total survives when one slot is left.
  const added: Attributes = {};
  let cacheDetailUnreported = false;
  if (cost.kind === 'priced') {
    added[ATTR_COST_USD] = cost.costUsd;
    added[ATTR_COST_SOURCE] = cost.source;
    added[ATTR_COST_PRICING_KEY] = cost.pricingKey;
    added[ATTR_COST_MATCH] = cost.match;
    added[ATTR_COST_INPUT_USD] = cost.breakdown.input;
    added[ATTR_COST_CACHE_READ_USD] = cost.breakdown.cacheRead;
    added[ATTR_COST_CACHE_WRITE_USD] = cost.breakdown.cacheWrite;
    added[ATTR_COST_OUTPUT_USD] = cost.breakdown.output;
    if (
      settings.cacheDetail !== false &&
      isCacheDetailUnreported(scope.name, usage, cost.costUsd, (u) => settings.pricer.price(u))
    ) {
      added[ATTR_COST_CACHE_DETAIL] = 'unreported';
      cacheDetailUnreported = true;
    }
  } else if (cost.kind === 'reported') {
    // No table priced it: no pricing key, no match (docs/architecture.md, "Span attributes").
    added[ATTR_COST_USD] = cost.costUsd;
    added[ATTR_COST_SOURCE] = REPORTED_SOURCE;
    added[ATTR_COST_REPORTED_FROM] = cost.from;
    if (cost.breakdown !== undefined) {
      added[ATTR_COST_INPUT_USD] = cost.breakdown.input;
      added[ATTR_COST_CACHE_READ_USD] = cost.breakdown.cacheRead;
      added[ATTR_COST_CACHE_WRITE_USD] = cost.breakdown.cacheWrite;
      added[ATTR_COST_OUTPUT_USD] = cost.breakdown.output;
    }
  } else {
    added[ATTR_COST_UNPRICED_REASON] = cost.reason;
  }
  if (cost.kind !== 'unpriced' && settings.interop !== undefined) {
    Object.assign(added, interopAttributes(cost, settings.interop, source));
  }
  added[ATTR_OPERATION_DURATION] = durationSeconds;
  if (ttft !== undefined && !ttft.alreadySet) added[ATTR_TIME_TO_FIRST_CHUNK] = ttft.seconds;
  if (reading.accounting !== undefined) {
    added[ATTR_COST_INPUT_ACCOUNTING] = reading.accounting.accounting;
    added[ATTR_COST_INPUT_ACCOUNTING_REASON] = reading.accounting.reason;
  }

  const call: LlmCall = { usage, result: cost, durationSeconds, attributes: source };
  const operation = source['gen_ai.operation.name'];
  if (typeof operation === 'string') call.operation = operation;
  if (ttft !== undefined) call.ttftSeconds = ttft.seconds;
  if (cacheDetailUnreported) call.cacheDetailUnreported = true;

  const enrichment: SpanEnrichment = { attributes: added, call };
  if (cost.costUsd !== null) enrichment.costUsd = cost.costUsd;
  return enrichment;
}

/**
 * A provider-reported cost as the call's cost. The split into input and output is kept only
 * when the span's own parts add up to its total (OpenInference `llm.cost.prompt` +
 * `llm.cost.completion`, both non-zero in sum); otherwise only the total is known.
 */
function reportedCost(reported: ReportedCost): ReportedCallCost {
  const cost: ReportedCallCost = { kind: 'reported', costUsd: reported.totalUsd, from: reported.from };
  const input = reported.inputUsd ?? 0;
  const output = reported.outputUsd ?? 0;
  const consistent = Math.abs(input + output - reported.totalUsd) <= 1e-9 * Math.max(1, reported.totalUsd);
  if (consistent && input + output > 0) cost.breakdown = { input, cacheRead: 0, cacheWrite: 0, output };
  return cost;
}
