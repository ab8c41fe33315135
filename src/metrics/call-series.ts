import type { Attributes } from '@opentelemetry/api';
import { METRIC_ATTR_TOKEN_TYPE, METRIC_ATTR_UNPRICED_REASON, TOKEN_TYPES } from './instruments.js';

/** Index of a token type in {@link TOKEN_TYPES}. */
export const TOKEN_INPUT = 0;
export const TOKEN_CACHE_READ = 1;
export const TOKEN_CACHE_WRITE = 2;
export const TOKEN_OUTPUT = 3;
export const TOKEN_REASONING = 4;

/**
 * Most series one recorder keeps. Each attribute is capped on its own (`cardinalityLimit`), but
 * their product is not; past this many combinations new ones share one overflow series, as the
 * SDK itself does past its default aggregation cardinality limit (2000 attribute sets per
 * instrument: 1999 of their own and the overflow set), so both overflow at the same point.
 */
export const MAX_SERIES = 1999;
/** The attribute set of the overflow series: the SDK's own overflow marker. */
export const OVERFLOW_ATTRIBUTES: Attributes = Object.freeze({ 'otel.metric.overflow': true });

interface UnpricedCount {
  readonly attributes: Attributes;
  calls: number;
}

/**
 * Everything recorded for one metric attribute set (provider, model, operation, extra
 * dimensions): cumulative counter totals, and the SDK attribute objects of its points, built
 * once. The histograms' values are not kept here but in `PendingHistogramValues`, which
 * points at `attributes`.
 */
export class CallSeries {
  /** Tokens by type, indexed like {@link TOKEN_TYPES}; cumulative since the series was created. */
  readonly tokens: number[] = [0, 0, 0, 0, 0];
  /** `attributes` + `gen_ai.token.type`, created on the first count of that type. */
  readonly tokenAttributes: Array<Attributes | undefined> = [undefined, undefined, undefined, undefined, undefined];
  /** Cumulative estimated cache savings, USD; reported once `hasSavings`. */
  savingsUsd = 0;
  hasSavings = false;
  /** Cumulative estimated cache-write premium, USD; reported once `hasWritePremium`. */
  writePremiumUsd = 0;
  hasWritePremium = false;
  /** Unpriced calls by reason. */
  unpriced: Map<string, UnpricedCount> | undefined;
  /** Priced calls whose cost is an upper bound (cache reads not recorded); reported once > 0. */
  cacheDetailUnreported = 0;

  /** @param attributes the point attributes of the cost, duration, TTFT and savings metrics */
  constructor(readonly attributes: Attributes) {}

  addTokens(type: number, count: number): void {
    if (this.tokenAttributes[type] === undefined) {
      this.tokenAttributes[type] = { ...this.attributes, [METRIC_ATTR_TOKEN_TYPE]: TOKEN_TYPES[type] };
    }
    this.tokens[type] = this.tokens[type]! + count;
  }

  addSavings(usd: number): void {
    this.savingsUsd += usd;
    this.hasSavings = true;
  }

  addWritePremium(usd: number): void {
    this.writePremiumUsd += usd;
    this.hasWritePremium = true;
  }

  addUnpriced(reason: string): void {
    this.unpriced ??= new Map();
    let entry = this.unpriced.get(reason);
    if (entry === undefined) {
      entry = { attributes: { ...this.attributes, [METRIC_ATTR_UNPRICED_REASON]: reason }, calls: 0 };
      this.unpriced.set(reason, entry);
    }
    entry.calls += 1;
  }
}

/**
 * Finds the series of a combination of (already capped) attribute values without building a
 * key string per call: one nested Map level per attribute key (provider → model → operation →
 * each extra dimension), `undefined` standing for "attribute absent". A lookup is one Map probe
 * per level on strings the limiter already returned (interned, hash cached), ~10 ns each.
 */
export class SeriesIndex {
  private readonly _root = new Map<string | undefined, unknown>();
  private _overflow: CallSeries | undefined;
  /** Every series, in creation order (what the collection callback walks). */
  readonly all: CallSeries[] = [];

  /** @param _keys the attribute key of each level, in the order of the `values` passed to `get` */
  constructor(private readonly _keys: readonly string[]) {}

  /** The series of `values[i]` for `_keys[i]` (`undefined`: the attribute is absent). */
  get(values: ReadonlyArray<string | undefined>): CallSeries {
    const last = this._keys.length - 1;
    let node = this._root;
    for (let i = 0; i < last; i++) {
      let next = node.get(values[i]) as Map<string | undefined, unknown> | undefined;
      if (next === undefined) {
        if (this.all.length >= MAX_SERIES) return this._overflowSeries();
        next = new Map();
        node.set(values[i], next);
      }
      node = next;
    }
    const found = node.get(values[last]) as CallSeries | undefined;
    if (found !== undefined) return found;
    if (this.all.length >= MAX_SERIES) return this._overflowSeries();
    const attributes: Attributes = {};
    for (let i = 0; i <= last; i++) {
      const value = values[i];
      if (value !== undefined) attributes[this._keys[i]!] = value;
    }
    const series = new CallSeries(attributes);
    node.set(values[last], series);
    this.all.push(series);
    return series;
  }

  private _overflowSeries(): CallSeries {
    if (this._overflow === undefined) {
      this._overflow = new CallSeries(OVERFLOW_ATTRIBUTES);
      this.all.push(this._overflow);
    }
    return this._overflow;
  }
}
