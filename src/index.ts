// Public surface of otel-llm-cost. Each step of the pipeline exports its entry points here.
export * from './attributes.js';
export type {
  ServiceTier,
  Rates,
  LongContextTier,
  PriceEntry,
  MatchKind,
  Resolution,
  NormalizedUsage,
  CostBreakdown,
  UnpricedReason,
  CostResult,
} from './pricing/types.js';
