import { basename } from 'node:path';
import type { LongContextTier, PriceEntry, Rates, ServiceTier } from '../pricing/types.js';
import { normalizeProvider } from '../pricing/providers.js';
import { parseInstant } from '../pricing/price-at.js';
import { PriceTable } from '../pricing/price-table.js';
import { errorExcerpt, excerpt } from './log-text.js';
import { NotAJsonObjectError, parseObjectSliced, TimeSlicer } from './sliced-json.js';

/**
 * Parsing LiteLLM's `model_prices_and_context_window.json` into price entries.
 *
 * Token cost fields are read by name: a base class name, then optionally a long-context
 * threshold `_above_<N>k_tokens` (any N, `k` = 1000, `m` = 1,000,000), then optionally a
 * service tier `_batches` / `_priority` / `_flex`. Other fields (per image, per second,
 * per query …) are not token prices and are ignored.
 */

type Special = Exclude<ServiceTier, 'standard'>;

interface FieldSpec {
  cls: keyof Rates;
  /** Long-context threshold, when the field is a cliff tier. */
  above?: number;
  serviceTier?: Special;
  /** Only used when the entry has no field of the primary name for this class. */
  fallback?: boolean;
}

const BASE_FIELDS: ReadonlyArray<[string, keyof Rates, boolean?]> = [
  // Longest names first: `cache_creation_input_token_cost_above_1hr` is a class, not a cliff.
  ['cache_creation_input_token_cost_above_1hr', 'cacheWrite1h'],
  ['cache_creation_input_token_cost', 'cacheWrite5m'],
  ['cache_read_input_token_cost', 'cacheRead'],
  // DeepSeek-style spelling of the cache-hit rate; same meaning as `cache_read_input_token_cost`.
  ['input_cost_per_token_cache_hit', 'cacheRead', true],
  ['output_cost_per_reasoning_token', 'reasoning'],
  ['input_cost_per_audio_token', 'inputAudio'],
  ['output_cost_per_audio_token', 'outputAudio'],
  ['input_cost_per_request', 'request'],
  ['input_cost_per_token', 'input'],
  ['output_cost_per_token', 'output'],
];

const SERVICE_SUFFIXES: ReadonlyArray<[string, Special]> = [
  ['_batches', 'batch'],
  ['_priority', 'priority'],
  ['_flex', 'flex'],
];

/** Field name → spec (or null when it is not a token price). ~100 distinct names in practice. */
const fieldCache = new Map<string, FieldSpec | null>();

/** Parses a cost field name such as `cache_read_input_token_cost_above_272k_tokens_priority`. */
export function parseCostField(name: string): FieldSpec | null {
  const cached = fieldCache.get(name);
  if (cached !== undefined) return cached;
  const spec = parseCostFieldUncached(name);
  if (fieldCache.size < 4096) fieldCache.set(name, spec);
  return spec;
}

function parseCostFieldUncached(name: string): FieldSpec | null {
  for (const [base, cls, fallback] of BASE_FIELDS) {
    if (!name.startsWith(base)) continue;
    let rest = name.slice(base.length);
    const spec: FieldSpec = { cls };
    if (fallback) spec.fallback = true;
    if (rest.startsWith('_above_')) {
      const end = rest.indexOf('_tokens');
      if (end < 0) return null;
      const above = parseThreshold(rest.slice(7, end));
      if (above === undefined) return null;
      spec.above = above;
      rest = rest.slice(end + 7);
    }
    if (rest.length > 0) {
      const svc = SERVICE_SUFFIXES.find(([suffix]) => suffix === rest);
      if (!svc) return null;
      spec.serviceTier = svc[1];
    }
    return spec;
  }
  return null;
}

/** `200k` → 200000, `1m` → 1000000; `undefined` for anything else. */
function parseThreshold(s: string): number | undefined {
  if (s.length < 2 || s.length > 8) return undefined;
  const unit = s[s.length - 1];
  const mult = unit === 'k' ? 1_000 : unit === 'm' ? 1_000_000 : undefined;
  if (mult === undefined) return undefined;
  const digits = s.slice(0, -1);
  for (let i = 0; i < digits.length; i++) {
    const c = digits.charCodeAt(i);
    if (c < 48 || c > 57) return undefined;
  }
  return Number(digits) * mult;
}

/** Providers whose all-zero entries are genuinely free: models that run on the user's machine. */
const LOCAL_PROVIDERS = new Set(['ollama', 'lemonade', 'llamafile', 'lm_studio', 'hosted_vllm']);

/**
 * An entry whose input and output rates are both an explicit 0 is only a price when the table
 * really means "free": a local runtime, a `:free`/`/free` variant, or an OpenAI moderation
 * model. Elsewhere LiteLLM uses zeros as placeholders (`openrouter/openrouter/auto` routes to
 * paid models; preview entries without published prices), so those stay unpriced.
 */
function isGenuinelyFree(key: string, provider: string | undefined, mode: unknown): boolean {
  if (provider !== undefined && LOCAL_PROVIDERS.has(provider)) return true;
  if (key.endsWith(':free') || key.endsWith('/free')) return true;
  return mode === 'moderation' && provider === 'openai';
}

export interface LiteLLMParseResult {
  entries: PriceEntry[];
  rejected: { key: string; reason: string }[];
}

/**
 * Parses a LiteLLM price table. Skips `sample_spec` and entries without a token price (no
 * input and no output rate: image, audio-second, search … prices), rejects entries whose
 * token cost fields are not finite non-negative numbers (the reason names the field).
 * Never throws: a table that is not an object yields no entries and one rejection.
 *
 * @param json the parsed JSON document
 * @param source which table this is, e.g. `litellm@2026-07-24` (copied to every entry)
 */
export function parseLiteLLMTable(json: unknown, source: string): LiteLLMParseResult {
  const entries: PriceEntry[] = [];
  const rejected: { key: string; reason: string }[] = [];
  if (typeof json !== 'object' || json === null || Array.isArray(json)) {
    rejected.push({ key: '', reason: 'table is not a JSON object' });
    return { entries, rejected };
  }
  const table = json as Record<string, unknown>;
  for (const key in table) {
    if (key === 'sample_spec' || !Object.prototype.hasOwnProperty.call(table, key)) continue;
    const raw = table[key];
    // Table metadata, not a model (recent LiteLLM tables carry a top-level ISO timestamp).
    if (key === 'last_updated' && typeof raw === 'string') continue;
    if (typeof raw !== 'object' || raw === null || Array.isArray(raw)) {
      rejected.push({ key, reason: 'entry is not an object' });
      continue;
    }
    const result = parseEntry(key, raw as Record<string, unknown>, source);
    if (typeof result === 'string') rejected.push({ key, reason: result });
    else if (result !== undefined) entries.push(result);
  }
  return { entries, rejected };
}

function parseEntry(key: string, raw: Record<string, unknown>, source: string): PriceEntry | string | undefined {
  const rates: Rates = {};
  let svc: Partial<Record<Special, Rates>> | undefined;
  let cliffs: Map<number, LongContextTier> | undefined;
  let fallbackRead: { above?: number; serviceTier?: Special; value: number }[] | undefined;
  for (const field in raw) {
    const spec = parseCostField(field);
    if (spec === null) continue;
    const value = raw[field];
    if (typeof value !== 'number' || !Number.isFinite(value) || value < 0) {
      return `${field} must be a finite non-negative number, got ${describe(value)}`;
    }
    if (spec.fallback) {
      (fallbackRead ??= []).push({ above: spec.above, serviceTier: spec.serviceTier, value });
      continue;
    }
    let target: Rates;
    if (spec.above !== undefined) {
      cliffs ??= new Map();
      let tier = cliffs.get(spec.above);
      if (!tier) cliffs.set(spec.above, (tier = { above: spec.above, rates: {} }));
      if (spec.serviceTier) {
        tier.serviceTiers ??= {};
        target = tier.serviceTiers[spec.serviceTier] ??= {};
      } else target = tier.rates;
    } else if (spec.serviceTier) {
      svc ??= {};
      target = svc[spec.serviceTier] ??= {};
    } else target = rates;
    target[spec.cls] = value;
  }
  if (fallbackRead) {
    for (const f of fallbackRead) {
      if (f.above === undefined && f.serviceTier === undefined && rates.cacheRead === undefined)
        rates.cacheRead = f.value;
    }
  }
  if (rates.input === undefined && rates.output === undefined) return undefined;
  const provider = typeof raw.litellm_provider === 'string' ? normalizeProvider(raw.litellm_provider) : undefined;
  if (rates.input === 0 && rates.output === 0 && !isGenuinelyFree(key.toLowerCase(), provider, raw.mode))
    return undefined;

  let effectiveFrom: number | undefined;
  if (raw.effective_date !== undefined) {
    effectiveFrom = parseInstant(raw.effective_date);
    if (effectiveFrom === undefined) {
      return (
        'effective_date must be an ISO date (2026-09-01) or date-time (2026-09-01T12:00:00Z), ' +
        `got ${describe(raw.effective_date)}`
      );
    }
  }

  // A dated entry names its start in its source (`overrides@2026-09-01`): a later reprice can
  // tell which contract priced a call.
  const entry: PriceEntry = {
    key,
    rates,
    source: effectiveFrom === undefined ? source : `${source}@${instantText(effectiveFrom)}`,
  };
  if (effectiveFrom !== undefined) entry.effectiveFrom = effectiveFrom;
  if (provider !== undefined) entry.provider = provider;
  if (svc) entry.serviceTiers = svc;
  if (cliffs) entry.longContext = [...cliffs.values()].sort((a, b) => a.above - b.above);
  const window = raw.max_input_tokens ?? raw.max_tokens;
  if (typeof window === 'number' && Number.isSafeInteger(window) && window > 0) entry.contextWindow = window;
  return entry;
}

/** `2026-09-01` for midnight UTC, else the full ISO date-time. */
function instantText(ms: number): string {
  const iso = new Date(ms).toISOString();
  return iso.endsWith('T00:00:00.000Z') ? iso.slice(0, 10) : iso;
}

function describe(v: unknown): string {
  if (typeof v === 'string') return `string ${JSON.stringify(v.length > 40 ? `${v.slice(0, 40)}…` : v)}`;
  if (typeof v === 'number') return String(v);
  return v === null ? 'null' : Array.isArray(v) ? 'array' : typeof v;
}

// Loading a LiteLLM table from text (a file or a response body) into a PriceTable.

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
    if (err instanceof NotAJsonObjectError) {
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
  return (
    `${rejected.length} entr${rejected.length === 1 ? 'y' : 'ies'} ignored ` +
    `(${shown}${rejected.length > 3 ? '; …' : ''})`
  );
}
