/**
 * Names, units and bucket boundaries of the metrics recorded by `CostMetrics`.
 *
 * Why these names: instrumentations (e.g. `@opentelemetry/instrumentation-openai`) already emit
 * the semconv metrics `gen_ai.client.token.usage`, `gen_ai.client.operation.duration` and
 * `gen_ai.client.operation.time_to_first_chunk`. Recording under the same names would add a second
 * set of points to the same series and double every sum in a dashboard. So everything except the
 * cost histogram (a contract, docs/architecture.md "Metrics") lives under `gen_ai.cost.*`: "as seen by the cost
 * processor", with the same dimensions as the cost.
 *
 * Prometheus names after a Collector `prometheus` exporter (unit and `_total` suffixes added;
 * `{token}` / `{call}` annotations dropped) are given next to each constant.
 */

/** Cost of one priced call, USD. Prometheus: `gen_ai_usage_cost_USD_{bucket,sum,count}`. */
export const METRIC_COST = 'gen_ai.usage.cost';
/** Tokens by `gen_ai.token.type` (disjoint types). Prometheus: `gen_ai_cost_tokens_total`. */
export const METRIC_TOKENS = 'gen_ai.cost.tokens';
/**
 * Estimated USD saved by cache reads versus paying the uncached input rate.
 * Prometheus: `gen_ai_cost_cache_savings_USD_total`.
 */
export const METRIC_CACHE_SAVINGS = 'gen_ai.cost.cache_savings';
/**
 * Estimated USD that cache writes cost above the uncached input rate (the price of creating a
 * cache entry). With `gen_ai.cost.cache_savings`, the net effect of prompt caching.
 * Prometheus: `gen_ai_cost_cache_write_premium_USD_total`.
 */
export const METRIC_CACHE_WRITE_PREMIUM = 'gen_ai.cost.cache_write_premium';
/** Seconds to first chunk of streaming calls. Prometheus: `gen_ai_cost_call_time_to_first_chunk_seconds_*`. */
export const METRIC_TIME_TO_FIRST_CHUNK = 'gen_ai.cost.call.time_to_first_chunk';
/** Seconds per call (span duration). Prometheus: `gen_ai_cost_call_duration_seconds_*`. */
export const METRIC_CALL_DURATION = 'gen_ai.cost.call.duration';
/** Calls that could not be priced, by reason. Prometheus: `gen_ai_cost_unpriced_calls_total`. */
export const METRIC_UNPRICED_CALLS = 'gen_ai.cost.unpriced_calls';
/**
 * Processor attributes the SDK dropped because a span was at its attribute count limit
 * (docs/processor.md). Prometheus: `gen_ai_cost_dropped_attributes_total`.
 */
export const METRIC_DROPPED_ATTRIBUTES = 'gen_ai.cost.dropped_attributes';

/**
 * Priced calls whose cost is an upper bound because their instrumentation never records cache
 * reads (span attribute `gen_ai.cost.cache_detail` = `unreported`).
 * Prometheus: `gen_ai_cost_cache_detail_unreported_total`.
 */
export const METRIC_CACHE_DETAIL_UNREPORTED = 'gen_ai.cost.cache_detail_unreported';

// ── Metric attributes ──
export const METRIC_ATTR_PROVIDER = 'gen_ai.provider.name';
/** The pricing key when priced (bounded by the price table), else the raw model id (capped). */
export const METRIC_ATTR_MODEL = 'gen_ai.request.model';
export const METRIC_ATTR_OPERATION = 'gen_ai.operation.name';
/** Token type on `gen_ai.cost.tokens`: one of `TOKEN_TYPES`. */
export const METRIC_ATTR_TOKEN_TYPE = 'gen_ai.token.type';
export const METRIC_ATTR_UNPRICED_REASON = 'gen_ai.cost.unpriced_reason';

/**
 * Disjoint token types: their sum is the call's total tokens. `input` is uncached input
 * (semconv input minus cache reads and writes); `output` excludes `reasoning`.
 */
export const TOKEN_TYPES = ['input', 'cache_read', 'cache_write', 'output', 'reasoning'] as const;
export type TokenType = (typeof TOKEN_TYPES)[number];

/** Value an attribute collapses to once its cardinality limit is reached. */
export const OTHER_VALUE = '_other';

/**
 * Dollar-sized buckets for the cost of one call: a cached Haiku call costs ~$0.0001, a long
 * Opus / o1 call with reasoning several dollars.
 */
export const COST_BUCKETS_USD: readonly number[] = [
  0.00001, 0.00005, 0.0001, 0.0005, 0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10,
];

/** Semconv's advice for `gen_ai.client.operation.duration`, reused for both latency histograms. */
export const LATENCY_BUCKETS_SECONDS: readonly number[] = [
  0.01, 0.02, 0.04, 0.08, 0.16, 0.32, 0.64, 1.28, 2.56, 5.12, 10.24, 20.48, 40.96, 81.92,
];

/** Instrumentation scope of every instrument. */
export const METER_NAME = 'otel-llm-cost';
