import type { PriceSourceOptions } from '../sources/config.js';
import type { InputAccountingOverrides } from '../conventions/input-accounting.js';
import type { CostInteropOptions } from '../interop/cost-interop.js';
import type { LlmCallRecorder } from './llm-call.js';
import type { UsagePricer } from './span-enrichment.js';

/** Default cap on spans waiting for a cost roll-up. */
export const DEFAULT_MAX_PENDING_ROLLUPS = 10_000;

/** Options shared by `CostSpanProcessor` and `CostSpanExporter`. */
export interface CostEnrichmentOptions {
  /**
   * Prices calls: a `PriceBook` (or anything with a synchronous, non-throwing `price(usage)`).
   * Default: a price book built by the configuration layer: the LiteLLM table named by
   * `OTEL_LLM_COST_PRICES_PATH` / `OTEL_LLM_COST_PRICES_URL`, else the embedded table.
   */
  priceBook?: UsagePricer;
  /**
   * Where prices come from when `priceBook` is not given (price file or URL, overrides, aliases,
   * refresh interval; see docs/price-sources.md). Explicit values win over the `OTEL_LLM_COST_*`
   * environment variables. Ignored when `priceBook` is given. Default: from the environment.
   */
  pricing?: PriceSourceOptions;
  /**
   * Whether input token counts include cache reads/writes, per instrumentation scope name or
   * per normalized provider id (a scope match wins). Default: none; the built-in profiles of
   * known instrumentations, the span's own breakdown, a heuristic and semconv decide.
   */
  inputAccounting?: InputAccountingOverrides;
  /**
   * Span attributes you trust as the provider's billed cost of the call, in USD, checked in this
   * order before the built-in sources (`gen_ai.usage.cost` with `gen_ai.usage.cost.source =
   * "provider"`, OpenRouter's billed cost in Vercel AI SDK provider metadata). A trusted value is
   * used as is (`gen_ai.cost.source = reported`) instead of pricing the call. Any other cost
   * already on a span (OpenLIT's `gen_ai.usage.cost` estimate, OpenInference's `llm.cost.total`)
   * is left untouched and the call is priced from its usage. Default: none.
   */
  trustedCostAttributes?: string[];
  /** Receives every inference call after its span was annotated (metrics). Default: none. */
  recorder?: LlmCallRecorder;
  /**
   * Also write the cost under other tools' attribute names, one switch per tool:
   * `{ langfuse, openInference, semconvProposal }` (docs/interop.md). Default: all off.
   */
  interop?: CostInteropOptions;
}
