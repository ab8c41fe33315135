import { basename } from 'node:path';
import { parseLiteLLMTable } from '../pricing/litellm.js';
import { PriceTable } from '../pricing/price-table.js';

/** A LiteLLM table turned into a `PriceTable`, with the entries it refused. */
export interface LoadedTable {
  table: PriceTable;
  rejected: { key: string; reason: string }[];
}

/** Why a table could not be used (`bad_json`, `no_entries`) — a cause to deduplicate warnings on. */
export class TableLoadError extends Error {
  readonly kind: 'bad_json' | 'no_entries';
  constructor(kind: 'bad_json' | 'no_entries', message: string) {
    super(message);
    this.name = 'TableLoadError';
    this.kind = kind;
  }
}

/**
 * The `gen_ai.cost.source` of a LiteLLM table: `litellm:<file basename or URL host+path>@<date>`.
 * LiteLLM's JSON has no version, so the date (YYYY-MM-DD, UTC) is the file's mtime, the
 * server's `Last-Modified`, or the fetch date. It goes on every priced span: kept short.
 */
export function liteLLMSourceName(location: string, date: Date): string {
  let name: string;
  try {
    const url = new URL(location);
    name = url.protocol === 'file:' ? basename(url.pathname) : `${url.host}${url.pathname}`;
  } catch {
    name = basename(location);
  }
  const day = Number.isNaN(date.getTime()) ? 'unknown' : date.toISOString().slice(0, 10);
  return `litellm:${name}@${day}`;
}

/**
 * The table's own date: recent LiteLLM tables carry a top-level `last_updated` ISO timestamp.
 * Preferred over file or HTTP dates, which say when a copy was made, not when prices changed.
 */
export function tableLastUpdated(json: unknown): Date | undefined {
  if (json === null || typeof json !== 'object') return undefined;
  const value = (json as Record<string, unknown>)['last_updated'];
  if (typeof value !== 'string') return undefined;
  const date = new Date(value);
  return Number.isNaN(date.getTime()) ? undefined : date;
}

/**
 * Parses the text of a LiteLLM table from `location` (a path or URL); `fallbackDate` (file
 * mtime, `Last-Modified`, fetch date) dates it when it has no `last_updated`.
 * Throws a `TableLoadError` when it is unusable.
 */
export function parseLiteLLMText(text: string, location: string, fallbackDate: Date): LoadedTable {
  let json: unknown;
  try {
    json = JSON.parse(text);
  } catch (err) {
    throw new TableLoadError('bad_json', `not valid JSON (${(err as Error).message})`);
  }
  return loadLiteLLMJson(json, location, fallbackDate);
}

/** `parseLiteLLMText` for an already parsed document. */
export function loadLiteLLMJson(json: unknown, location: string, fallbackDate: Date): LoadedTable {
  return toPriceTable(json, liteLLMSourceName(location, tableLastUpdated(json) ?? fallbackDate));
}

/** Validates parsed LiteLLM JSON; a table with zero valid entries is a failure (`no_entries`). */
export function toPriceTable(json: unknown, source: string): LoadedTable {
  if (json === null || typeof json !== 'object' || Array.isArray(json)) {
    throw new TableLoadError('no_entries', 'not a LiteLLM table (a JSON object keyed by model is expected)');
  }
  const parsed = parseLiteLLMTable(json, source);
  const { entries, rejected } = parsed;
  if (entries.length === 0) {
    const why = rejected[0] ? ` (e.g. ${rejected[0].key}: ${rejected[0].reason})` : '';
    throw new TableLoadError('no_entries', `no valid price entry${why}`);
  }
  return { table: new PriceTable(entries, source), rejected };
}

/** One line about refused entries, naming a few with their reason. */
export function describeRejected(rejected: { key: string; reason: string }[]): string {
  const shown = rejected
    .slice(0, 3)
    .map((r) => `${r.key}: ${r.reason}`)
    .join('; ');
  return `${rejected.length} entr${rejected.length === 1 ? 'y' : 'ies'} ignored (${shown}${rejected.length > 3 ? '; …' : ''})`;
}
