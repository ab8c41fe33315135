/**
 * Resolving a model id to a price entry (docs/pricing.md "Resolving a model id"), the same rules for every table:
 * exact key (case-insensitive) → provider-qualified key → a dated or versioned revision
 * resolved to its base key. Aliases are applied by the PriceBook, across tables.
 *
 * Revision suffixes are the parts of a model id that name a dated snapshot or a version of the
 * same model, not a different model. Only these are stripped to find a base key, so
 * `gpt-4o-2024-08-06` resolves to `gpt-4o` while `gpt-4o-mini`, `gpt-5-pro` or `gpt-4.1` never
 * resolve to `gpt-4o`, `gpt-5` or `gpt-4`. Each check is anchored at the end of the id and looks
 * at a fixed number of characters: linear time, no regular expressions on untrusted strings.
 */
import type { PriceEntry, Resolution } from './types.js';
import type { PriceTable } from './price-table.js';
import { isKnownProvider, normalizeProvider, providerKeyPrefixes, stripBedrockGeo } from './providers.js';

/** Longer ids are never resolved (cheap bound on the work done per untrusted model id). */
export const MAX_MODEL_ID_LENGTH = 256;

const ZERO = 48;
const NINE = 57;

function isDigits(s: string, from: number, to: number): boolean {
  if (from < 0 || to > s.length || from >= to) return false;
  for (let i = from; i < to; i++) {
    const c = s.charCodeAt(i);
    if (c < ZERO || c > NINE) return false;
  }
  return true;
}

function num(s: string, from: number, to: number): number {
  let n = 0;
  for (let i = from; i < to; i++) n = n * 10 + (s.charCodeAt(i) - ZERO);
  return n;
}

function isMonthDay(mm: number, dd: number): boolean {
  return mm >= 1 && mm <= 12 && dd >= 1 && dd <= 31;
}

/** `YYYYMMDD` at [from, from+8) with a 20xx year. */
function isDate8(s: string, from: number): boolean {
  return (
    isDigits(s, from, from + 8) &&
    s.charCodeAt(from) === 50 /* 2 */ &&
    s.charCodeAt(from + 1) === ZERO &&
    isMonthDay(num(s, from + 4, from + 6), num(s, from + 6, from + 8))
  );
}

/** `YYYY-MM-DD` at [from, from+10) with a 20xx year. */
function isDashedDate(s: string, from: number): boolean {
  return (
    isDigits(s, from, from + 4) &&
    s.charCodeAt(from) === 50 &&
    s.charCodeAt(from + 1) === ZERO &&
    s[from + 4] === '-' &&
    isDigits(s, from + 5, from + 7) &&
    s[from + 7] === '-' &&
    isDigits(s, from + 8, from + 10) &&
    isMonthDay(num(s, from + 5, from + 7), num(s, from + 8, from + 10))
  );
}

/** A 4-digit snapshot id: `MMDD` (`gpt-4-0613`) or `YYMM` with 23 ≤ YY ≤ 29 (`mistral-large-2407`). */
function isSnapshot4(s: string, from: number): boolean {
  if (!isDigits(s, from, from + 4)) return false;
  const a = num(s, from, from + 2);
  const b = num(s, from + 2, from + 4);
  return isMonthDay(a, b) || (a >= 23 && a <= 29 && b >= 1 && b <= 12);
}

/** A 6-digit `YYMMDD` snapshot id (`deepseek-v3-2-251201`). */
function isSnapshot6(s: string, from: number): boolean {
  if (!isDigits(s, from, from + 6)) return false;
  const yy = num(s, from, from + 2);
  return yy >= 23 && yy <= 29 && isMonthDay(num(s, from + 2, from + 4), num(s, from + 4, from + 6));
}

function endsWithWord(s: string, word: string): boolean {
  return s.length > word.length && s.endsWith(word);
}

/**
 * Removes one revision suffix from a lower-case model id and returns the base, or `undefined`
 * when the id does not end with a revision. Recognised (anchored at the end):
 * `-YYYYMMDD`, `@YYYYMMDD`, `-YYYY-MM-DD`, `@YYYY-MM-DD`, `-YYMMDD`, `-MMDD`/`-YYMM`,
 * Bedrock `-vN:M` and `:M`, `-latest`/`@latest`, Vertex `@default`, Gemini `-00N`/`@00N`, and the `-MM-DD` date
 * of a preview (`gemini-2.5-flash-preview-05-20` → `gemini-2.5-flash-preview`).
 */
export function stripRevision(id: string): string | undefined {
  const n = id.length;
  if (n < 3 || n > MAX_MODEL_ID_LENGTH) return undefined;

  if (endsWithWord(id, '-latest') || endsWithWord(id, '@latest')) return id.slice(0, n - 7);
  // Vertex AI's version alias of a partner model (`claude-opus-4-6@default`).
  if (endsWithWord(id, '@default')) return id.slice(0, n - 8);

  // Bedrock: `-v1:0`, `-v2:0` (the whole version), else a bare `:0`.
  const colon = id.lastIndexOf(':');
  if (colon > 0 && n - colon <= 4 && isDigits(id, colon + 1, n)) {
    const v = id.lastIndexOf('-v', colon);
    if (v > 0 && colon - v <= 4 && isDigits(id, v + 2, colon)) return id.slice(0, v);
    return id.slice(0, colon);
  }

  const last = id.charCodeAt(n - 1);
  if (last < ZERO || last > NINE) return undefined;

  const sepAt = (len: number): string | undefined => id[n - len - 1];
  const from = (len: number): number => n - len;

  // `-YYYY-MM-DD` / `@YYYY-MM-DD`
  if (n > 11 && isDashedDate(id, from(10)) && (sepAt(10) === '-' || sepAt(10) === '@')) return id.slice(0, n - 11);
  // `-YYYYMMDD` / `@YYYYMMDD`
  if (n > 9 && isDate8(id, from(8)) && (sepAt(8) === '-' || sepAt(8) === '@')) {
    return id.slice(0, n - 9);
  }
  // `-YYMMDD`
  if (n > 7 && sepAt(6) === '-' && isSnapshot6(id, from(6))) return id.slice(0, n - 7);
  // `-MMDD` / `-YYMM`
  if (n > 5 && sepAt(4) === '-' && isSnapshot4(id, from(4))) return id.slice(0, n - 5);
  // Gemini versions `-001`, `@002`
  // (two leading zeros, as documented: `-010` is not a version Google uses, so it is not taken for one)
  if (
    n > 4 &&
    (sepAt(3) === '-' || sepAt(3) === '@') &&
    id.charCodeAt(n - 3) === ZERO &&
    id.charCodeAt(n - 2) === ZERO &&
    isDigits(id, n - 1, n)
  ) {
    return id.slice(0, n - 4);
  }
  // `-preview-05-20`, `-exp-03-25`
  if (
    n > 6 &&
    id[n - 6] === '-' &&
    isDigits(id, n - 5, n - 3) &&
    id[n - 3] === '-' &&
    isDigits(id, n - 2, n) &&
    isMonthDay(num(id, n - 5, n - 3), num(id, n - 2, n))
  ) {
    const head = id.slice(0, n - 6);
    if (head.endsWith('-preview') || head.endsWith('-exp')) return head;
  }
  return undefined;
}

/** How many revision suffixes may be stripped in a row (`-20250929-v1:0` is two). */
const MAX_REVISION_DEPTH = 3;
/** How many `/`-separated qualifiers may be peeled off (`openrouter/anthropic/claude-…`). */
const MAX_SLASH_DEPTH = 3;

/**
 * Resolves a model id in one table: exact → provider-qualified → revision, then the same on
 * the upstream model of a `provider/model` or `deployment/model` id.
 *
 * @param model the model id as reported (any case)
 * @param provider a provider id already passed through `normalizeProvider`
 */
export function resolveInTable(table: PriceTable, model: string, provider?: string): Resolution | undefined {
  if (typeof model !== 'string') return undefined;
  const id = model.trim().toLowerCase();
  if (id.length === 0 || id.length > MAX_MODEL_ID_LENGTH) return undefined;
  return resolveId(table, id, provider, 0, '');
}

/**
 * @param path the qualifiers already peeled off the caller's id (`''`, then `replicate/` …), so
 *   a qualifier is checked against the table as the caller wrote it (`azure/eu/`, not `eu/`).
 */
function resolveId(
  table: PriceTable,
  id: string,
  provider: string | undefined,
  depth: number,
  path: string,
): Resolution | undefined {
  let base = id;
  for (let step = 0; step <= MAX_REVISION_DEPTH; step++) {
    const hit = lookupQualified(table, base, provider, path);
    if (hit) return step === 0 ? hit : { entry: hit.entry, match: 'revision' };
    const next = stripRevision(base);
    if (next === undefined) break;
    base = next;
  }
  // `openai/gpt-4o`, `my-deployment/gpt-4o`, `models/gemini-2.5-pro`: fall back to the
  // upstream model, qualified by the leading provider when it is one. Not when the table has
  // prices of its own under that qualifier (`replicate/`, `azure_ai/`, `bedrock/ap-northeast-1/`,
  // `deepseek/`): that host or region prices models its own way, and a model the table does not
  // list there is unknown. (Leave-one-out over the LiteLLM table: without this check 347 ids
  // landed on another host's, region's or key's price.)
  const slash = id.indexOf('/');
  if (slash > 0 && slash < id.length - 1 && depth < MAX_SLASH_DEPTH) {
    const head = id.slice(0, slash);
    const rest = id.slice(slash + 1);
    const qualifier = isKnownProvider(head) ? normalizeProvider(head) : provider;
    const qualifierPath = path + head + '/';
    const upstream = resolveId(table, rest, qualifier, depth + 1, qualifierPath);
    if (upstream && !table.hasOwnPrices(qualifierPath)) {
      return upstream.match === 'exact' ? { entry: upstream.entry, match: 'provider' } : upstream;
    }
  }
  return undefined;
}

/**
 * Exact key, unless the caller named a provider and that key is another provider's: then the
 * provider's own key (`azure/gpt-4o` for an Azure call to `gpt-4o`) wins, and the exact key is
 * the fallback. Bedrock geography prefixes (`us.`, `eu.` …) fall back to the plain id.
 */
function lookupQualified(
  table: PriceTable,
  id: string,
  provider: string | undefined,
  path: string,
): Resolution | undefined {
  const exact = table.get(id);
  if (exact && (provider === undefined || exact.provider === undefined || exact.provider === provider)) {
    return { entry: exact, match: 'exact' };
  }
  if (provider !== undefined) {
    const qualified = lookupPrefixed(table, id, provider);
    if (qualified) return { entry: qualified, match: 'provider' };
  }
  if (exact) return { entry: exact, match: 'exact' };
  const plain = stripBedrockGeo(id);
  // A geography the table prices on its own (`eu.` …) is a price we do not know for this model.
  if (plain !== undefined && !table.hasOwnPrices(path + id.slice(0, id.length - plain.length))) {
    const entry = table.get(plain) ?? (provider !== undefined ? lookupPrefixed(table, plain, provider) : undefined);
    if (entry) return { entry, match: 'provider' };
  }
  return undefined;
}

function lookupPrefixed(table: PriceTable, id: string, provider: string): PriceEntry | undefined {
  for (const prefix of providerKeyPrefixes(provider)) {
    const entry = table.get(prefix + id);
    if (entry) return entry;
  }
  return undefined;
}
