// Public surface of otel-llm-cost: what a user needs, nothing the pipeline uses internally
// (docs/architecture.md, "Public API"). Internal code, the CLI and the tests import from the
// module that defines a name, never from here. A change here changes
// api-report/otel-llm-cost.api.md: run `npm run api:update` and commit the report with it.

// Attribute names the processor writes (and the interop names it can add): a contract.
export * from './attributes.js';

// Processor, exporter wrapper and their options.
export { CostSpanProcessor } from './processor/cost-span-processor.js';
export type { CostSpanProcessorOptions } from './processor/cost-span-processor-options.js';
export type { CostEnrichmentOptions } from './core/enrichment-options.js';
export { CostSpanExporter } from './processor/cost-span-exporter.js';
export type { CostSpanExporterOptions } from './processor/cost-span-exporter.js';
export { markFirstChunk } from './processor/first-chunk.js';
export { COST_ATTRIBUTE_HEADROOM } from './processor/attribute-limit.js';
export type { UsagePricer } from './core/span-enrichment.js';
export type { LlmCall, LlmCallRecorder } from './core/llm-call.js';
export type { CallCost, PricedCallCost, ReportedCallCost, UnpricedCallCost } from './pricing/call-cost.js';
export type { CostInteropOptions } from './interop/cost-interop.js';
export type { InputAccounting, InputAccountingOverrides } from './conventions/input-accounting.js';

// Metrics and their names.
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
  METRIC_CACHE_DETAIL_UNREPORTED,
  METRIC_DROPPED_ATTRIBUTES,
  TOKEN_TYPES,
  COST_BUCKETS_USD,
} from './metrics/instruments.js';
export type { TokenType } from './metrics/instruments.js';

// OpenAI usage companion: cached and reasoning tokens onto the call's span; the span itself for
// openai versions no registered instrumentation covers (docs/instrumentations.md).
export {
  OpenAIUsageInstrumentation,
  OPENAI_USAGE_INSTRUMENTATION_NAME,
} from './instrumentation/openai/openai-usage-instrumentation.js';
export type { OpenAIUsageInstrumentationConfig } from './instrumentation/openai/openai-usage-instrumentation.js';

// The one-call NodeSDK setup.
export { llmCostNodeSDKOptions } from './setup.js';
export type { LlmCostNodeSDKOptions, LlmCostNodeSDKConfiguration } from './setup.js';
export { flushOnExit } from './setup/flush-on-exit.js';
export type { FlushOnExitOptions } from './setup/flush-on-exit.js';

// Pricing directly: `createPriceBook` assembles the book the processor uses (files, URL,
// overrides, aliases, the embedded table); `PriceBook` with a `PriceTable` (`parseLiteLLMTable`)
// for a table already in memory.
export { createPriceBook } from './sources/price-source.js';
export type { PriceBookHandle } from './sources/price-source.js';
export type { PriceSourceOptions } from './sources/config.js';
export { PriceBook } from './pricing/price-book.js';
export type { PriceBookOptions } from './pricing/price-book.js';
export { PriceTable } from './pricing/price-table.js';
export { parseLiteLLMTable } from './sources/litellm.js';
export type { LiteLLMParseResult } from './sources/litellm.js';
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
