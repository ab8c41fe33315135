import type { Attributes, Histogram } from '@opentelemetry/api';

/** Pending values one recorder holds at most before it replays them on the span path. */
export const DEFAULT_PENDING_CAPACITY = 10_000;

/**
 * Histogram values recorded since the last collection, in record order, waiting to be replayed
 * into the SDK's synchronous histograms.
 *
 * Why: a synchronous `Histogram.record` in `@opentelemetry/sdk-metrics` 2.x hashes the
 * attribute set on every call (sorted keys, `JSON.stringify`): ~0.9 µs per record, two or
 * three per LLM call, more than the span itself costs. The API has no asynchronous histogram,
 * so the values are kept here (a slot is a double, a byte and a reference: nothing is
 * allocated per value) and recorded by the recorder's batch observable callback, which the SDK
 * runs before it collects the synchronous storages of the same meter. Every value recorded
 * before a `collect()` / `forceFlush()` is therefore in it, with exact count, sum, min, max
 * and buckets.
 *
 * Memory stays bounded: when `capacity` values are pending (no reader collecting, or a long
 * export interval under heavy traffic), `push` says so and the caller replays at once on that
 * record: one record in `capacity` pays for them all.
 */
export class PendingHistogramValues {
  private _values: Float64Array | undefined;
  private _histograms: Uint8Array | undefined;
  private _attributes: Attributes[] = [];
  private _length = 0;

  constructor(readonly capacity: number = DEFAULT_PENDING_CAPACITY) {}

  /** Values waiting to be replayed. */
  get length(): number {
    return this._length;
  }

  /**
   * Queues `value` for the histogram numbered `histogram`, with the point attributes
   * `attributes` (kept by reference: pass an object built once per series).
   * @returns true when the buffer is full: it must be replayed before the next push
   */
  push(histogram: number, attributes: Attributes, value: number): boolean {
    if (this._values === undefined) {
      // Allocated on first use: a recorder that never sees a call costs nothing.
      this._values = new Float64Array(this.capacity);
      this._histograms = new Uint8Array(this.capacity);
    }
    const i = this._length++;
    this._values[i] = value;
    this._histograms![i] = histogram;
    this._attributes[i] = attributes;
    return this._length >= this.capacity;
  }

  /** Records every pending value on `histograms[its number]`, in record order, and empties the buffer. */
  replay(histograms: readonly Histogram[]): void {
    const n = this._length;
    // Emptied first: if the SDK threw half-way, the rest is dropped rather than replayed twice
    // or left to grow.
    this._length = 0;
    const values = this._values;
    const which = this._histograms;
    if (values === undefined || which === undefined) return;
    const attributes = this._attributes;
    for (let i = 0; i < n; i++) histograms[which[i]!]!.record(values[i]!, attributes[i]);
  }
}
