import { basename } from 'node:path';
import { parseLiteLLMTable } from '../pricing/litellm.js';
import { PriceTable } from '../pricing/price-table.js';
import type { PriceEntry } from '../pricing/types.js';
import { errorExcerpt, excerpt } from './log-text.js';
import { parseObjectSliced, TimeSlicer } from './sliced-json.js';

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
    throw new TableLoadError('bad_json', `not valid JSON (${errorExcerpt(err)})`);
  }
  return loadLiteLLMJson(json, location, fallbackDate);
}

/** Entries validated between two turns of the event loop at most. */
const VALIDATE_BATCH = 500;

/**
 * `parseLiteLLMText` for tables loaded while the application runs (a URL, a cache, a reloaded
 * file): the JSON is parsed and the entries are validated in slices, so that no single turn of
 * the event loop is spent on the whole table (see `sliced-json.ts`). Rejects with a `TableLoadError`.
 */
export async function parseLiteLLMTextSliced(
  text: string,
  location: string,
  fallbackDate: Date,
  range: { start: number; end: number } = { start: 0, end: text.length },
): Promise<LoadedTable> {
  const slicer = new TimeSlicer();
  let json: Record<string, unknown>;
  try {
    json = await parseObjectSliced(text, slicer, range.start, range.end);
  } catch (err) {
    if (err instanceof SyntaxError && err.message === 'a JSON object is expected') {
      throw new TableLoadError('no_entries', 'not a LiteLLM table (a JSON object keyed by model is expected)');
    }
    throw new TableLoadError('bad_json', `not valid JSON (${errorExcerpt(err)})`);
  }
  const source = liteLLMSourceName(location, tableLastUpdated(json) ?? fallbackDate);
  const entries: PriceEntry[] = [];
  const rejected: { key: string; reason: string }[] = [];
  const keys = Object.keys(json);
  for (let i = 0; i < keys.length; i += VALIDATE_BATCH) {
    const part = Object.create(null) as Record<string, unknown>;
    for (const key of keys.slice(i, i + VALIDATE_BATCH)) part[key] = json[key];
    const parsed = parseLiteLLMTable(part, source);
    for (const e of parsed.entries) entries.push(e);
    for (const r of parsed.rejected) rejected.push(r);
    await slicer.tick();
  }
  if (entries.length === 0) {
    const why = rejected[0] ? ` (e.g. ${excerpt(rejected[0].key)}: ${excerpt(rejected[0].reason, 160)})` : '';
    throw new TableLoadError('no_entries', `no valid price entry${why}`);
  }
  return { table: new PriceTable(entries, source), rejected };
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
    const why = rejected[0] ? ` (e.g. ${excerpt(rejected[0].key)}: ${excerpt(rejected[0].reason, 160)})` : '';
    throw new TableLoadError('no_entries', `no valid price entry${why}`);
  }
  return { table: new PriceTable(entries, source), rejected };
}

/** One line about refused entries, naming a few with their reason. */
export function describeRejected(rejected: { key: string; reason: string }[]): string {
  const shown = rejected
    .slice(0, 3)
    .map((r) => `${excerpt(r.key)}: ${excerpt(r.reason, 160)}`)
    .join('; ');
  return `${rejected.length} entr${rejected.length === 1 ? 'y' : 'ies'} ignored (${shown}${rejected.length > 3 ? '; …' : ''})`;
}
