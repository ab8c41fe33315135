import { DiagOnce } from '../diag.js';

/**
 * Costs of priced calls waiting for an ancestor span to end, keyed by the ancestor's span id.
 *
 * A priced span adds its cost to its parent's slot; a span that ends with a slot writes the sum
 * as `gen_ai.cost.rollup_usd` and passes it to its own parent. Memory is bounded: at most
 * `maxPending` slots (one number each); a slot for a parent that never ends here (sampled out,
 * or ended before its child) is evicted oldest-first once the cap is reached.
 */
export class CostRollup {
  private readonly _pending = new Map<string, number>();
  /**
   * How many pending slots have span ids with each value of {@link idBucket}. Why: every ended
   * span is looked up, and most have no slot (leaf LLM calls); a fresh span id is a string the
   * Map has to hash first (~5% of the processor's own work per LLM span, BENCHMARKS.md), while
   * its bucket is two character reads. A bucket at 0 proves there is no slot.
   */
  private readonly _buckets = new Uint32Array(256);
  private readonly _maxPending: number;
  private readonly _diag = new DiagOnce();

  constructor(maxPending: number) {
    this._maxPending = maxPending;
  }

  /** True when no cost waits for any span: the processor's fast path. */
  get isEmpty(): boolean {
    return this._pending.size === 0;
  }

  get size(): number {
    return this._pending.size;
  }

  /** Adds `usd` to the slot of span `parentId`, creating it (and evicting the oldest) if needed. */
  add(parentId: string, usd: number): void {
    const current = this._pending.get(parentId);
    if (current !== undefined) {
      this._pending.set(parentId, current + usd);
      return;
    }
    if (this._pending.size >= this._maxPending) {
      const oldest = this._pending.keys().next().value;
      if (oldest !== undefined) this._remove(oldest);
      this._diag.warn(
        'eviction',
        `more than ${this._maxPending} spans wait for a cost roll-up; ` +
          'evicting the oldest (their parents ended elsewhere or were not recorded). Reported once.',
      );
    }
    this._pending.set(parentId, usd);
    this._buckets[idBucket(parentId)]! += 1;
  }

  /** Removes and returns the accumulated cost of span `spanId`'s descendants, if any. */
  take(spanId: string): number | undefined {
    if (this._buckets[idBucket(spanId)] === 0) return undefined;
    const sum = this._pending.get(spanId);
    if (sum !== undefined) this._remove(spanId);
    return sum;
  }

  clear(): void {
    this._pending.clear();
    this._buckets.fill(0);
  }

  private _remove(spanId: string): void {
    this._pending.delete(spanId);
    this._buckets[idBucket(spanId)]! -= 1;
  }
}

/**
 * One of 256 buckets: the last two characters of a span id as hex digits (W3C ids are hex; any
 * other string still gets a bucket, the same one every time, which is all correctness needs).
 */
function idBucket(spanId: string): number {
  const n = spanId.length;
  return (hexDigit(spanId.charCodeAt(n - 1)) << 4) | hexDigit(spanId.charCodeAt(n - 2));
}

/** `0`–`9` → 0–9, `a`–`f` and `A`–`F` → 10–15; anything else → some value in 0–15. */
function hexDigit(code: number): number {
  return ((code & 15) + (code >> 6) * 9) & 15;
}

/** Removes float noise from a sum of many small costs (USD, 12 decimal places). */
export function roundUsd(usd: number): number {
  return Math.round(usd * 1e12) / 1e12;
}
