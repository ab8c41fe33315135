import type { PriceSourceOptions } from '../sources/config.js';
import type { InputAccountingOverrides } from '../conventions/input-accounting.js';
import type { CostInteropOptions } from '../interop/cost-interop.js';
import type { LlmCallRecorder } from '../core/llm-call.js';
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

/** Options of `CostSpanProcessor`. */
export interface CostSpanProcessorOptions extends CostEnrichmentOptions {
  /**
   * Write `gen_ai.cost.rollup_usd` on every ancestor of priced calls (agent, workflow, request
   * spans). Default: `true`.
   */
  rollup?: boolean;
  /**
   * At most this many spans wait at once for their descendants' cost (one map entry each);
   * the oldest is evicted beyond it. Must be a positive integer. Default: `10000`.
   */
  maxPendingRollups?: number;
  /**
   * Span attribute keys to carry onto LLM spans (and into the recorder's metric dimensions) from
   * where apps put them: the nearest ancestor span in this process that has the attribute (an
   * HTTP server span, an agent span), else OpenTelemetry baggage. The LLM span's own value wins.
   * Values are written on the LLM span as attributes. See docs/metrics.md, "Cost per user, tenant
   * or feature". Default: the recorder's `dimensions` (`CostMetricsOptions.dimensions`), else none.
   */
  dimensions?: string[];
  /**
   * With dimensions configured, at most this many live spans are remembered (one map entry each,
   * dropped when the span ends) to find an LLM span's ancestors; the oldest is forgotten beyond
   * it. Must be a positive integer. Default: `10000`.
   */
  maxTrackedSpans?: number;
}
