import type { PriceEntry } from './types.js';

/**
 * An immutable, indexed set of price entries from one source (a LiteLLM file, the embedded
 * genai-prices data, user overrides). Keys are case-insensitive. When two entries claim the
 * same key the first one wins; an entry's `key` and `matchKeys` always win over another
 * entry's `baseKeys`.
 */
export class PriceTable {
  /** Which table this is and its version/date, e.g. `litellm@2026-07-24`. */
  readonly source: string;
  /** Number of entries (not keys). */
  readonly size: number;
  private readonly _index: Map<string, PriceEntry>;
  private readonly _entries: readonly PriceEntry[];

  constructor(entries: PriceEntry[], source: string) {
    this.source = source;
    this._entries = entries.slice();
    this.size = this._entries.length;
    const index = new Map<string, PriceEntry>();
    for (const entry of this._entries) {
      setIfAbsent(index, entry.key, entry);
      if (entry.matchKeys) for (const k of entry.matchKeys) setIfAbsent(index, k, entry);
    }
    for (const entry of this._entries) {
      if (entry.baseKeys) for (const k of entry.baseKeys) setIfAbsent(index, k, entry);
    }
    this._index = index;
  }

  /** The entry a (lower-case) key names, if any. One index probe. */
  get(key: string): PriceEntry | undefined {
    return this._index.get(key);
  }

  /** All entries, in table order. */
  entries(): readonly PriceEntry[] {
    return this._entries;
  }
}

function setIfAbsent(index: Map<string, PriceEntry>, key: string, entry: PriceEntry): void {
  const k = key.toLowerCase();
  if (!index.has(k)) index.set(k, entry);
}
