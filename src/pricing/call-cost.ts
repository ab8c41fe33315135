import type { CostBreakdown, CostResult, MatchKind, UnpricedReason } from './types.js';

/**
 * What one call cost, and how that is known (docs/architecture.md, "Contracts"): priced from a
 * price table, reported by the provider (a billed cost the span carried), or not priced. Every
 * kind has `costUsd` (`null` only when not priced), so a sum needs no switch; what explains the
 * figure depends on the kind, and nothing is borrowed from another kind.
 */
export type CallCost = PricedCallCost | ReportedCallCost | UnpricedCallCost;

/** Priced from a price table: the entry that priced it and how the model id matched it. */
export interface PricedCallCost {
  /** Priced from a table. */
  kind: 'priced';
  /** Total USD of the call (`gen_ai.usage.cost_usd`). */
  costUsd: number;
  /** Disjoint parts that add up to `costUsd`. */
  breakdown: CostBreakdown;
  /** The table key that priced it (`gen_ai.cost.pricing_key`). */
  pricingKey: string;
  /** How the model id matched that key (`gen_ai.cost.match`). */
  match: MatchKind;
  /** The table and its version or date (`gen_ai.cost.source`). */
  source: string;
}

/**
 * The provider's billed cost, read from the span (`gen_ai.cost.source = reported`). No table
 * priced it: there is no pricing key, no match and no rate.
 */
export interface ReportedCallCost {
  /** The provider's billed cost, read from the span. */
  kind: 'reported';
  /** Total USD the provider reported (`gen_ai.usage.cost_usd`). */
  costUsd: number;
  /** The attribute the cost was read from (`gen_ai.cost.reported_from`). */
  from: string;
  /**
   * The span's own prompt and completion parts, when it reported them and they add up to the
   * total (the prompt part includes whatever was cached: cache parts are 0). Absent otherwise.
   */
  breakdown?: CostBreakdown;
}

/** Not priced, and why (`gen_ai.cost.unpriced_reason`). */
export interface UnpricedCallCost {
  /** Not priced. */
  kind: 'unpriced';
  /** Never a fake 0. */
  costUsd: null;
  /** Why (`gen_ai.cost.unpriced_reason`). */
  reason: UnpricedReason;
}

/** A price book's answer as a call's cost. */
export function callCostOf(result: CostResult): PricedCallCost | UnpricedCallCost {
  if (result.costUsd === null) return { kind: 'unpriced', costUsd: null, reason: result.reason };
  return {
    kind: 'priced',
    costUsd: result.costUsd,
    breakdown: result.breakdown,
    pricingKey: result.pricingKey,
    match: result.match,
    source: result.source,
  };
}

/** A call that was not priced, for `reason`. */
export function unpricedCost(reason: UnpricedReason): UnpricedCallCost {
  return { kind: 'unpriced', costUsd: null, reason };
}
