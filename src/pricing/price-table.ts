import { stripBedrockGeo } from './providers.js';
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
  private readonly _qualifiers: Set<string>;

  constructor(entries: readonly PriceEntry[], source: string) {
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
    this._qualifiers = new Set();
    for (const key of index.keys()) addQualifiers(this._qualifiers, key);
  }

  /**
   * Whether this table prices some model under a qualifier of its own: a path prefix ending in
   * `/` (`replicate/`, `azure/eu/`, `bedrock/ap-northeast-1/`) or a Bedrock geography
   * (`eu.`, `azure/us.`). Resolution never strips such a qualifier to reach the upstream model:
   * the table knows that host or region has prices of its own, so a model it does not list there
   * is unknown, not priced like upstream.
   */
  hasOwnPrices(qualifier: string): boolean {
    return this._qualifiers.has(qualifier);
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

/** Adds every qualifier of a (lower-case) key: each prefix ending in `/`, and a geography. */
function addQualifiers(qualifiers: Set<string>, key: string): void {
  let slash = key.indexOf('/');
  while (slash > 0) {
    qualifiers.add(key.slice(0, slash + 1));
    slash = key.indexOf('/', slash + 1);
  }
  const last = key.slice(key.lastIndexOf('/') + 1);
  const plain = stripBedrockGeo(last);
  if (plain !== undefined) qualifiers.add(key.slice(0, key.length - plain.length));
}
