import { OTHER_VALUE } from './instruments.js';
import { DiagOnce } from '../diag.js';

/** Longer attribute values are cut to this many characters: a model id is untrusted input. */
export const MAX_DIMENSION_VALUE_LENGTH = 128;

/**
 * Caps the number of distinct values each metric attribute can take. The first `limit` values of
 * a key pass through; later new values collapse to `_other` (and a warning is logged once per
 * key), so an unbounded source (raw model ids from unknown providers, user ids) cannot blow up
 * the number of series in the backend. Values seen before the cap keep their own series.
 */
export class CardinalityLimiter {
  private readonly _seen = new Map<string, Set<string>>();
  /** One warning per key (the keys are the configured dimensions, a bounded set). */
  private readonly _diag = new DiagOnce();

  constructor(private readonly _limit: number) {}

  /**
   * The value to record for `key`: `value` itself (cut to {@link MAX_DIMENSION_VALUE_LENGTH}
   * characters), or `_other` once the key is full.
   */
  limit(key: string, value: string): string {
    if (value.length > MAX_DIMENSION_VALUE_LENGTH) value = value.slice(0, MAX_DIMENSION_VALUE_LENGTH);
    let values = this._seen.get(key);
    if (values === undefined) {
      values = new Set();
      this._seen.set(key, values);
    }
    if (values.has(value)) return value;
    if (values.size < this._limit) {
      values.add(value);
      return value;
    }
    this._diag.warn(
      key,
      `metric attribute "${key}" reached its limit of ${this._limit} distinct ` +
        `values; further values are recorded as "${OTHER_VALUE}" (raise cardinalityLimit to keep them).`,
    );
    return OTHER_VALUE;
  }
}
