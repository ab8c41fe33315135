/**
 * The OpenTelemetry SDK keeps at most `spanLimits.attributeCountLimit` attributes per span
 * (default 128, or `OTEL_SPAN_ATTRIBUTE_COUNT_LIMIT` / `OTEL_ATTRIBUTE_COUNT_LIMIT`) and silently
 * drops any new key beyond it, counting it only in `droppedAttributesCount`. Instrumentations that
 * capture messages as attributes (OpenInference records one attribute per message field) reach
 * that limit before the span ends, and then the processor's cost attributes are lost.
 *
 * `CostSpanProcessor` writes `gen_ai.usage.cost_usd` (or `gen_ai.cost.unpriced_reason`) first,
 * so the total survives whenever one slot is left, warns once through `diag`, and counts what was
 * dropped in the `gen_ai.cost.dropped_attributes` metric (docs/processor.md).
 */

/**
 * How many attributes the processor may add to one span (the cost, its parts and provenance,
 * duration, time to first chunk, input accounting, roll-up and cache detail), rounded up: raise
 * `attributeCountLimit` by at least this much above what your instrumentations record, e.g.
 * `spanLimits: { attributeCountLimit: 128 + COST_ATTRIBUTE_HEADROOM }`.
 */
export const COST_ATTRIBUTE_HEADROOM = 16;
