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
      if (oldest !== undefined) this._pending.delete(oldest);
      this._diag.warn(
        'eviction',
        `more than ${this._maxPending} spans wait for a cost roll-up; ` +
          'evicting the oldest (their parents ended elsewhere or were not recorded). Reported once.',
      );
    }
    this._pending.set(parentId, usd);
  }

  /** Removes and returns the accumulated cost of span `spanId`'s descendants, if any. */
  take(spanId: string): number | undefined {
    const sum = this._pending.get(spanId);
    if (sum !== undefined) this._pending.delete(spanId);
    return sum;
  }

  clear(): void {
    this._pending.clear();
  }
}

/** Removes float noise from a sum of many small costs (USD, 12 decimal places). */
export function roundUsd(usd: number): number {
  return Math.round(usd * 1e12) / 1e12;
}
