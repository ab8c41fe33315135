import type { CostResult, NormalizedUsage, PriceEntry, Resolution } from './types.js';
import { PriceTable } from './price-table.js';
import { MAX_MODEL_ID_LENGTH, resolveInTable } from './resolve.js';
import { normalizeProvider } from './providers.js';
import { priceCall, totalOf } from './price.js';
import { embeddedSource, loadEmbeddedEntries } from './genai-prices.js';
import { callTime, isDated, resolutionAt } from './price-at.js';
import { validAliases } from './aliases.js';
import { DiagOnce, error } from '../diag.js';
import { integerOption } from '../options.js';

export interface PriceBookOptions {
  /** Entries that win over every table (e.g. negotiated prices). Default: none. */
  overrides?: PriceEntry[];
  /** Model id → model id to price it as, used only when no table knows the model itself
   * (case-insensitive, e.g. `{ 'my-finetune': 'gpt-4o-mini' }`). Default: none. */
  aliases?: Record<string, string>;
  /** The user's table, e.g. a LiteLLM file (`parseLiteLLMTable`). Default: none. */
  table?: PriceTable;
  /** The offline fallback table, or `false` for none. Default: the genai-prices data shipped
   * with `@pydantic/genai-prices`, built on first use and shared by every PriceBook. */
  embedded?: PriceTable | false;
  /** Maximum number of memoized resolutions. Default: 2048. */
  memoSize?: number;
}

const DEFAULT_MEMO_SIZE = 2048;

let embeddedTable: PriceTable | undefined;

/** The genai-prices table, built once per process on first use. */
export function embeddedPriceTable(): PriceTable {
  embeddedTable ??= new PriceTable(loadEmbeddedEntries(), embeddedSource());
  return embeddedTable;
}

/**
 * Resolves models and prices calls across layered sources: overrides → user table →
 * embedded table; the first layer whose chain (exact → provider → revision) finds the model
 * prices it; aliases last, resolving the alias target through the same layers.
 *
 * Resolutions are memoized per (provider, model) in a bounded memo, cleared by `setTable`, so a
 * lookup costs a map hit whatever the table size. `price` is synchronous and never throws.
 */
export class PriceBook {
  private readonly _overrides: PriceTable | undefined;
  private readonly _aliases: Map<string, string>;
  private readonly _embeddedOption: PriceTable | false | undefined;
  private readonly _memoSize: number;
  private _table: PriceTable | undefined;
  /** Memoized resolutions: provider as given (`''` for none) → model id → resolution. Two
   * lookups without building a key string: a joined key cost ~85 ns per call (BENCHMARKS.md). */
  private _memo = new Map<string, Map<string, Resolution | null>>();
  /** The memoized [provider, model] pairs in insertion order (a ring once full): the oldest is
   * evicted first. */
  private _memoOrder: Array<[string, string]> = [];
  private _memoNext = 0;
  /** One warning per configured alias whose target no table knows. */
  private readonly _diag = new DiagOnce();

  constructor(options: PriceBookOptions = {}) {
    this._overrides =
      options.overrides && options.overrides.length > 0 ? new PriceTable(options.overrides, 'overrides') : undefined;
    this._aliases = validAliases(options.aliases);
    this._table = options.table;
    this._embeddedOption = options.embedded;
    this._memoSize = integerOption(options.memoSize, 'memoSize', DEFAULT_MEMO_SIZE);
  }

  /**
   * Warns once through `diag`, naming each, about aliases whose target no loaded table knows
   * (a typo, or a provider-qualified id no table lists): such an alias would leave its calls
   * `unknown_model`. Returns those aliases. Called by the price source once its tables have
   * loaded; call it yourself after building a `PriceBook` by hand.
   */
  checkAliases(): string[] {
    const unknown: string[] = [];
    if (this._aliases.size === 0) return unknown;
    const layers = this._layers();
    for (const [from, to] of this._aliases) {
      if (layers.some((layer) => resolveInTable(layer, to) !== undefined)) continue;
      unknown.push(from);
      this._diag.warn(
        `${from}=${to}`,
        `alias ${from} → ${to}: no loaded price table knows ${to}; calls to ${from} will be unpriced (unknown_model)`,
      );
    }
    return unknown;
  }

  /** The user table in use, if any. */
  get table(): PriceTable | undefined {
    return this._table;
  }

  /** Replaces the user table (e.g. after a refresh) and forgets memoized resolutions. */
  setTable(table: PriceTable): void {
    this._table = table;
    this._memo = new Map();
    this._memoOrder = [];
    this._memoNext = 0;
  }

  /** The entry that prices `model` (reported by `provider`) and how it matched, if any. */
  resolve(model: string, provider?: string): Resolution | undefined {
    if (typeof model !== 'string' || model.length === 0) return undefined;
    // Model ids are untrusted span attributes: a long one is resolved (cheaply, it is rejected by
    // length) but never memoized, or 2048 of them would pin hundreds of megabytes.
    // Memoized under the provider as given, so a hit does not normalize it again (each spelling of
    // a provider takes its own slots). A long provider is not memoized either.
    const providerKey = typeof provider === 'string' ? provider : '';
    if (model.length > MAX_MODEL_ID_LENGTH || providerKey.length > MAX_MODEL_ID_LENGTH) {
      return this._resolveUncached(model, normalizeProvider(provider));
    }
    let byModel = this._memo.get(providerKey);
    const memoized = byModel?.get(model);
    if (memoized !== undefined) return memoized ?? undefined;
    const found = this._resolveUncached(model, normalizeProvider(provider));
    if (this._memoOrder.length >= this._memoSize) {
      // Drop the oldest resolution, and its provider's map once empty (provider names are
      // untrusted too: empty maps must not pile up).
      const [oldProvider, oldModel] = this._memoOrder[this._memoNext] as [string, string];
      const oldMap = this._memo.get(oldProvider);
      if (oldMap !== undefined) {
        oldMap.delete(oldModel);
        if (oldMap.size === 0) this._memo.delete(oldProvider);
      }
      this._memoOrder[this._memoNext] = [providerKey, model];
      this._memoNext = (this._memoNext + 1) % this._memoSize;
    } else {
      this._memoOrder.push([providerKey, model]);
    }
    if (byModel === undefined || !this._memo.has(providerKey)) {
      byModel = new Map();
      this._memo.set(providerKey, byModel);
    }
    byModel.set(model, found ?? null);
    return found;
  }

  /**
   * The entry that prices `model` for a call made at `at` (milliseconds since the epoch; default
   * now): the dated period in force then, or the next source when an override begins later.
   */
  resolveAt(model: string, provider?: string, at?: number): Resolution | undefined {
    const resolution = this.resolve(model, provider);
    return resolution === undefined || !isDated(resolution.entry) ? resolution : resolutionAt(resolution, callTime(at));
  }

  /** Prices one call at its time (`usage.at`, default now). Synchronous, never throws; an
   * unpriced call says why. */
  price(usage: NormalizedUsage): CostResult {
    try {
      const model = usage.model;
      if (typeof model !== 'string' || model.trim() === '') return { costUsd: null, reason: 'no_model' };
      let resolution = this.resolve(model, usage.provider);
      // Only a dated entry looks at the time: the common case costs two property reads.
      if (resolution !== undefined && isDated(resolution.entry))
        resolution = resolutionAt(resolution, callTime(usage.at));
      if (!resolution) return { costUsd: null, reason: 'unknown_model' };
      const breakdown = priceCall(resolution.entry, usage);
      if (typeof breakdown === 'string') return { costUsd: null, reason: breakdown };
      return {
        costUsd: totalOf(breakdown),
        breakdown,
        pricingKey: resolution.entry.key,
        match: resolution.match,
        source: resolution.entry.source,
      };
    } catch (err) {
      error('pricing failed', err);
      return { costUsd: null, reason: 'invalid_usage' };
    }
  }

  private _layers(): PriceTable[] {
    const layers: PriceTable[] = [];
    if (this._overrides) layers.push(this._overrides);
    if (this._table) layers.push(this._table);
    const embedded = this._embeddedOption === undefined ? embeddedPriceTable() : this._embeddedOption;
    if (embedded) layers.push(embedded);
    return layers;
  }

  private _resolveUncached(model: string, provider: string | undefined): Resolution | undefined {
    const layers = this._layers();
    return this._resolveFrom(layers, 0, model, provider, false) ?? this._resolveAlias(layers, model, provider);
  }

  private _resolveAlias(layers: PriceTable[], model: string, provider: string | undefined): Resolution | undefined {
    const target = this._aliases.get(model.trim().toLowerCase());
    return target === undefined ? undefined : this._resolveFrom(layers, 0, target, provider, true);
  }

  /** The first layer from `start` on that knows `model`. An entry with an effective date also
   * carries what priced the model before it (the layers below, then the alias). */
  private _resolveFrom(
    layers: PriceTable[],
    start: number,
    model: string,
    provider: string | undefined,
    alias: boolean,
  ): Resolution | undefined {
    for (let i = start; i < layers.length; i++) {
      const found = resolveInTable(layers[i]!, model, provider);
      if (!found) continue;
      const resolution: Resolution = alias ? { entry: found.entry, match: 'alias' } : found;
      if (found.entry.effectiveFrom !== undefined) {
        const before =
          this._resolveFrom(layers, i + 1, model, provider, alias) ??
          (alias ? undefined : this._resolveAlias(layers, model, provider));
        if (before) resolution.before = before;
      }
      return resolution;
    }
    return undefined;
  }
}
