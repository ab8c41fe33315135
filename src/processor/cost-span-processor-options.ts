import type { CostEnrichmentOptions } from '../core/enrichment-options.js';

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
