/**
 * Attribute names. GenAI constants in `@opentelemetry/semantic-conventions` are deprecated
 * (moved to the GenAI conventions), so the names the product reads and writes are kept here.
 */

// ── Written by the processor (DESIGN.md §2: a contract, do not rename) ──
export const ATTR_COST_USD = 'gen_ai.usage.cost_usd';
export const ATTR_COST_INPUT_USD = 'gen_ai.cost.input_usd';
export const ATTR_COST_CACHE_READ_USD = 'gen_ai.cost.cache_read_usd';
export const ATTR_COST_CACHE_WRITE_USD = 'gen_ai.cost.cache_write_usd';
export const ATTR_COST_OUTPUT_USD = 'gen_ai.cost.output_usd';
export const ATTR_COST_PRICING_KEY = 'gen_ai.cost.pricing_key';
export const ATTR_COST_MATCH = 'gen_ai.cost.match';
export const ATTR_COST_SOURCE = 'gen_ai.cost.source';
export const ATTR_COST_UNPRICED_REASON = 'gen_ai.cost.unpriced_reason';
export const ATTR_COST_ROLLUP_USD = 'gen_ai.cost.rollup_usd';
export const ATTR_TIME_TO_FIRST_CHUNK = 'gen_ai.response.time_to_first_chunk';
export const ATTR_OPERATION_DURATION = 'gen_ai.client.operation.duration';

// ── Documented additions of the processor (docs/processor.md) ──
/** `inclusive` | `additive`: how the span's input token count was read; set when cache tokens were reported. */
export const ATTR_COST_INPUT_ACCOUNTING = 'gen_ai.cost.input_accounting';
/** `override` | `reported_breakdown` | `profile` | `heuristic` | `semconv`: why that rule was applied. */
export const ATTR_COST_INPUT_ACCOUNTING_REASON = 'gen_ai.cost.input_accounting_reason';
/**
 * `unreported`: the span's instrumentation never records cache reads (e.g.
 * `@opentelemetry/instrumentation-openai` without `OpenAIUsageInstrumentation`) and the model
 * has a cache-read price, so the cost was computed as if nothing was cached: an upper bound.
 */
export const ATTR_COST_CACHE_DETAIL = 'gen_ai.cost.cache_detail';
