import { round12 } from '../pricing/price.js';
import { dimensionValue, needsAncestors, type AncestorLookup } from './group-key.js';
import type { ReportCall } from './price-span.js';
import { TopTraces, type TopTrace } from './top-traces.js';

/** Options of {@link ReportAggregator}. */
export interface ReportAggregatorOptions {
  /** `--by` dimensions, in order. Default: `['model']`. */
  by?: string[];
  /** Only calls that started at or after this time (ms since the epoch) count. Default: no bound. */
  fromMs?: number;
  /** Only calls that started before this time (ms since the epoch) count. Default: no bound. */
  toMs?: number;
  /** `--top-traces N`: keep the N most expensive traces. Default: 0 (none). */
  topTraces?: number;
  /** Groups kept before further keys are folded into one `(other)` group. Default: 10,000. */
  maxGroups?: number;
  /** Whether calls carry a second, repriced figure (adds the reprice fields), and how it was
   * priced. Default: none. */
  reprice?: RepriceInfo;
}

/** The figures of one group, or of the total (JSON field names of the report). */
export interface ReportFigures {
  calls: number;
  priced_calls: number;
  unpriced_calls: number;
  input_tokens: number;
  output_tokens: number;
  cache_read_tokens: number;
  cache_write_tokens: number;
  reasoning_tokens: number;
  cost_usd: number;
  cache_hit_rate: number | null;
  cache_net_savings_usd: number;
  /** With `--reprice`: the second figure, the calls it could not price, and second − first. */
  repriced_cost_usd?: number;
  repriced_unpriced_calls?: number;
  difference_usd?: number;
}

export interface ReportGroup extends ReportFigures {
  key: Record<string, string | null>;
}

export interface UnpricedEntry {
  model: string | null;
  reason: string;
  calls: number;
}

/** The report as `--format json` prints it (docs/report.md). */
export interface ReportResult {
  from: string | null;
  to: string | null;
  groups: ReportGroup[];
  total: ReportFigures;
  unpriced: UnpricedEntry[];
  /** With `--reprice`: what the second figure was priced with. */
  reprice?: RepriceInfo;
  top_traces?: TopTrace[];
}

/** `--prices` (the table's source name, or `default`) and `--as-model` (or null). */
export interface RepriceInfo {
  prices: string;
  as_model: string | null;
}

const DEFAULT_MAX_GROUPS = 10_000;
const MAX_UNPRICED_ENTRIES = 1_000;
const OTHER = '(other)';

class Accumulator {
  calls = 0;
  priced = 0;
  unpriced = 0;
  input = 0;
  output = 0;
  cacheRead = 0;
  cacheWrite = 0;
  reasoning = 0;
  cost = 0;
  netSavings = 0;
  repriced = 0;
  repricedUnpriced = 0;

  add(call: ReportCall): void {
    const u = call.usage;
    this.calls++;
    this.input += u.inputTokens ?? 0;
    this.output += u.outputTokens ?? 0;
    this.cacheRead += u.cacheReadTokens ?? 0;
    this.cacheWrite += u.cacheWriteTokens ?? 0;
    this.reasoning += u.reasoningTokens ?? 0;
    if (call.result.costUsd !== null) {
      this.priced++;
      this.cost += call.result.costUsd;
      this.netSavings += call.cacheNetSavingsUsd;
    } else {
      this.unpriced++;
    }
    if (call.repriced !== undefined) {
      if (call.repriced.costUsd !== null) this.repriced += call.repriced.costUsd;
      else this.repricedUnpriced++;
    }
  }

  figures(reprice: boolean): ReportFigures {
    const cached = this.cacheRead + this.cacheWrite;
    const figures: ReportFigures = {
      calls: this.calls,
      priced_calls: this.priced,
      unpriced_calls: this.unpriced,
      input_tokens: this.input,
      output_tokens: this.output,
      cache_read_tokens: this.cacheRead,
      cache_write_tokens: this.cacheWrite,
      reasoning_tokens: this.reasoning,
      cost_usd: round12(this.cost),
      cache_hit_rate: cached === 0 ? null : round12(this.cacheRead / cached),
      cache_net_savings_usd: round12(this.netSavings),
    };
    if (reprice) {
      figures.repriced_cost_usd = round12(this.repriced);
      figures.repriced_unpriced_calls = this.repricedUnpriced;
      figures.difference_usd = round12(this.repriced - this.cost);
    }
    return figures;
  }
}

/**
 * Sums inference calls into groups, in bounded memory: one accumulator per group (at most
 * `maxGroups`), one entry per (model, reason) left unpriced (at most 1,000), and the top-traces
 * candidates. Nothing per call is kept.
 */
export class ReportAggregator {
  readonly by: string[];
  private readonly _fromMs: number;
  private readonly _toMs: number;
  private readonly _maxGroups: number;
  private readonly _reprice: boolean;
  private readonly _groups = new Map<string, { key: (string | null)[]; acc: Accumulator }>();
  private readonly _total = new Accumulator();
  private readonly _unpriced = new Map<string, UnpricedEntry>();
  private readonly _top: TopTraces | undefined;
  private readonly _needsAncestors: boolean;
  private _firstMs = Infinity;
  private _lastMs = -Infinity;

  constructor(private readonly _options: ReportAggregatorOptions = {}) {
    this.by = _options.by && _options.by.length > 0 ? _options.by : ['model'];
    this._fromMs = _options.fromMs ?? -Infinity;
    this._toMs = _options.toMs ?? Infinity;
    this._maxGroups = _options.maxGroups ?? DEFAULT_MAX_GROUPS;
    this._reprice = _options.reprice !== undefined;
    this._top = _options.topTraces ? new TopTraces(_options.topTraces) : undefined;
    this._needsAncestors = needsAncestors(this.by);
  }

  /** Whether `add` wants the ancestors of a call (`--by agent`, `--by attr:…`). */
  get needsAncestors(): boolean {
    return this._needsAncestors;
  }

  /** Is a span that started at `startMs` inside the window? */
  inWindow(startMs: number): boolean {
    return startMs >= this._fromMs && startMs < this._toMs;
  }

  /** Counts one call (already known to be inside the window). */
  add(call: ReportCall, ancestors?: AncestorLookup): void {
    const by = this.by;
    let id: string;
    let values: (string | null)[];
    if (by.length === 1) {
      // One dimension (the common case): the value is the id, without an array and a stringify.
      const value = dimensionValue(call, by[0] as string, ancestors);
      id = value === null ? '\u0000' : value;
      values = [value];
    } else {
      values = by.map((d) => dimensionValue(call, d, ancestors));
      id = JSON.stringify(values);
    }
    let group = this._groups.get(id);
    if (group === undefined) {
      if (this._groups.size >= this._maxGroups) {
        const otherValues = this.by.map(() => OTHER);
        const otherId = `\u0001${JSON.stringify(otherValues)}`;
        group = this._groups.get(otherId);
        if (group === undefined) {
          group = { key: otherValues, acc: new Accumulator() };
          this._groups.set(otherId, group);
        }
      } else {
        group = { key: values, acc: new Accumulator() };
        this._groups.set(id, group);
      }
    }
    group.acc.add(call);
    this._total.add(call);

    if (call.result.costUsd === null) this._addUnpriced(call.usage.model ?? null, call.result.reason);
    if (this._top !== undefined) {
      const service = call.span.resource['service.name'];
      this._top.add(
        call.span.traceId,
        call.result.costUsd ?? 0,
        call.span.startMs,
        typeof service === 'string' ? service : null,
      );
    }
    const ms = call.span.startMs;
    if (ms < this._firstMs) this._firstMs = ms;
    if (ms > this._lastMs) this._lastMs = ms;
  }

  private _addUnpriced(model: string | null, reason: string): void {
    let id = `${reason}\u0000${model ?? ''}`;
    let entry = this._unpriced.get(id);
    if (entry === undefined) {
      if (this._unpriced.size >= MAX_UNPRICED_ENTRIES) {
        model = OTHER;
        id = `${reason}\u0000${OTHER}`;
        entry = this._unpriced.get(id);
      }
      if (entry === undefined) {
        entry = { model, reason, calls: 0 };
        this._unpriced.set(id, entry);
      }
    }
    entry.calls++;
  }

  /** The report: groups by cost, highest first; the window is the one asked for, else the
   * span start times seen. */
  result(): ReportResult {
    const groups: ReportGroup[] = [];
    for (const { key, acc } of this._groups.values()) {
      const named: Record<string, string | null> = {};
      this.by.forEach((d, i) => (named[d] = key[i] ?? null));
      groups.push({ key: named, ...acc.figures(this._reprice) });
    }
    groups.sort((a, b) => b.cost_usd - a.cost_usd || b.calls - a.calls || compareKeys(a.key, b.key));
    const unpriced = [...this._unpriced.values()].sort(
      (a, b) => b.calls - a.calls || (a.model ?? '').localeCompare(b.model ?? '') || a.reason.localeCompare(b.reason),
    );
    const iso = (ms: number): string | null => (Number.isFinite(ms) ? new Date(ms).toISOString() : null);
    const result: ReportResult = {
      from: iso(this._options.fromMs ?? this._firstMs),
      to: iso(this._options.toMs ?? this._lastMs),
      groups,
      total: this._total.figures(this._reprice),
      unpriced,
    };
    if (this._options.reprice !== undefined) result.reprice = this._options.reprice;
    if (this._top !== undefined) result.top_traces = this._top.result();
    return result;
  }
}

function compareKeys(a: Record<string, string | null>, b: Record<string, string | null>): number {
  return JSON.stringify(a).localeCompare(JSON.stringify(b));
}
