import {
  diag,
  metrics,
  type Attributes,
  type Counter,
  type Histogram,
  type Meter,
  type MeterProvider,
} from '@opentelemetry/api';
import type { LlmCall, LlmCallRecorder } from '../processor/llm-call.js';
import type { NormalizedUsage } from '../pricing/types.js';
import { CardinalityLimiter } from './cardinality-limiter.js';
import {
  COST_BUCKETS_USD,
  LATENCY_BUCKETS_SECONDS,
  METER_NAME,
  METRIC_ATTR_MODEL,
  METRIC_ATTR_OPERATION,
  METRIC_ATTR_PROVIDER,
  METRIC_ATTR_TOKEN_TYPE,
  METRIC_ATTR_UNPRICED_REASON,
  METRIC_CACHE_SAVINGS,
  METRIC_CALL_DURATION,
  METRIC_COST,
  METRIC_TIME_TO_FIRST_CHUNK,
  METRIC_TOKENS,
  METRIC_UNPRICED_CALLS,
  type TokenType,
} from './instruments.js';
import type { CostMetricsOptions } from './types.js';

const DEFAULT_CARDINALITY_LIMIT = 100;

interface Instruments {
  cost: Histogram;
  tokens: Counter;
  cacheSavings: Counter;
  timeToFirstChunk: Histogram;
  duration: Histogram;
  unpriced: Counter;
}

/**
 * Records every inference call the processor has seen as aggregate metrics: the cost histogram
 * `gen_ai.usage.cost` (USD), tokens by type, estimated cache savings, time to first chunk, call
 * duration, and a counter of calls that could not be priced, by reason. See `instruments.ts`
 * for the names and why they differ from the semconv client metrics.
 *
 * `record()` runs on the span path: it never throws.
 */
export class CostMetrics implements LlmCallRecorder {
  private readonly _meterProvider: MeterProvider | undefined;
  private readonly _dimensions: string[];
  private readonly _limiter: CardinalityLimiter;
  private readonly _costBuckets: number[];
  /** The provider the current instruments were created on (global mode only). */
  private _instrumentsProvider: MeterProvider | undefined;
  private _instruments: Instruments | undefined;
  private _warnedFailure = false;

  constructor(options: CostMetricsOptions = {}) {
    this._meterProvider = options.meterProvider;
    this._dimensions = validDimensions(options.dimensions);
    this._limiter = new CardinalityLimiter(validLimit(options.cardinalityLimit));
    this._costBuckets = validBuckets(options.costBucketBoundaries);
  }

  record(call: LlmCall): void {
    try {
      this._record(call);
    } catch (err) {
      // A recorder must not break the app's span.end(); say so once, then stay quiet.
      if (!this._warnedFailure) {
        this._warnedFailure = true;
        diag.warn('otel-llm-cost: could not record metrics for an LLM call', err);
      } else {
        diag.debug('otel-llm-cost: could not record metrics for an LLM call', err);
      }
    }
  }

  private _record(call: LlmCall): void {
    const instruments = this._resolveInstruments();
    const result = call.result;
    const usage: NormalizedUsage = call.usage ?? {};
    const priced = result != null && typeof result.costUsd === 'number';

    const attributes: Attributes = {};
    const provider = nonEmptyString(usage.provider);
    if (provider !== undefined) {
      attributes[METRIC_ATTR_PROVIDER] = this._limiter.limit(METRIC_ATTR_PROVIDER, provider);
    }
    // Priced calls are keyed by the price table key (bounded by the table); the raw model id of
    // an unpriced call is unbounded (any string an app sends), so it goes through the cap.
    const model = (priced ? nonEmptyString(result.pricingKey) : undefined) ?? nonEmptyString(usage.model);
    if (model !== undefined) {
      attributes[METRIC_ATTR_MODEL] = this._limiter.limit(METRIC_ATTR_MODEL, model);
    }
    const operation = nonEmptyString(call.operation);
    if (operation !== undefined) {
      attributes[METRIC_ATTR_OPERATION] = this._limiter.limit(METRIC_ATTR_OPERATION, operation);
    }
    const spanAttributes = call.attributes ?? {};
    for (const key of this._dimensions) {
      const value = spanAttributes[key];
      if (typeof value === 'string' || typeof value === 'number' || typeof value === 'boolean') {
        attributes[key] = this._limiter.limit(key, String(value));
      }
    }

    if (priced) {
      if (isAmount(result.costUsd)) instruments.cost.record(result.costUsd, attributes);
      const savings = cacheSavingsUsd(usage, result.breakdown);
      if (savings !== undefined && savings > 0) instruments.cacheSavings.add(savings, attributes);
    } else {
      const reason = nonEmptyString(result?.reason) ?? 'unknown';
      instruments.unpriced.add(1, { ...attributes, [METRIC_ATTR_UNPRICED_REASON]: reason });
    }

    for (const [type, count] of tokensByType(usage)) {
      instruments.tokens.add(count, { ...attributes, [METRIC_ATTR_TOKEN_TYPE]: type });
    }
    if (isAmount(call.ttftSeconds)) instruments.timeToFirstChunk.record(call.ttftSeconds, attributes);
    if (isAmount(call.durationSeconds)) instruments.duration.record(call.durationSeconds, attributes);
  }

  /**
   * With an injected provider, instruments are created once. Otherwise the global provider is
   * looked up on every record (one property read) and instruments are re-created when it
   * changes: a provider registered after this recorder was built is picked up on its next call.
   */
  private _resolveInstruments(): Instruments {
    const provider = this._meterProvider ?? metrics.getMeterProvider();
    if (this._instruments === undefined || provider !== this._instrumentsProvider) {
      this._instrumentsProvider = provider;
      this._instruments = createInstruments(provider.getMeter(METER_NAME), this._costBuckets);
    }
    return this._instruments;
  }
}

function createInstruments(meter: Meter, costBuckets: number[]): Instruments {
  return {
    cost: meter.createHistogram(METRIC_COST, {
      description: 'Cost of one priced LLM call, computed from its token usage and the price table.',
      unit: 'USD',
      advice: { explicitBucketBoundaries: costBuckets },
    }),
    tokens: meter.createCounter(METRIC_TOKENS, {
      description:
        'Tokens of LLM calls seen by the cost processor, by disjoint type (input = uncached input, output excludes reasoning).',
      unit: '{token}',
    }),
    cacheSavings: meter.createCounter(METRIC_CACHE_SAVINGS, {
      description: 'Estimated USD saved by prompt-cache reads versus the uncached input rate.',
      unit: 'USD',
    }),
    timeToFirstChunk: meter.createHistogram(METRIC_TIME_TO_FIRST_CHUNK, {
      description: 'Seconds from request start to the first chunk of streaming LLM calls.',
      unit: 's',
      advice: { explicitBucketBoundaries: [...LATENCY_BUCKETS_SECONDS] },
    }),
    duration: meter.createHistogram(METRIC_CALL_DURATION, {
      description: 'Seconds per LLM call, from the span duration.',
      unit: 's',
      advice: { explicitBucketBoundaries: [...LATENCY_BUCKETS_SECONDS] },
    }),
    unpriced: meter.createCounter(METRIC_UNPRICED_CALLS, {
      description: 'LLM calls that could not be priced, by gen_ai.cost.unpriced_reason.',
      unit: '{call}',
    }),
  };
}

/** Disjoint token counts; a type whose count is unknown or not a valid count is left out. */
function tokensByType(usage: NormalizedUsage): Array<[TokenType, number]> {
  const out: Array<[TokenType, number]> = [];
  const input = count(usage.inputTokens);
  const cacheRead = count(usage.cacheReadTokens) ?? 0;
  const cacheWrite = count(usage.cacheWriteTokens) ?? 0;
  const output = count(usage.outputTokens);
  const reasoning = count(usage.reasoningTokens) ?? 0;
  if (input !== undefined) out.push(['input', Math.max(0, input - cacheRead - cacheWrite)]);
  if (cacheRead > 0) out.push(['cache_read', cacheRead]);
  if (cacheWrite > 0) out.push(['cache_write', cacheWrite]);
  if (output !== undefined) out.push(['output', Math.max(0, output - reasoning)]);
  if (reasoning > 0) out.push(['reasoning', reasoning]);
  return out.filter(([, n]) => n > 0);
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
    diag.warn('otel-llm-cost: CostMetricsOptions.dimensions must be an array of attribute keys; using []');
    return [];
  }
  return [...new Set(value as string[])];
}

function validLimit(value: unknown): number {
  if (value === undefined) return DEFAULT_CARDINALITY_LIMIT;
  if (typeof value !== 'number' || !Number.isInteger(value) || value < 1) {
    diag.warn(
      `otel-llm-cost: CostMetricsOptions.cardinalityLimit must be a positive integer, got ${String(value)}; using ${DEFAULT_CARDINALITY_LIMIT}`,
    );
    return DEFAULT_CARDINALITY_LIMIT;
  }
  return value;
}

function validBuckets(value: unknown): number[] {
  if (value === undefined) return [...COST_BUCKETS_USD];
  const ok =
    Array.isArray(value) &&
    value.length > 0 &&
    value.every((b, i) => typeof b === 'number' && Number.isFinite(b) && (i === 0 || b > value[i - 1]));
  if (!ok) {
    diag.warn(
      'otel-llm-cost: CostMetricsOptions.costBucketBoundaries must be strictly ascending finite numbers; using the default USD buckets',
    );
    return [...COST_BUCKETS_USD];
  }
  return [...(value as number[])];
}
