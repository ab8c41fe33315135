import type { CostBreakdown, LongContextTier, NormalizedUsage, PriceEntry, Rates, ServiceTier } from './types.js';

/**
 * Providers whose published pricing makes every Batch API rate half the standard one: OpenAI's
 * API pricing page (Batch API: 50% off inputs and outputs; its Batch column) and Anthropic's
 * pricing page and Message Batches docs (batch usage at 50% of standard prices, prompt-caching
 * multipliers on top). Checked against the 52 OpenAI entries of the LiteLLM table that list
 * `*_batches` rates: every one is exactly half of the standard rate (docs/pricing.md).
 */
const HALF_PRICE_BATCH_PROVIDERS: ReadonlySet<string> = new Set(['openai', 'anthropic']);

/** Why `priceCall` could not price a call. */
export type PriceCallProblem = 'invalid_usage' | 'no_usage' | 'unknown_service_tier' | 'invalid_price';

/**
 * Prices one call: usage (semconv meaning, see `NormalizedUsage`) × entry → disjoint parts.
 *
 * Buckets (all disjoint):
 * - uncached input = input − cache reads − cache writes, audio part at the audio rate;
 * - cache reads;
 * - cache writes, split into 1-hour (`cacheWrite1hTokens`) and 5-minute (the rest);
 * - output = output − reasoning − audio at the output rate, reasoning at its own rate,
 *   audio output at its own rate.
 *
 * A per-request fee (`request`, e.g. Perplexity's) is billed once per call with the input part.
 *
 * A class without its own rate falls back: cache read/write 5m → input, write 1h → write 5m →
 * input, reasoning → output, audio → the text rate of its direction.
 *
 * Long context is a cliff: when total input (cache included) is strictly greater than a tier's
 * `above`, every class is billed at that tier (the highest such tier). Service tiers fall back
 * class by class: the tier's own service rate, else the service rate scaled by the cliff
 * (service × cliff / base), else the standard rate of the same context tier — halved for an
 * OpenAI or Anthropic batch call (their published rule). A tier the entry has no rate for at all
 * is `'unknown_service_tier'` (unless that rule applies): never the standard price under the
 * name of another tier.
 *
 * Returns `'no_usage'` when no token was counted and `'invalid_usage'` when the counts are not
 * finite non-negative numbers or contradict each other (cache parts larger than input, 1-hour
 * writes larger than all writes, reasoning plus audio larger than output, audio input larger
 * than uncached input), and `'invalid_price'` when the rates make a part non-finite (an override
 * of 1e308 per token). Never throws.
 */
export function priceCall(entry: PriceEntry, usage: NormalizedUsage): CostBreakdown | PriceCallProblem {
  const input = count(usage.inputTokens);
  const output = count(usage.outputTokens);
  const cacheRead = count(usage.cacheReadTokens);
  const cacheWrite1h = count(usage.cacheWrite1hTokens);
  const cacheWriteAll = count(usage.cacheWriteTokens);
  const reasoning = count(usage.reasoningTokens);
  const inputAudio = count(usage.inputAudioTokens);
  const outputAudio = count(usage.outputAudioTokens);
  if (
    input < 0 ||
    output < 0 ||
    cacheRead < 0 ||
    cacheWrite1h < 0 ||
    cacheWriteAll < 0 ||
    reasoning < 0 ||
    inputAudio < 0 ||
    outputAudio < 0
  ) {
    return 'invalid_usage';
  }
  // A 1-hour count without a total means all writes were 1-hour writes.
  const cacheWrite = usage.cacheWriteTokens === undefined ? cacheWrite1h : cacheWriteAll;
  if (input + output + cacheRead + cacheWrite === 0) return 'no_usage';
  const uncached = input - cacheRead - cacheWrite;
  if (uncached < 0 || cacheWrite1h > cacheWrite || inputAudio > uncached) return 'invalid_usage';
  const plainOutput = output - reasoning - outputAudio;
  if (plainOutput < 0) return 'invalid_usage';

  const serviceTier = usage.serviceTier;
  const r =
    serviceTier === undefined || serviceTier === 'standard'
      ? standardRates(entry, input)
      : tierRates(entry, input, serviceTier);
  if (r === undefined) return 'unknown_service_tier';
  const rIn = r[R_INPUT] as number;
  const rOut = r[R_OUTPUT] as number;
  const rRead = r[R_CACHE_READ] as number;
  const r5m = r[R_CACHE_WRITE_5M] as number;
  const r1h = r[R_CACHE_WRITE_1H] as number;
  const rReason = r[R_REASONING] as number;
  const rInAudio = r[R_INPUT_AUDIO] as number;
  const rOutAudio = r[R_OUTPUT_AUDIO] as number;
  const rRequest = r[R_REQUEST] as number;

  const parts: CostBreakdown = {
    input: round12((uncached - inputAudio) * rIn + inputAudio * rInAudio + rRequest),
    cacheRead: round12(cacheRead * rRead),
    cacheWrite: round12((cacheWrite - cacheWrite1h) * r5m + cacheWrite1h * r1h),
    output: round12(plainOutput * rOut + reasoning * rReason + outputAudio * rOutAudio),
  };
  if (!Number.isFinite(totalOf(parts))) return 'invalid_price';
  return parts;
}

/** Sum of the parts, rounded like the parts (12 significant digits). */
export function totalOf(b: CostBreakdown): number {
  return round12(b.input + b.cacheRead + b.cacheWrite + b.output);
}

/** Exact powers of ten (every one up to 1e22 is a double). */
const POW10 = [
  1, 1e1, 1e2, 1e3, 1e4, 1e5, 1e6, 1e7, 1e8, 1e9, 1e10, 1e11, 1e12, 1e13, 1e14, 1e15, 1e16, 1e17, 1e18, 1e19, 1e20,
  1e21, 1e22,
];

/** A double's bits, to read its binary exponent (`HIGH_WORD`: the word holding it). */
const FLOAT_BITS = new Float64Array(1);
const FLOAT_WORDS = new Uint32Array(FLOAT_BITS.buffer);
const HIGH_WORD = new Uint8Array(new Uint16Array([1]).buffer)[0] === 1 ? 1 : 0;

/**
 * Rounds to 12 significant digits: removes float noise (`0.1 + 0.2`) and nothing else.
 * Same result as `Number(x.toPrecision(12))`, about 8× faster (it runs five times per priced
 * call; see BENCHMARKS.md): the 12-digit integer `n` is `x·10^k` rounded, and `n / 10^k` is
 * the double nearest to that decimal, like parsing it. `x·10^k` is off by at most 2^-14 from
 * the exact product (below 2^40, `10^k` exact), so `n` is right unless the product is close to
 * a half; that case, and x outside (0, 1e12) or too small for k ≤ 22, take the `toPrecision`
 * path. `k` comes from the binary exponent e of x: ⌊log10 x⌋ is ⌊e·log10 2⌋ or one more, so
 * the first guess is right or one too large (then `x·10^k` ≥ 1e12 and k is lowered), without
 * `Math.log10`.
 */
export function round12(x: number): number {
  if (x === 0 || !Number.isFinite(x)) return x === 0 ? 0 : x;
  if (x > 0 && x < 1e12) {
    FLOAT_BITS[0] = x;
    const exponent = (((FLOAT_WORDS[HIGH_WORD] as number) >>> 20) & 0x7ff) - 1023;
    let k = 11 - Math.floor(exponent * 0.3010299956639812);
    if (k >= 0 && k <= 22) {
      let y = x * (POW10[k] as number);
      if (y >= 1e12 && k > 0) y = x * (POW10[--k] as number);
      const n = Math.round(y);
      const frac = y - Math.floor(y);
      if (n >= 1e11 && n <= 1e12 && (frac < 0.499 || frac > 0.501)) return n / (POW10[k] as number);
    }
  }
  return Number(x.toPrecision(12));
}

/** `undefined` → 0; anything that is not a finite non-negative number → −1 (invalid). */
function count(n: number | undefined): number {
  if (n === undefined) return 0;
  return typeof n === 'number' && Number.isFinite(n) && n >= 0 ? n : -1;
}

type RateClass = keyof Rates;

/** Slots of a rate vector: every class's rate with its fallbacks applied (see `priceCall`). */
const R_INPUT = 0;
const R_OUTPUT = 1;
const R_CACHE_READ = 2;
const R_CACHE_WRITE_5M = 3;
const R_CACHE_WRITE_1H = 4;
const R_REASONING = 5;
const R_INPUT_AUDIO = 6;
const R_OUTPUT_AUDIO = 7;
const R_REQUEST = 8;

/** A call's nine rates, fallbacks applied, indexed by the `R_*` slots (the values as read). */
type RateVector = number[];

/** The rate vector of `rate` (`undefined`: the class is not priced), with the fallbacks applied. */
function rateVector(rate: (cls: RateClass) => number | undefined): RateVector {
  const rIn = rate('input') ?? 0;
  const rOut = rate('output') ?? 0;
  const r5m = rate('cacheWrite5m') ?? rIn;
  // In the order of the R_* slots.
  return [
    rIn,
    rOut,
    rate('cacheRead') ?? rIn,
    r5m,
    rate('cacheWrite1h') ?? r5m,
    rate('reasoning') ?? rOut,
    rate('inputAudio') ?? rIn,
    rate('outputAudio') ?? rOut,
    rate('request') ?? 0,
  ];
}

/**
 * Standard-tier rate vectors of an entry, one per long-context level (0: below every cliff),
 * built on the first call at that level. Why: that is almost every call, and reading nine
 * classes through the general `rateFinder` closure (a keyed read of a differently shaped `rates`
 * object each) was the largest part of pricing on the span path (BENCHMARKS.md). Keyed by the
 * entry, whose rates are read only here: an entry is data that is not changed once a table
 * holds it.
 */
const standardVectors = new WeakMap<PriceEntry, Array<RateVector | undefined>>();

function standardRates(entry: PriceEntry, totalInput: number): RateVector {
  let vectors = standardVectors.get(entry);
  if (vectors === undefined) {
    vectors = [];
    standardVectors.set(entry, vectors);
  }
  // The level `rateFinder` picks: the last cliff the input is above.
  let level = 0;
  if (entry.longContext) {
    const cliffs = entry.longContext;
    for (let i = 0; i < cliffs.length; i++) if (totalInput > (cliffs[i] as LongContextTier).above) level = i + 1;
  }
  let vector = vectors[level];
  if (vector === undefined) {
    // Standard tier: `rateFinder` always finds rates; they depend on the level only.
    vector = rateVector(rateFinder(entry, totalInput, undefined) as (cls: RateClass) => number | undefined);
    vectors[level] = vector;
  }
  return vector;
}

/** The rate vector of a call with a service tier other than standard (`undefined`: no rate for it). */
function tierRates(
  entry: PriceEntry,
  totalInput: number,
  serviceTier: ServiceTier | undefined,
): RateVector | undefined {
  const rate = rateFinder(entry, totalInput, serviceTier);
  return rate === undefined ? undefined : rateVector(rate);
}

function rateFinder(
  entry: PriceEntry,
  totalInput: number,
  serviceTier: ServiceTier | undefined,
): ((cls: RateClass) => number | undefined) | undefined {
  let tier: { rates: Rates; serviceTiers?: PriceEntry['serviceTiers'] } = entry;
  if (entry.longContext) {
    for (const t of entry.longContext) if (totalInput > t.above) tier = t;
  }
  const special = serviceTier && serviceTier !== 'standard' ? serviceTier : undefined;
  const tierSvc = special ? tier.serviceTiers?.[special] : undefined;
  const baseSvc = special ? entry.serviceTiers?.[special] : undefined;
  // The standard rate stands in for a class the service tier does not price: as is for a tier the
  // table lists (LiteLLM's own fallback), halved where the provider publishes that rule.
  const halfBatch =
    special === 'batch' && entry.provider !== undefined && HALF_PRICE_BATCH_PROVIDERS.has(entry.provider);
  if (special !== undefined && !halfBatch && !hasServiceRates(entry, special)) return undefined;
  const factor = halfBatch ? 0.5 : 1;
  const scaled = (r: number | undefined): number | undefined => (r === undefined ? undefined : r * factor);
  return (cls) => {
    const fromTierSvc = tierSvc?.[cls];
    if (fromTierSvc !== undefined) return fromTierSvc;
    const fromTier = tier.rates[cls];
    if (tier === entry) return scaled(fromTier);
    if (fromTier !== undefined) {
      // A table that lists a service-tier rate and a cliff rate but not their combination:
      // every combined rate LiteLLM does list is service × cliff / base (80 of 80 fields in the
      // 2026-07-24 snapshot), so apply both; the standard cliff rate alone would make a priority
      // call above the cliff cheaper than the same call below it (gpt-5.5, azure/us/gpt-5.5 …).
      const svcRate = baseSvc?.[cls];
      const baseRate = entry.rates[cls];
      if (svcRate !== undefined && baseRate !== undefined && baseRate > 0) return (svcRate * fromTier) / baseRate;
      return scaled(fromTier);
    }
    // Above the cliff, a class the tier does not price keeps its base rate (service tier first).
    return baseSvc?.[cls] ?? scaled(entry.rates[cls]);
  };
}

/** Whether the entry lists any rate of the service tier, below or above a cliff. */
function hasServiceRates(entry: PriceEntry, tier: Exclude<ServiceTier, 'standard'>): boolean {
  if (isNonEmpty(entry.serviceTiers?.[tier])) return true;
  return entry.longContext?.some((t) => isNonEmpty(t.serviceTiers?.[tier])) ?? false;
}

function isNonEmpty(rates: Rates | undefined): boolean {
  if (rates === undefined) return false;
  for (const k in rates) if (rates[k as RateClass] !== undefined) return true;
  return false;
}
