// Public surface of otel-llm-cost. Each step of the pipeline exports its entry points here.
export * from './attributes.js';
export type {
  ServiceTier,
  Rates,
  LongContextTier,
  PriceEntry,
  PricePeriod,
  MatchKind,
  Resolution,
  NormalizedUsage,
  CostBreakdown,
  UnpricedReason,
  CostResult,
} from './pricing/types.js';

// Pricing (DESIGN.md §1 steps 2 and 3): resolve a model, price a call.
export { PriceBook, embeddedPriceTable } from './pricing/price-book.js';
export type { PriceBookOptions } from './pricing/price-book.js';
export { PriceTable } from './pricing/price-table.js';
export { priceCall } from './pricing/price.js';
export { normalizeProvider } from './pricing/providers.js';
export { parseLiteLLMTable } from './pricing/litellm.js';
export type { LiteLLMParseResult } from './pricing/litellm.js';
export { loadEmbeddedEntries } from './pricing/genai-prices.js';

// Price sources: one config layer (options over OTEL_LLM_COST_*), a LiteLLM file or URL with a
// disk cache, overrides and aliases (docs/price-sources.md).
export { createPriceBook, PriceSource } from './sources/price-source.js';
export type { PriceBookHandle } from './sources/price-source.js';
export { resolveConfig } from './config.js';
export type { PriceSourceOptions, ResolvedPriceSourceConfig } from './config.js';

// Processor (DESIGN.md §1 steps 1 and 4): read conventions, annotate spans, roll up.
export { CostSpanProcessor } from './processor/cost-span-processor.js';
export type { CostSpanProcessorOptions, CostEnrichmentOptions } from './processor/cost-span-processor-options.js';
export { CostSpanExporter } from './processor/cost-span-exporter.js';
export type { CostSpanExporterOptions } from './processor/cost-span-exporter.js';
export { markFirstChunk } from './processor/first-chunk.js';
export { COST_ATTRIBUTE_HEADROOM } from './processor/attribute-limit.js';
export { computeSpanEnrichment } from './processor/span-enrichment.js';
export type { SpanView, SpanEnrichment, EnrichmentSettings, UsagePricer } from './processor/span-enrichment.js';
export type { LlmCall, LlmCallRecorder } from './processor/llm-call.js';
export type { CostInteropOptions } from './interop/cost-interop.js';
export { readUsage } from './conventions/read-usage.js';
export type { ReadUsageOptions, UsageReading } from './conventions/read-usage.js';
export { INSTRUMENTATION_PROFILES } from './conventions/input-accounting.js';
export type {
  InputAccounting,
  InputAccountingReason,
  InputAccountingDecision,
  InputAccountingOverrides,
  InstrumentationProfile,
} from './conventions/input-accounting.js';

// Metrics (DESIGN.md §1 step 5) and the one-call NodeSDK setup.
export { CostMetrics } from './metrics/cost-metrics.js';
export type { CostMetricsOptions } from './metrics/types.js';
export {
  METRIC_COST,
  METRIC_TOKENS,
  METRIC_CACHE_SAVINGS,
  METRIC_CACHE_WRITE_PREMIUM,
  METRIC_TIME_TO_FIRST_CHUNK,
  METRIC_CALL_DURATION,
  METRIC_UNPRICED_CALLS,
  METRIC_DROPPED_ATTRIBUTES,
  TOKEN_TYPES,
  COST_BUCKETS_USD,
} from './metrics/instruments.js';
export type { TokenType } from './metrics/instruments.js';
export { llmCostNodeSDKOptions } from './setup.js';
export { flushOnExit } from './setup/flush-on-exit.js';
export type { FlushOnExitOptions } from './setup/flush-on-exit.js';
export type { LlmCostNodeSDKOptions, LlmCostNodeSDKConfiguration } from './setup.js';
