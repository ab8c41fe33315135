import type { ExportQueue, QueuedRequest } from './export-queue.js';
import type { SendResult, UpstreamClient } from './upstream-client.js';

export interface ForwarderOptions {
  /** Requests sent at once. */
  concurrency: number;
  /** First retry delay (ms); doubles up to `maxBackoffMs`, with ±20% jitter. */
  initialBackoffMs: number;
  maxBackoffMs: number;
  /** A request still failing this long after it was accepted is dropped (ms). */
  maxElapsedMs: number;
}

/** What the forwarder reports, for the gateway's own metrics. */
export interface ForwarderEvents {
  forwarded(request: QueuedRequest): void;
  dropped(request: QueuedRequest, reason: string): void;
  upstreamError(request: QueuedRequest, reason: string): void;
}

/**
 * Takes requests off the queue and sends them upstream, retrying retryable failures with
 * exponential backoff (honouring `Retry-After`) until `maxElapsedMs`; a request leaves the
 * queue's bound only once it was delivered or given up.
 */
export class Forwarder {
  private readonly _workers: Promise<void>[] = [];
  private _stopping = false;
  /** Set at the drain deadline: waiting retries give up at once. */
  private _abandon = false;
  private readonly _sleepers = new Set<() => void>();

  constructor(
    private readonly _queue: ExportQueue,
    private readonly _client: UpstreamClient,
    private readonly _options: ForwarderOptions,
    private readonly _events: ForwarderEvents,
  ) {}

  start(): void {
    for (let i = 0; i < this._options.concurrency; i++) this._workers.push(this._work());
  }

  /**
   * Sends what is queued, then stops. Requests still undelivered at `deadlineMs` (retrying
   * against a dead upstream) are dropped and counted.
   */
  async drain(deadlineMs: number): Promise<void> {
    this._stopping = true;
    this._queue.wake();
    const timer = setTimeout(
      () => {
        this._abandon = true;
        for (const wake of this._sleepers) wake();
      },
      Math.max(0, deadlineMs - Date.now()),
    );
    timer.unref();
    await Promise.all(this._workers);
    clearTimeout(timer);
    this._client.close();
  }

  private async _work(): Promise<void> {
    for (;;) {
      const request = this._queue.take();
      if (request === undefined) {
        if (this._stopping) return;
        await this._queue.whenOffered();
        continue;
      }
      await this._deliver(request);
    }
  }

  private async _deliver(request: QueuedRequest): Promise<void> {
    let backoff = this._options.initialBackoffMs;
    for (;;) {
      let result: SendResult;
      try {
        result = await this._client.send(request);
      } catch (err) {
        result = { ok: false, retryable: true, reason: String(err) };
      }
      if (result.ok) {
        this._queue.release(request);
        this._events.forwarded(request);
        return;
      }
      this._events.upstreamError(request, result.reason);
      const delay = result.retryable ? (result.retryAfterMs ?? jitter(backoff)) : 0;
      const giveUp = !result.retryable
        ? 'rejected by upstream'
        : this._abandon
          ? 'shutdown before the upstream took it'
          : Date.now() + delay - request.acceptedAt > this._options.maxElapsedMs
            ? 'retry time exhausted'
            : undefined;
      if (giveUp !== undefined) {
        this._queue.release(request);
        this._events.dropped(request, `${giveUp} (${result.reason})`);
        return;
      }
      await this._sleep(delay);
      backoff = Math.min(backoff * 2, this._options.maxBackoffMs);
    }
  }

  private _sleep(ms: number): Promise<void> {
    return new Promise((resolve) => {
      const done = (): void => {
        clearTimeout(timer);
        this._sleepers.delete(done);
        resolve();
      };
      const timer = setTimeout(done, ms);
      this._sleepers.add(done);
    });
  }
}

function jitter(ms: number): number {
  return Math.round(ms * (0.8 + Math.random() * 0.4));
}
