/** One unit of work between a receiver and the forwarder: a request body ready for the upstream. */
export interface QueuedRequest {
  signal: 'traces' | 'metrics' | 'logs';
  encoding: 'protobuf' | 'json';
  body: Uint8Array;
  /** Spans in a trace request (0 for metrics and logs), for the span counts of the queue bound. */
  spans: number;
  /** When it was accepted (ms, `Date.now()`), for the retry deadline. */
  acceptedAt: number;
}

/**
 * Bounded FIFO between receive and forward. A request is counted against the bound from the
 * moment it is accepted until the upstream has taken it (or it was dropped): a request being
 * retried still occupies its place, so a dead upstream fills the queue and the receivers start
 * refusing, which makes the senders keep (and retry) their data instead of us losing it.
 */
export class ExportQueue {
  private readonly _items: QueuedRequest[] = [];
  private _head = 0;
  private _spans = 0;
  private _bytes = 0;
  private readonly _maxSpans: number;
  private readonly _maxBytes: number;
  private _waiters: Array<() => void> = [];

  constructor(maxSpans: number, maxBytes: number) {
    this._maxSpans = maxSpans;
    this._maxBytes = maxBytes;
  }

  /** Spans accepted and not yet forwarded or dropped (waiting or in flight). */
  get spans(): number {
    return this._spans;
  }

  get bytes(): number {
    return this._bytes;
  }

  get maxSpans(): number {
    return this._maxSpans;
  }

  /** Requests waiting to be taken (not in flight). */
  get waiting(): number {
    return this._items.length - this._head;
  }

  /**
   * Whether a new request may be accepted: the queue is below both bounds. Checked before a
   * request is decoded (enriching changes roll-up state, so a request must not be enriched and
   * then refused); the request itself may then take the queue past its bound, by at most one
   * request.
   */
  hasRoom(): boolean {
    return this._spans < this._maxSpans && this._bytes < this._maxBytes;
  }

  /** Adds a request (after `hasRoom()` said yes). */
  push(request: QueuedRequest): void {
    this._items.push(request);
    this._spans += request.spans;
    this._bytes += request.body.byteLength;
    const waiter = this._waiters.shift();
    waiter?.();
  }

  /** The next request to send, or `undefined` when none waits. It stays counted until `release`. */
  take(): QueuedRequest | undefined {
    if (this._head >= this._items.length) return undefined;
    const item = this._items[this._head]!;
    this._items[this._head] = undefined as unknown as QueuedRequest;
    this._head++;
    if (this._head > 1024 && this._head * 2 > this._items.length) {
      this._items.splice(0, this._head);
      this._head = 0;
    }
    return item;
  }

  /** Resolves when a request is offered (or `wake` is called). */
  whenOffered(): Promise<void> {
    if (this.waiting > 0) return Promise.resolve();
    return new Promise((resolve) => this._waiters.push(resolve));
  }

  /** Ends every `whenOffered` wait (shutdown). */
  wake(): void {
    const waiters = this._waiters;
    this._waiters = [];
    for (const w of waiters) w();
  }

  /** Frees the place of a request that was forwarded or dropped. */
  release(request: QueuedRequest): void {
    this._spans -= request.spans;
    this._bytes -= request.body.byteLength;
  }
}
