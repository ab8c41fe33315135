import { findProvider } from '@pydantic/genai-prices';
import type { MatchLogic, ModelInfo, ModelPrice, Provider, TieredPrices } from '@pydantic/genai-prices';
import type { LongContextTier, PriceEntry, PricePeriod, Rates } from './types.js';
import { normalizeProvider } from './providers.js';
import { stripRevision } from './resolve.js';
import { warn } from '../diag.js';

/**
 * The embedded default: price entries built from the data shipped inside the
 * `@pydantic/genai-prices` package (offline, maintained, MIT).
 *
 * Mapping (checked against its `calcPrice` in test/pricing/genai-prices.test.ts):
 * - `*_mtok` prices are USD per million tokens → divided by 1e6;
 * - `TieredPrices {base, tiers:[{start, price}]}`: genai-prices applies a tier when the
 *   request's total input tokens (cache included) are strictly greater than `start`, to every
 *   tiered price of the request — a whole-request cliff, i.e. `LongContextTier.above = start`;
 * - conditional prices (a list with `start_date` / `time_of_day` constraints): the entry's rates
 *   are the ones in force now (its own rule: the last whose constraint holds), and each dated
 *   price is kept as a period (`PriceEntry.periods`) so a call is priced at its own time;
 *   time-of-day discounts are ignored;
 * - per-request, per-search, per-page and image/video prices have no place in `Rates`.
 */

/** Provider ids in the package data (dist/index.js), first-party vendors first so that a
 * bare model id (`gpt-4o`) belongs to its vendor rather than to a reseller. */
const PROVIDER_IDS = [
  'openai',
  'anthropic',
  'google',
  'x-ai',
  'mistral',
  'deepseek',
  'cohere',
  'moonshotai',
  'zai',
  'zhipuai',
  'minimax',
  'perplexity',
  'voyageai',
  'arcee',
  'avian',
  'aws',
  'azure',
  'baseten',
  'cerebras',
  'cloudflare',
  'cursor',
  'doubleword',
  'fireworks',
  'github-copilot',
  'groq',
  'huggingface_cerebras',
  'huggingface_fireworks-ai',
  'huggingface_groq',
  'huggingface_hyperbolic',
  'huggingface_nebius',
  'huggingface_novita',
  'huggingface_nscale',
  'huggingface_ovhcloud',
  'huggingface_publicai',
  'huggingface_sambanova',
  'huggingface_together',
  'modal',
  'novita',
  'openrouter',
  'ovhcloud',
  'quicksilverpro',
  'together',
  'typesafe',
] as const;

/** Google's models are sold both through the Gemini API and Vertex AI. */
const EXTRA_QUALIFIERS: Record<string, readonly string[]> = { google: ['vertex_ai'] };

const MTOK = 1_000_000;

/** genai-prices price key → rate class and the units it counts in (per million tokens, or
 * per thousand requests for `requests_kcount`). */
const PRICE_KEYS: ReadonlyArray<[string, keyof Rates, number?]> = [
  ['requests_kcount', 'request', 1_000],
  ['input_mtok', 'input'],
  ['output_mtok', 'output'],
  ['cache_read_mtok', 'cacheRead'],
  ['cache_write_mtok', 'cacheWrite5m'],
  ['cache_write_1h_mtok', 'cacheWrite1h'],
  ['output_reasoning_mtok', 'reasoning'],
  ['input_audio_mtok', 'inputAudio'],
  ['output_audio_mtok', 'outputAudio'],
];

let cached: readonly PriceEntry[] | undefined;

/** Version of `@pydantic/genai-prices` whose data is embedded (its package.json cannot be
 * imported: not in its `exports`); the test suite checks it equals the installed version. */
export const GENAI_PRICES_VERSION = '0.1.8';

/** `genai-prices@<version>`: the `source` of every embedded entry. */
export function embeddedSource(): string {
  return `genai-prices@${GENAI_PRICES_VERSION}`;
}

/**
 * Builds (once per process, lazily) the price entries of the embedded genai-prices data.
 * Keys: `<provider>/<model id>` for every provider, the bare model id (first provider wins,
 * vendors first), `equals` strings of its match rule as further exact keys and `starts_with`
 * strings as base keys (they accept revision suffixes only, never a blind prefix).
 */
export function loadEmbeddedEntries(now: Date = new Date()): readonly PriceEntry[] {
  if (cached) return cached;
  const source = embeddedSource();
  const built: { entry: PriceEntry; bare: string[]; bareBase: string[]; vendor: boolean }[] = [];
  const fallbacks: { qualifiers: readonly string[]; from: readonly string[] }[] = [];
  const byProvider = new Map<string, PriceEntry[]>();
  for (const id of PROVIDER_IDS) {
    let provider: Provider | undefined;
    try {
      provider = findProvider({ providerId: id });
    } catch (err) {
      warn(`genai-prices provider ${id} could not be read`, err);
    }
    if (!provider || provider.id !== id) continue;
    const normalized = normalizeProvider(id) ?? id;
    const qualifiers = [normalized, ...(EXTRA_QUALIFIERS[id] ?? [])];
    const vendor = VENDORS.has(id);
    const own: PriceEntry[] = [];
    for (const model of provider.models) {
      const b = toEntry(model, normalized, qualifiers, source, now, id === 'aws');
      if (b) {
        built.push({ ...b, vendor });
        own.push(b.entry);
      }
    }
    byProvider.set(id, own);
    const from = (provider as { fallback_model_providers?: unknown }).fallback_model_providers;
    if (Array.isArray(from))
      fallbacks.push({ qualifiers, from: from.filter((f): f is string => typeof f === 'string') });
  }
  // genai-prices' `fallback_model_providers`: a model Azure (or Vertex AI) does not list on its
  // own is sold at the price of the first listed provider that has it (Azure → OpenAI, Anthropic,
  // DeepSeek, xAI, Moonshot; Google → Anthropic), as its `calcPrice` does. So `azure/gpt-4o` is
  // Azure's price by genai-prices' own data. Added as base keys: the provider's own models win.
  for (const { qualifiers, from } of fallbacks) {
    for (const fallbackId of from) {
      for (const entry of byProvider.get(fallbackId) ?? []) {
        const ids = [entry.key.toLowerCase(), ...ownIds(entry)];
        const extra: string[] = [];
        for (const q of qualifiers) for (const k of ids) extra.push(`${q}/${k}`);
        entry.baseKeys = [...(entry.baseKeys ?? []), ...extra];
      }
    }
  }
  // Bare ids belong to the vendor: a reseller's `claude-sonnet-4-5-20250929` must not shadow
  // Anthropic's `claude-sonnet-4-5` base key. Resellers keep their qualified keys.
  const claimed = new Set<string>();
  for (const b of built) if (b.vendor) for (const k of [...b.bare, ...b.bareBase]) claimed.add(k);
  const entries: PriceEntry[] = [];
  for (const b of built) {
    const free = (k: string): boolean => b.vendor || !isClaimed(k, claimed);
    const bare = b.bare.filter(free);
    const bareBase = b.bareBase.filter(free);
    const entry = b.entry;
    const id = entry.key.toLowerCase();
    if (!bare.includes(id)) entry.key = `${entry.provider ?? ''}/${entry.key}`;
    const matchKeys = [...(entry.matchKeys ?? []), ...bare.filter((k) => k !== id)];
    if (matchKeys.length) entry.matchKeys = matchKeys;
    const baseKeys = [...(entry.baseKeys ?? []), ...bareBase];
    if (baseKeys.length) entry.baseKeys = baseKeys;
    if (entry.periods) for (const p of entry.periods) p.entry.key = entry.key;
    entries.push(entry);
  }
  // Shared by every PriceBook of the process: frozen, array and entries, so no caller can change
  // the prices another one sees.
  cached = deepFreeze(entries);
  return cached;
}

/** Freezes plain objects and arrays, all the way down (the entries hold nothing else). */
function deepFreeze<T>(value: T): T {
  if (typeof value === 'object' && value !== null && !Object.isFrozen(value)) {
    Object.freeze(value);
    for (const v of Object.values(value)) deepFreeze(v);
  }
  return value;
}

/** The unqualified ids an entry's own provider lists it under (from its `<provider>/` keys). */
function ownIds(entry: PriceEntry): string[] {
  const prefix = `${entry.provider ?? ''}/`;
  const ids: string[] = [];
  for (const k of [...(entry.matchKeys ?? []), ...(entry.baseKeys ?? [])]) {
    if (k.startsWith(prefix)) ids.push(k.slice(prefix.length));
  }
  return ids;
}

/** First-party vendors: their bare model ids win over resellers'. */
const VENDORS = new Set(PROVIDER_IDS.slice(0, PROVIDER_IDS.indexOf('arcee')));

/** A key is claimed when it, or the base of any of its revisions, is a vendor's key. */
function isClaimed(key: string, claimed: Set<string>): boolean {
  let k: string | undefined = key;
  for (let i = 0; i < 4 && k !== undefined; i++) {
    if (claimed.has(k)) return true;
    k = stripRevision(k);
  }
  return false;
}

function toEntry(
  model: ModelInfo,
  provider: string,
  qualifiers: readonly string[],
  source: string,
  now: Date,
  bedrock = false,
): { entry: PriceEntry; bare: string[]; bareBase: string[] } | undefined {
  const prices = currentPrices(model, now);
  if (!prices) return undefined;
  const priced = toRates(prices);
  if (!priced) return undefined;
  const { rates, longContext } = priced;

  const id = model.id.toLowerCase();
  const equals: string[] = [];
  const startsWith: string[] = [];
  collectMatchKeys(model.match, equals, startsWith, 0, bedrock);
  const matchKeys: string[] = [];
  const baseKeys: string[] = [];
  for (const q of qualifiers) {
    matchKeys.push(`${q}/${id}`);
    for (const e of equals) matchKeys.push(`${q}/${e}`);
    for (const s of startsWith) baseKeys.push(`${q}/${s}`);
  }
  const entry: PriceEntry = { key: model.id, provider, rates, source, matchKeys, baseKeys };
  if (longContext) entry.longContext = longContext;
  if (typeof model.context_window === 'number' && model.context_window > 0) entry.contextWindow = model.context_window;
  const periods = datedPeriods(model, provider, source);
  if (periods) entry.periods = periods;
  return { entry, bare: [id, ...equals], bareBase: startsWith };
}

/** genai-prices' price keys → per-token rates and long-context cliffs; `undefined` when the
 * price has neither an input nor an output rate. */
function toRates(prices: ModelPrice): { rates: Rates; longContext?: LongContextTier[] } | undefined {
  const rates: Rates = {};
  const cliffs = new Map<number, LongContextTier>();
  for (const [priceKey, cls, per = MTOK] of PRICE_KEYS) {
    const p = prices[priceKey];
    if (p === undefined) continue;
    if (typeof p === 'number') {
      if (Number.isFinite(p) && p >= 0) rates[cls] = p / per;
      continue;
    }
    const tiered = p as TieredPrices;
    if (typeof tiered.base !== 'number' || !Array.isArray(tiered.tiers)) continue;
    rates[cls] = tiered.base / per;
    for (const t of tiered.tiers) {
      let tier = cliffs.get(t.start);
      if (!tier) cliffs.set(t.start, (tier = { above: t.start, rates: {} }));
      tier.rates[cls] = t.price / per;
    }
  }
  if (rates.input === undefined && rates.output === undefined) return undefined;
  return cliffs.size ? { rates, longContext: [...cliffs.values()].sort((a, b) => a.above - b.above) } : { rates };
}

/**
 * The dated prices of a model (a list whose entries are unconstrained or carry a `start_date`),
 * ascending by start: genai-prices picks the last entry whose constraint holds, else the first,
 * which for such a list is the latest start at or before the call. `start_date` is a UTC date
 * (`new Date('2025-06-10')` in its engine). Time-of-day entries are left out. `undefined` when
 * the model has fewer than two dated prices.
 */
function datedPeriods(model: ModelInfo, provider: string, source: string): PricePeriod[] | undefined {
  if (!Array.isArray(model.prices) || model.prices.length < 2) return undefined;
  const periods: PricePeriod[] = [];
  for (const p of model.prices) {
    if (!p) continue;
    const c = p.constraint;
    const from = c === undefined ? -Infinity : c.type === 'start_date' ? Date.parse(c.start_date) : NaN;
    if (Number.isNaN(from)) continue;
    const priced = toRates(p.prices);
    if (!priced) continue;
    const entry: PriceEntry = { key: model.id, provider, rates: priced.rates, source };
    if (priced.longContext) entry.longContext = priced.longContext;
    if (typeof model.context_window === 'number' && model.context_window > 0)
      entry.contextWindow = model.context_window;
    periods.push({ from, entry });
  }
  if (periods.length < 2) return undefined;
  return periods.sort((a, b) => a.from - b.from);
}

/** The price in force at `now`, with genai-prices' own rule: the last entry whose constraint
 * holds, else the first. Time-of-day constraints (off-peak discounts) are not applied. */
function currentPrices(model: ModelInfo, now: Date): ModelPrice | undefined {
  if (!Array.isArray(model.prices)) return model.prices;
  for (let i = model.prices.length - 1; i >= 0; i--) {
    const p = model.prices[i];
    if (!p) continue;
    const c = p.constraint;
    if (c === undefined) return p.prices;
    if (c.type === 'start_date' && now >= new Date(c.start_date)) return p.prices;
  }
  return model.prices[0]?.prices;
}

function collectMatchKeys(
  m: MatchLogic,
  equals: string[],
  startsWith: string[],
  depth: number,
  bedrock: boolean,
): void {
  if (depth > 8 || typeof m !== 'object' || m === null) return;
  if ('equals' in m) equals.push(m.equals.toLowerCase());
  else if ('starts_with' in m) startsWith.push(m.starts_with.toLowerCase());
  else if ('or' in m) for (const x of m.or) collectMatchKeys(x, equals, startsWith, depth + 1, bedrock);
  else if (bedrock && 'contains' in m && isBedrockModelId(m.contains)) startsWith.push(m.contains.toLowerCase());
  // `and`, `ends_with`, `regex` and other `contains` rules are not keys: they would match blindly.
}

/**
 * genai-prices matches Bedrock models with `contains` on a vendor-qualified id
 * (`anthropic.claude-sonnet-4-5-20250929`, `us.anthropic.…`, `amazon.nova-pro`) to accept the
 * version suffix (`-v1:0`). Such a string is taken as a base key: it accepts that id plus
 * revision suffixes only, a strict subset of what genai-prices matches.
 */
function isBedrockModelId(s: unknown): s is string {
  if (typeof s !== 'string') return false;
  const dot = s.indexOf('.');
  return dot > 1 && dot < s.length - 4 && s.indexOf('/') < 0;
}
