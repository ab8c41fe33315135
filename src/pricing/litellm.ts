import type { LongContextTier, PriceEntry, Rates, ServiceTier } from './types.js';
import { normalizeProvider } from './providers.js';
import { parseInstant } from './price-at.js';

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
      if (f.above === undefined && f.serviceTier === undefined && rates.cacheRead === undefined) rates.cacheRead = f.value;
    }
  }
  if (rates.input === undefined && rates.output === undefined) return undefined;
  const provider = typeof raw.litellm_provider === 'string' ? normalizeProvider(raw.litellm_provider) : undefined;
  if (rates.input === 0 && rates.output === 0 && !isGenuinelyFree(key.toLowerCase(), provider, raw.mode)) return undefined;

  let effectiveFrom: number | undefined;
  if (raw.effective_date !== undefined) {
    effectiveFrom = parseInstant(raw.effective_date);
    if (effectiveFrom === undefined) {
      return `effective_date must be an ISO date (2026-09-01) or date-time (2026-09-01T12:00:00Z), got ${describe(raw.effective_date)}`;
    }
  }

  // A dated entry names its start in its source (`overrides@2026-09-01`): a later reprice can
  // tell which contract priced a call.
  const entry: PriceEntry = { key, rates, source: effectiveFrom === undefined ? source : `${source}@${instantText(effectiveFrom)}` };
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
