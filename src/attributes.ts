/**
 * Attribute names. GenAI constants in `@opentelemetry/semantic-conventions` are deprecated
 * (moved to the GenAI conventions), so the names the product reads and writes are kept here.
 */

// ── Written by the processor (docs/architecture.md "Span attributes": a contract, do not rename) ──
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
/**
 * The attribute a `reported` cost was read from: `gen_ai.usage.cost` (with
 * `gen_ai.usage.cost.source = provider`), `ai.response.providerMetadata` (OpenRouter's billed
 * `usage.cost`), or an attribute the user trusts (`trustedCostAttributes`).
 */
export const ATTR_COST_REPORTED_FROM = 'gen_ai.cost.reported_from';

// ── Written only when asked for (`interop` option, docs/interop.md): other tools' names ──
/** Langfuse OTel ingestion: JSON object of USD per usage type, read as the observation's cost. */
export const ATTR_LANGFUSE_COST_DETAILS = 'langfuse.observation.cost_details';
/** OpenInference (Arize Phoenix): total cost of the call, USD. */
export const ATTR_OPENINFERENCE_COST_TOTAL = 'llm.cost.total';
/** OpenInference: cost of the prompt (uncached input + cache reads + cache writes), USD. */
export const ATTR_OPENINFERENCE_COST_PROMPT = 'llm.cost.prompt';
/** OpenInference: cost of the completion (output, reasoning included), USD. */
export const ATTR_OPENINFERENCE_COST_COMPLETION = 'llm.cost.completion';
/** OpenInference: cost of the uncached input tokens, USD. */
export const ATTR_OPENINFERENCE_COST_PROMPT_INPUT = 'llm.cost.prompt_details.input';
/** OpenInference: cost of the cache reads, USD. */
export const ATTR_OPENINFERENCE_COST_PROMPT_CACHE_READ = 'llm.cost.prompt_details.cache_read';
/** OpenInference: cost of the cache writes, USD. */
export const ATTR_OPENINFERENCE_COST_PROMPT_CACHE_WRITE = 'llm.cost.prompt_details.cache_write';
/** GenAI semconv cost proposal (semantic-conventions-genai PR #443): the amount. */
export const ATTR_SEMCONV_COST_AMOUNT = 'gen_ai.usage.cost.amount';
/** GenAI semconv cost proposal: ISO 4217 currency of the amount (`USD`). */
export const ATTR_SEMCONV_COST_CURRENCY = 'gen_ai.usage.cost.currency';
/**
 * GenAI semconv cost proposal: `local` (computed from token counts and prices) or `provider`
 * (received in the response).
 */
export const ATTR_SEMCONV_COST_SOURCE = 'gen_ai.usage.cost.source';
