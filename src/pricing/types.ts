/**
 * The data model shared by every step of the pipeline (docs/architecture.md "The pipeline"):
 * read (NormalizedUsage) → resolve (Resolution) → price (CostResult).
 *
 * Every rate is USD per token. `undefined` means "the source does not price this class";
 * it is never silently read as 0.
 */

export type ServiceTier = 'standard' | 'batch' | 'priority' | 'flex';

/** Per-token rates of one tier of a model, USD per token. */
export interface Rates {
  /** Uncached input (text). */
  input?: number;
  /** Output, including reasoning when `reasoning` is not set. */
  output?: number;
  /** Cache reads (cache hits). */
  cacheRead?: number;
  /** Cache writes with the default (5-minute) TTL. */
  cacheWrite5m?: number;
  /** Cache writes with a one-hour TTL. Falls back to `cacheWrite5m` when absent. */
  cacheWrite1h?: number;
  /** Reasoning output tokens, when the model prices them apart from output. */
  reasoning?: number;
  /** Audio input tokens, when priced apart from text input. */
  inputAudio?: number;
  /** Audio output tokens, when priced apart from text output. */
  outputAudio?: number;
  /** A fixed fee per call in USD (Perplexity's per-request price), billed with the input part. */
  request?: number;
}

/** A long-context cliff: when total input (cache included) is strictly greater than `above`,
 * every class of the request is billed at `rates` (falling back to the base rate per class). */
export interface LongContextTier {
  above: number;
  rates: Rates;
  /** Service-tier rates above the threshold (LiteLLM `*_above_272k_tokens_priority`); a class
   * missing here falls back to `rates`. */
  serviceTiers?: Partial<Record<Exclude<ServiceTier, 'standard'>, Rates>>;
}

/** One model's prices, whatever table it came from. */
export interface PriceEntry {
  /** The table key that prices it, e.g. `claude-sonnet-4-5` or `azure/gpt-4o`. */
  key: string;
  /** Normalized provider id (see `normalizeProvider`), when the table says. */
  provider?: string;
  /** Standard-tier rates. */
  rates: Rates;
  /** Service-tier rates; a class missing here falls back to the standard rate. */
  serviceTiers?: Partial<Record<Exclude<ServiceTier, 'standard'>, Rates>>;
  /** Long-context cliffs, ascending by `above`. */
  longContext?: LongContextTier[];
  /** Which table priced it and its version/date, e.g. `litellm@2026-07-24`. */
  source: string;
  /** Input tokens the model accepts, when the table says (LiteLLM `max_input_tokens`,
   * genai-prices `context_window`). Shown by `llm-cost models`; not used in pricing. */
  contextWindow?: number;
  /** Further ids that name this entry exactly (genai-prices `equals` rules). */
  matchKeys?: readonly string[];
  /** Ids that name this entry only as the base of a revision id or exactly (genai-prices
   * `starts_with` rules: `claude-opus-4-6` accepts `claude-opus-4-6-20260101`, never
   * `claude-opus-4-65`). Lower priority than any table key. */
  baseKeys?: readonly string[];
  /** Dated prices of this model, ascending by `from` (genai-prices `start_date` constraints):
   * a call is priced by the last period that began at or before its time. The entry's own
   * rates are the ones in force when the table was loaded. Absent for most entries, which then
   * cost nothing extra to price. */
  periods?: readonly PricePeriod[];
  /** Milliseconds since the epoch from which this entry applies (an override's
   * `effective_date`). A call before it is priced as if the entry did not exist: by the next
   * source that knows the model. */
  effectiveFrom?: number;
}

/** The prices of a model from a date on. */
export interface PricePeriod {
  /** Milliseconds since the epoch from which `entry` applies; `-Infinity` for the first period. */
  from: number;
  /** The model's prices in this period (same key and provider as the entry that holds it). */
  entry: PriceEntry;
}

/** How a model id was matched to a table key (`gen_ai.cost.match`, docs/architecture.md "Span attributes"). */
export type MatchKind = 'exact' | 'provider' | 'revision' | 'alias';

export interface Resolution {
  entry: PriceEntry;
  match: MatchKind;
  /** When `entry` has an `effectiveFrom`: what prices the model before that date (the next
   * source that knows it), if any. */
  before?: Resolution;
}

/**
 * Token usage of one call with semconv meaning:
 * - `inputTokens` includes cache reads and cache writes;
 * - `cacheWriteTokens` includes `cacheWrite1hTokens`;
 * - `outputTokens` includes `reasoningTokens`;
 * - audio counts are parts of input / output.
 */
export interface NormalizedUsage {
  model?: string;
  provider?: string;
  inputTokens?: number;
  outputTokens?: number;
  cacheReadTokens?: number;
  cacheWriteTokens?: number;
  cacheWrite1hTokens?: number;
  reasoningTokens?: number;
  inputAudioTokens?: number;
  outputAudioTokens?: number;
  serviceTier?: ServiceTier;
  /** When the call was made, in milliseconds since the epoch (the span's start time): dated
   * prices and overrides with an effective date are chosen by it. Default: now. */
  at?: number;
}

/** Disjoint parts of a cost that add up to the total (USD). */
export interface CostBreakdown {
  input: number;
  cacheRead: number;
  cacheWrite: number;
  output: number;
}

/**
 * Why a call was not priced. `unknown_service_tier`: the call names a service tier (batch, flex,
 * priority) the entry has no rate for and the provider publishes no rule for; `invalid_price`:
 * the rates give a non-finite cost (e.g. an override of 1e308 per token).
 */
export type UnpricedReason =
  'no_usage' | 'unknown_model' | 'no_model' | 'invalid_usage' | 'unknown_service_tier' | 'invalid_price';

export type CostResult =
  | {
      costUsd: number;
      breakdown: CostBreakdown;
      pricingKey: string;
      match: MatchKind;
      source: string;
    }
  | {
      costUsd: null;
      reason: UnpricedReason;
    };
