import {
  metrics,
  type Attributes,
  type BatchObservableResult,
  type Counter,
  type Histogram,
  type Meter,
  type MeterProvider,
  type ObservableCounter,
} from '@opentelemetry/api';
import type { LlmCall, LlmCallRecorder } from '../core/llm-call.js';
import type { NormalizedUsage } from '../pricing/types.js';
import {
  CallSeries,
  SeriesIndex,
  TOKEN_CACHE_READ,
  TOKEN_CACHE_WRITE,
  TOKEN_INPUT,
  TOKEN_OUTPUT,
  TOKEN_REASONING,
} from './call-series.js';
import { CardinalityLimiter, MAX_DIMENSION_VALUE_LENGTH } from './cardinality-limiter.js';
import {
  COST_BUCKETS_USD,
  LATENCY_BUCKETS_SECONDS,
  METER_NAME,
  METRIC_ATTR_MODEL,
  METRIC_ATTR_OPERATION,
  METRIC_ATTR_PROVIDER,
  METRIC_ATTR_UNPRICED_REASON,
  METRIC_CACHE_DETAIL_UNREPORTED,
  METRIC_CACHE_SAVINGS,
  METRIC_CACHE_WRITE_PREMIUM,
  METRIC_CALL_DURATION,
  METRIC_COST,
  METRIC_DROPPED_ATTRIBUTES,
  METRIC_TIME_TO_FIRST_CHUNK,
  METRIC_TOKENS,
  METRIC_UNPRICED_CALLS,
} from './instruments.js';
import { PendingHistogramValues } from './pending-histogram-values.js';
import type { CostMetricsOptions } from './types.js';
import { debug, DiagOnce, warn } from '../diag.js';
import { integerOption } from '../options.js';

const DEFAULT_CARDINALITY_LIMIT = 100;
/** Models whose last series a binding remembers (see `CostMetrics._series`). */
const MAX_RECENT = 512;

interface RecentSeries {
  provider: string | undefined;
  operation: string | undefined;
  series: CallSeries;
}

/** Numbers of the histograms in `Instruments.histograms` (what `PendingHistogramValues` stores). */
const HISTOGRAM_COST = 0;
const HISTOGRAM_TIME_TO_FIRST_CHUNK = 1;
const HISTOGRAM_DURATION = 2;

interface Instruments {
  /** Indexed by `HISTOGRAM_*`. */
  histograms: [cost: Histogram, timeToFirstChunk: Histogram, duration: Histogram];
  tokens: ObservableCounter;
  cacheSavings: ObservableCounter;
  cacheWritePremium: ObservableCounter;
  unpriced: ObservableCounter;
  cacheDetailUnreported: ObservableCounter;
}

/**
 * Records every inference call the processor has seen as aggregate metrics: the cost histogram
 * `gen_ai.usage.cost` (USD), tokens by type, estimated cache savings, time to first chunk, call
 * duration, and a counter of calls that could not be priced, by reason. See `instruments.ts`
 * for the names and why they differ from the semconv client metrics.
 *
 * `record()` runs on the span path: it never throws, and it does not call the metrics SDK.
 * A synchronous record in `@opentelemetry/sdk-metrics` 2.x hashes its attribute set each time
 * (~0.9 µs measured; ~2 µs with a spread attributes object), and one call used to make five or
 * six of them: 5–8 µs per LLM span against ~1.6 µs for the span itself. Instead (see
 * docs/metrics.md, "How recording stays cheap"):
 * - the call's capped attribute values find its {@link CallSeries} through nested Maps, no
 *   key string built;
 * - counters (tokens, cache savings, unpriced calls) are cumulative totals on the series,
 *   reported by observable counters from one batch callback at collection time;
 * - histogram values (cost, TTFT, duration) wait in a bounded {@link PendingHistogramValues}
 *   and are replayed into the synchronous histograms by that same callback, which the SDK
 *   runs before it collects the histograms. A full buffer is replayed on the record that
 *   filled it.
 */
export class CostMetrics implements LlmCallRecorder {
  private readonly _meterProvider: MeterProvider | undefined;
  private readonly _dimensions: string[];
  private readonly _limiter: CardinalityLimiter;
  /** Unpriced reasons come from the pricer, not the app, but a custom pricer could make many. */
  private readonly _reasonLimiter = new CardinalityLimiter(DEFAULT_CARDINALITY_LIMIT);
  private readonly _costBuckets: number[];
  /** Attribute key of each level of the series index: provider, model, operation, dimensions. */
  private readonly _seriesKeys: string[];
  /** Scratch array of one call's capped values, reused (no allocation per call). */
  private readonly _values: Array<string | undefined>;
  /** The binding records go to (the provider current at the last record). */
  private _current: MeterBinding | undefined;
  /** One binding per provider ever seen (global mode), so a provider seen again keeps its totals. */
  private readonly _bindings = new WeakMap<MeterProvider, MeterBinding>();
  private readonly _diag = new DiagOnce();

  constructor(options: CostMetricsOptions = {}) {
    this._meterProvider = options.meterProvider;
    this._dimensions = validDimensions(options.dimensions);
    this._limiter = new CardinalityLimiter(
      integerOption(options.cardinalityLimit, 'CostMetricsOptions.cardinalityLimit', DEFAULT_CARDINALITY_LIMIT),
    );
    this._costBuckets = validBuckets(options.costBucketBoundaries);
    this._seriesKeys = [METRIC_ATTR_PROVIDER, METRIC_ATTR_MODEL, METRIC_ATTR_OPERATION, ...this._dimensions];
    this._values = new Array<string | undefined>(this._seriesKeys.length).fill(undefined);
  }

  /** The extra dimension keys (`CostMetricsOptions.dimensions`), for the processor to fill in. */
  get dimensions(): readonly string[] {
    return this._dimensions;
  }

  record(call: LlmCall): void {
    try {
      this._record(call);
    } catch (err) {
      this._warnFailure(err);
    }
  }

  /** Counts processor attributes the SDK dropped at a span's attribute count limit (a rare event). */
  recordDroppedAttributes(count: number): void {
    try {
      if (Number.isSafeInteger(count) && count > 0) this._resolveBinding().addDroppedAttributes(count);
    } catch (err) {
      this._warnFailure(err);
    }
  }

  private _warnFailure(err: unknown): void {
    // A recorder must not break the app's span.end(); say so once, then stay quiet.
    if (!this._diag.warn('record', 'could not record metrics for an LLM call', err)) {
      debug('could not record metrics for an LLM call', err);
    }
  }

  private _record(call: LlmCall): void {
    const binding = this._resolveBinding();
    const result = call.result;
    const usage: NormalizedUsage = call.usage ?? {};
    // A cost on a call without a kind (a recorder fed by hand) counts as priced from a table.
    const hasCost = result != null && typeof result.costUsd === 'number';
    const priced = hasCost && result.kind !== 'reported';

    const provider = nonEmptyString(usage.provider);
    // Calls priced from a table are keyed by its key (bounded by the table). A reported or
    // unpriced call has no key: it is keyed by the model id the span names, which is unbounded
    // (any string an app sends), so it goes through the cap like every value.
    const model = (priced ? nonEmptyString(result.pricingKey) : undefined) ?? nonEmptyString(usage.model);
    const operation = nonEmptyString(call.operation);
    // Without extra dimensions, a combination seen before finds its series with one lookup.
    const recent = this._dimensions.length === 0 && model !== undefined ? binding.recent.get(model) : undefined;
    const series =
      recent !== undefined && recent.provider === provider && recent.operation === operation
        ? recent.series
        : this._series(binding, provider, model, operation, call.attributes);

    if (hasCost) {
      if (isAmount(result.costUsd)) binding.push(HISTOGRAM_COST, series.attributes, result.costUsd);
      // Savings and the write premium compare a table's cache rate with its uncached rate; a
      // reported cost has no rates (its prompt part includes the cache), so it adds to neither.
      if (priced) {
        const savings = cacheSavingsUsd(usage, result.breakdown);
        if (savings !== undefined && savings > 0) series.addSavings(savings);
        const premium = cacheWritePremiumUsd(usage, result.breakdown);
        if (premium !== undefined && premium > 0) series.addWritePremium(premium);
        if (call.cacheDetailUnreported === true) series.cacheDetailUnreported += 1;
      }
    } else {
      const reason = nonEmptyString(result?.reason) ?? 'unknown';
      series.addUnpriced(this._reasonLimiter.limit(METRIC_ATTR_UNPRICED_REASON, reason));
    }

    addTokensByType(series, usage);
    if (isAmount(call.ttftSeconds)) binding.push(HISTOGRAM_TIME_TO_FIRST_CHUNK, series.attributes, call.ttftSeconds);
    if (isAmount(call.durationSeconds)) binding.push(HISTOGRAM_DURATION, series.attributes, call.durationSeconds);
  }

  /**
   * The series of a call's capped attribute values (provider, model, operation, dimensions), and
   * without dimensions remembered under the model for the next call. Remembering is exact: the
   * limiter answers a value the same way for good (a value it let through stays, a full key
   * stays full) and a combination keeps its series (or its overflow) for good.
   */
  private _series(
    binding: MeterBinding,
    provider: string | undefined,
    model: string | undefined,
    operation: string | undefined,
    spanAttributes: Attributes | undefined,
  ): CallSeries {
    const values = this._values;
    values[0] = provider === undefined ? undefined : this._limiter.limit(METRIC_ATTR_PROVIDER, provider);
    values[1] = model === undefined ? undefined : this._limiter.limit(METRIC_ATTR_MODEL, model);
    values[2] = operation === undefined ? undefined : this._limiter.limit(METRIC_ATTR_OPERATION, operation);
    const dimensions = this._dimensions;
    if (dimensions.length > 0) {
      const attributes = spanAttributes ?? {};
      for (let i = 0; i < dimensions.length; i++) {
        const key = dimensions[i]!;
        const value = attributes[key];
        values[3 + i] =
          typeof value === 'string' || typeof value === 'number' || typeof value === 'boolean'
            ? this._limiter.limit(key, String(value))
            : undefined;
      }
    }
    const series = binding.series.get(values);
    // Model ids of unpriced calls are untrusted: only short ones are remembered, at most MAX_RECENT.
    if (dimensions.length === 0 && model !== undefined && model.length <= MAX_DIMENSION_VALUE_LENGTH) {
      if (binding.recent.size >= MAX_RECENT) binding.recent.clear();
      binding.recent.set(model, { provider, operation, series });
    }
    return series;
  }

  /**
   * With an injected provider, one binding for good. Otherwise the global provider is looked up
   * on every record (one property read) and the binding follows it: a provider registered after
   * this recorder was built is picked up on its next call. Values recorded before a change stay
   * with the provider that was current when they were recorded (as with synchronous
   * instruments): its pending histogram values are replayed into its own instruments at once,
   * and its callback keeps reporting its counter totals to it.
   */
  private _resolveBinding(): MeterBinding {
    const provider = this._meterProvider ?? metrics.getMeterProvider();
    const current = this._current;
    if (current !== undefined && current.provider === provider) return current;
    let binding = this._bindings.get(provider);
    if (binding === undefined) {
      binding = new MeterBinding(provider, this._costBuckets, this._seriesKeys, (err) => this._warnFailure(err));
      this._bindings.set(provider, binding);
    }
    current?.replay();
    this._current = binding;
    return binding;
  }
}

/**
 * The instruments of one MeterProvider, the series recorded for it and their pending
 * histogram values, and the batch observable callback that hands them to the SDK.
 */
class MeterBinding {
  readonly series: SeriesIndex;
  /** Model → the series its last call went to, with that call's provider and operation. */
  readonly recent = new Map<string, RecentSeries>();
  readonly pending = new PendingHistogramValues();
  private readonly _instruments: Instruments;
  /** Created on the first drop: a synchronous counter is fine for an event this rare. */
  private _droppedAttributes: Counter | undefined;

  constructor(
    readonly provider: MeterProvider,
    costBuckets: number[],
    seriesKeys: string[],
    private readonly _onError: (err: unknown) => void,
  ) {
    const meter = provider.getMeter(METER_NAME);
    this._instruments = createInstruments(meter, costBuckets);
    this.series = new SeriesIndex(seriesKeys);
    const { tokens, cacheSavings, cacheWritePremium, unpriced, cacheDetailUnreported } = this._instruments;
    // The histograms must be on the same meter as this callback: the SDK runs a meter's
    // callbacks, then collects that meter's storages (MeterSharedState.collect).
    meter.addBatchObservableCallback(this._observe, [
      tokens,
      cacheSavings,
      cacheWritePremium,
      unpriced,
      cacheDetailUnreported,
    ]);
  }

  /**
   * Queues a histogram value; the push that fills the buffer replays it at once (amortized:
   * one record in `capacity` pays for them all, and memory stays bounded).
   */
  push(histogram: number, attributes: Attributes, value: number): void {
    if (this.pending.push(histogram, attributes, value)) this.replay();
  }

  addDroppedAttributes(count: number): void {
    this._droppedAttributes ??= this.provider.getMeter(METER_NAME).createCounter(METRIC_DROPPED_ATTRIBUTES, {
      description: 'Cost processor attributes dropped because a span was at the SDK attribute count limit.',
      unit: '{attribute}',
    });
    this._droppedAttributes.add(count);
  }

  /** Records every pending histogram value on the SDK histograms. */
  replay(): void {
    this.pending.replay(this._instruments.histograms);
  }

  /** Runs at every collection of every reader, before the SDK collects the histograms. */
  private readonly _observe = (result: BatchObservableResult): void => {
    try {
      this.replay();
      const instruments = this._instruments;
      for (const series of this.series.all) {
        observeSeries(result, series, instruments);
        if (series.hasWritePremium)
          result.observe(instruments.cacheWritePremium, series.writePremiumUsd, series.attributes);
      }
    } catch (err) {
      // Thrown from a callback, it would end up in every collection's `errors`.
      this._onError(err);
    }
  };
}

function observeSeries(result: BatchObservableResult, series: CallSeries, instruments: Instruments): void {
  const { tokens, cacheSavings, unpriced, cacheDetailUnreported } = instruments;
  for (let type = 0; type < series.tokens.length; type++) {
    const attributes = series.tokenAttributes[type];
    if (attributes !== undefined) result.observe(tokens, series.tokens[type]!, attributes);
  }
  if (series.hasSavings) result.observe(cacheSavings, series.savingsUsd, series.attributes);
  if (series.unpriced !== undefined) {
    for (const entry of series.unpriced.values()) result.observe(unpriced, entry.calls, entry.attributes);
  }
  if (series.cacheDetailUnreported > 0) {
    result.observe(cacheDetailUnreported, series.cacheDetailUnreported, series.attributes);
  }
}

function createInstruments(meter: Meter, costBuckets: number[]): Instruments {
  return {
    histograms: [
      meter.createHistogram(METRIC_COST, {
        description:
          'Cost of one LLM call: priced from its token usage and the price table, or the cost the provider reported.',
        unit: 'USD',
        advice: { explicitBucketBoundaries: costBuckets },
      }),
      meter.createHistogram(METRIC_TIME_TO_FIRST_CHUNK, {
        description: 'Seconds from request start to the first chunk of streaming LLM calls.',
        unit: 's',
        advice: { explicitBucketBoundaries: [...LATENCY_BUCKETS_SECONDS] },
      }),
      meter.createHistogram(METRIC_CALL_DURATION, {
        description: 'Seconds per LLM call, from the span duration.',
        unit: 's',
        advice: { explicitBucketBoundaries: [...LATENCY_BUCKETS_SECONDS] },
      }),
    ],
    tokens: meter.createObservableCounter(METRIC_TOKENS, {
      description:
        'Tokens of LLM calls seen by the cost processor, by disjoint type ' +
        '(input = uncached input, output excludes reasoning).',
      unit: '{token}',
    }),
    cacheSavings: meter.createObservableCounter(METRIC_CACHE_SAVINGS, {
      description: 'Estimated USD saved by prompt-cache reads versus the uncached input rate.',
      unit: 'USD',
    }),
    cacheWritePremium: meter.createObservableCounter(METRIC_CACHE_WRITE_PREMIUM, {
      description:
        'Estimated USD that prompt-cache writes cost above the uncached input rate ' +
        '(savings minus this is the net effect of caching).',
      unit: 'USD',
    }),
    unpriced: meter.createObservableCounter(METRIC_UNPRICED_CALLS, {
      description: 'LLM calls that could not be priced, by gen_ai.cost.unpriced_reason.',
      unit: '{call}',
    }),
    cacheDetailUnreported: meter.createObservableCounter(METRIC_CACHE_DETAIL_UNREPORTED, {
      description:
        'Priced LLM calls whose instrumentation does not record cache reads: their cost is an upper bound ' +
        '(gen_ai.cost.cache_detail = unreported).',
      unit: '{call}',
    }),
  };
}

/** Adds the call's disjoint token counts; a type whose count is unknown, invalid or 0 is left out. */
function addTokensByType(series: CallSeries, usage: NormalizedUsage): void {
  const input = count(usage.inputTokens);
  const cacheRead = count(usage.cacheReadTokens) ?? 0;
  const cacheWrite = count(usage.cacheWriteTokens) ?? 0;
  const output = count(usage.outputTokens);
  const reasoning = count(usage.reasoningTokens) ?? 0;
  if (input !== undefined) {
    const uncached = Math.max(0, input - cacheRead - cacheWrite);
    if (uncached > 0) series.addTokens(TOKEN_INPUT, uncached);
  }
  if (cacheRead > 0) series.addTokens(TOKEN_CACHE_READ, cacheRead);
  if (cacheWrite > 0) series.addTokens(TOKEN_CACHE_WRITE, cacheWrite);
  if (output !== undefined) {
    const visible = Math.max(0, output - reasoning);
    if (visible > 0) series.addTokens(TOKEN_OUTPUT, visible);
  }
  if (reasoning > 0) series.addTokens(TOKEN_REASONING, reasoning);
}

/**
 * What the cache reads would have cost at this call's uncached input rate, minus what they did
 * cost. The rate is derived from the priced breakdown (uncached input cost / uncached input
 * tokens), so it already reflects long-context tiers and service tiers. A call with no uncached
 * input gives no rate and records no savings: the estimate errs low, never high.
 */
function cacheSavingsUsd(
  usage: NormalizedUsage,
  breakdown: { input: number; cacheRead: number } | undefined,
): number | undefined {
  const cacheRead = count(usage.cacheReadTokens);
  const input = count(usage.inputTokens);
  if (!breakdown || !cacheRead || input === undefined) return undefined;
  const uncached = input - cacheRead - (count(usage.cacheWriteTokens) ?? 0);
  if (uncached <= 0 || !isAmount(breakdown.input) || !isAmount(breakdown.cacheRead)) return undefined;
  return cacheRead * (breakdown.input / uncached) - breakdown.cacheRead;
}

/**
 * What the cache writes cost above this call's uncached input rate (the same derived rate as
 * {@link cacheSavingsUsd}, so both sides of the cache's economics use one rate). A call with no
 * uncached input gives no rate and records none.
 */
function cacheWritePremiumUsd(
  usage: NormalizedUsage,
  breakdown: { input: number; cacheWrite: number } | undefined,
): number | undefined {
  const cacheWrite = count(usage.cacheWriteTokens);
  const input = count(usage.inputTokens);
  if (!breakdown || !cacheWrite || input === undefined) return undefined;
  const uncached = input - (count(usage.cacheReadTokens) ?? 0) - cacheWrite;
  if (uncached <= 0 || !isAmount(breakdown.input) || !isAmount(breakdown.cacheWrite)) return undefined;
  return breakdown.cacheWrite - cacheWrite * (breakdown.input / uncached);
}

function count(value: unknown): number | undefined {
  return typeof value === 'number' && Number.isFinite(value) && value >= 0 ? value : undefined;
}

function isAmount(value: unknown): value is number {
  return typeof value === 'number' && Number.isFinite(value) && value >= 0;
}

function nonEmptyString(value: unknown): string | undefined {
  return typeof value === 'string' && value.length > 0 ? value : undefined;
}

function validDimensions(value: unknown): string[] {
  if (value === undefined) return [];
  if (!Array.isArray(value) || !value.every((k) => typeof k === 'string' && k.length > 0)) {
    warn('CostMetricsOptions.dimensions must be an array of attribute keys; using []');
    return [];
  }
  return [...new Set(value as string[])];
}

function validBuckets(value: unknown): number[] {
  if (value === undefined) return [...COST_BUCKETS_USD];
  const ok =
    Array.isArray(value) &&
    value.length > 0 &&
    value.every((b, i) => typeof b === 'number' && Number.isFinite(b) && (i === 0 || b > value[i - 1]));
  if (!ok) {
    warn(
      'CostMetricsOptions.costBucketBoundaries must be strictly ascending finite numbers; ' +
        'using the default USD buckets',
    );
    return [...COST_BUCKETS_USD];
  }
  return [...(value as number[])];
}
