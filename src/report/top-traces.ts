import { round12 } from '../pricing/price.js';

/** One line of `--top-traces`. */
export interface TopTrace {
  trace_id: string;
  cost_usd: number;
  calls: number;
  /** `service.name` of the first call seen in the trace. */
  service: string | null;
  /** Start of the trace's first call seen (ISO 8601). */
  start: string | null;
}

interface Candidate {
  cost: number;
  calls: number;
  startMs: number;
  service: string | null;
}

/**
 * The N most expensive traces in bounded memory. Candidates are kept in a map; when it holds
 * `capacity` traces it is cut back to the most expensive half. A trace cut away and seen again
 * starts from zero, so it can be undercounted, by at most the largest cost that was cut
 * (`uncertaintyUsd`). Spans of one trace sit close together in Collector files and Jaeger
 * answers, so with the default capacity (max(1,000, 50 × N)) that bound is rarely reached.
 */
export class TopTraces {
  private readonly _capacity: number;
  private _candidates = new Map<string, Candidate>();
  /** The largest cost of a trace that was cut away. */
  uncertaintyUsd = 0;

  constructor(
    private readonly _n: number,
    capacity?: number,
  ) {
    this._capacity = Math.max(2 * _n, capacity ?? Math.max(1_000, 50 * _n));
  }

  add(traceId: string, costUsd: number, startMs: number, service: string | null): void {
    if (traceId === '') return;
    const c = this._candidates.get(traceId);
    if (c !== undefined) {
      c.cost += costUsd;
      c.calls++;
      if (startMs < c.startMs) c.startMs = startMs;
      return;
    }
    if (this._candidates.size >= this._capacity) this._cut();
    this._candidates.set(traceId, { cost: costUsd, calls: 1, startMs, service });
  }

  private _cut(): void {
    const sorted = [...this._candidates.entries()].sort((a, b) => b[1].cost - a[1].cost);
    const keep = Math.max(this._n, Math.floor(this._capacity / 2));
    for (let i = keep; i < sorted.length; i++) {
      this.uncertaintyUsd = Math.max(this.uncertaintyUsd, (sorted[i] as [string, Candidate])[1].cost);
    }
    this._candidates = new Map(sorted.slice(0, keep));
  }

  result(): TopTrace[] {
    return [...this._candidates.entries()]
      .sort((a, b) => b[1].cost - a[1].cost || a[0].localeCompare(b[0]))
      .slice(0, this._n)
      .map(([id, c]) => ({
        trace_id: id,
        cost_usd: round12(c.cost),
        calls: c.calls,
        service: c.service,
        start: c.startMs > 0 ? new Date(c.startMs).toISOString() : null,
      }));
  }
}
