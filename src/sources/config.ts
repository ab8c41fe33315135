import { homedir, tmpdir } from 'node:os';
import { join } from 'node:path';
import { excerpt } from './log-text.js';
import { warn } from '../diag.js';
import { integerOption, integerRange } from '../options.js';

/**
 * The one configuration layer of the price sources: explicit options first, the
 * `OTEL_LLM_COST_*` environment variables as fallbacks, then defaults (docs/price-sources.md).
 * A bad value is corrected with a `diag.warn`, never thrown.
 */

/** Options of the price sources (`createPriceBook`, `CostSpanProcessor`). */
export interface PriceSourceOptions {
  /**
   * A LiteLLM-format `model_prices_and_context_window.json` on disk. Read synchronously when the
   * price book is created, so the first span already sees it.
   * Default: `OTEL_LLM_COST_PRICES_PATH`, else none.
   */
  pricesPath?: string;
  /**
   * An `https:` URL of a LiteLLM-format table, fetched in the background and cached on disk.
   * When `pricesPath` is also set, the file is in force until the URL has loaded.
   * Default: `OTEL_LLM_COST_PRICES_URL`, else none.
   */
  pricesUrl?: string;
  /**
   * Directory of the on-disk cache of `pricesUrl`; `false` disables the cache.
   * Default: `OTEL_LLM_COST_CACHE_DIR`, else `$XDG_CACHE_HOME/otel-llm-cost`,
   * else `~/.cache/otel-llm-cost`, else `<tmpdir>/otel-llm-cost`.
   */
  cacheDir?: string | false;
  /**
   * How long a fetched table stays fresh, and how often the URL (or a changed file) is reloaded,
   * in milliseconds; `0` loads once and never refreshes.
   * Default: `OTEL_LLM_COST_REFRESH_INTERVAL`, else `86400000` (24 h).
   */
  refreshIntervalMs?: number;
  /** Time limit of one fetch, body included, in milliseconds. Default: `OTEL_LLM_COST_FETCH_TIMEOUT`, else `10000`. */
  fetchTimeoutMs?: number;
  /**
   * Largest table accepted, in bytes: from the URL, and from every file read (the prices file,
   * the overrides file, the cache file, which may exceed it by its small envelope).
   * Default: `OTEL_LLM_COST_MAX_BYTES`, else `20971520` (20 MiB).
   */
  maxBytes?: number;
  /**
   * Price entries in the LiteLLM entry shape, keyed by model, consulted before any table:
   * custom or fine-tuned models, negotiated prices. They win over `overridesPath` per key.
   * Default: none.
   */
  overrides?: Record<string, unknown>;
  /**
   * A JSON file of overrides in the LiteLLM table shape, read synchronously at creation.
   * Default: `OTEL_LLM_COST_OVERRIDES_PATH`, else none.
   */
  overridesPath?: string;
  /**
   * Model aliases, e.g. an Azure deployment name to its base model: `{ 'my-gpt': 'gpt-4o' }`.
   * Resolved last, through overrides → table → embedded.
   * Default: `OTEL_LLM_COST_ALIASES` (`alias=model,alias2=model2`), else none.
   */
  aliases?: Record<string, string>;
  /** Use the embedded table (from `@pydantic/genai-prices`) as the last source. Default: `true`. */
  embedded?: boolean;
  /**
   * Accept `http:` URLs whose host is a loopback address (127.0.0.0/8, `::1`, `localhost`), for
   * tests and local mirrors. There is no environment variable for it. Default: `false`.
   */
  allowHttpLoopback?: boolean;
}

/** `PriceSourceOptions` with every default applied and every value checked. */
export interface ResolvedPriceSourceConfig {
  pricesPath: string | undefined;
  pricesUrl: string | undefined;
  /** `undefined`: no disk cache. */
  cacheDir: string | undefined;
  refreshIntervalMs: number;
  fetchTimeoutMs: number;
  maxBytes: number;
  overrides: Record<string, unknown> | undefined;
  overridesPath: string | undefined;
  /** The option as given, else parsed from `OTEL_LLM_COST_ALIASES`; checked by the `PriceBook`. */
  aliases: Record<string, string>;
  embedded: boolean;
  allowHttpLoopback: boolean;
}

export const ENV_PRICES_PATH = 'OTEL_LLM_COST_PRICES_PATH';
export const ENV_PRICES_URL = 'OTEL_LLM_COST_PRICES_URL';
export const ENV_CACHE_DIR = 'OTEL_LLM_COST_CACHE_DIR';
export const ENV_REFRESH_INTERVAL = 'OTEL_LLM_COST_REFRESH_INTERVAL';
export const ENV_FETCH_TIMEOUT = 'OTEL_LLM_COST_FETCH_TIMEOUT';
export const ENV_MAX_BYTES = 'OTEL_LLM_COST_MAX_BYTES';
export const ENV_ALIASES = 'OTEL_LLM_COST_ALIASES';
export const ENV_OVERRIDES_PATH = 'OTEL_LLM_COST_OVERRIDES_PATH';

export const DEFAULT_REFRESH_INTERVAL_MS = 24 * 60 * 60 * 1000;
export const DEFAULT_FETCH_TIMEOUT_MS = 10_000;
export const DEFAULT_MAX_BYTES = 20 * 1024 * 1024;
const MAX_TIMER_MS = 2 ** 31 - 1;

type Env = Record<string, string | undefined>;

/** How `resolveConfig` reads the options. */
export interface ResolveConfigMode {
  /**
   * The caller brings its own table (`llm-cost --prices`): `pricesPath`, `pricesUrl` and their
   * variables are neither read nor checked, and come out `undefined`. Default: `false`.
   */
  tableGiven?: boolean;
}

/** Applies defaults and environment fallbacks to `options`; never throws. */
export function resolveConfig(
  options: PriceSourceOptions = {},
  env: Env = process.env,
  mode: ResolveConfigMode = {},
): ResolvedPriceSourceConfig {
  options ??= {};
  env ??= {};
  const tableGiven = mode.tableGiven === true;
  const allowHttpLoopback = options.allowHttpLoopback === true;
  const pricesUrl = tableGiven
    ? undefined
    : checkUrl(
        nonEmpty(options.pricesUrl) ?? envString(env, ENV_PRICES_URL),
        options.pricesUrl !== undefined ? 'pricesUrl' : ENV_PRICES_URL,
        allowHttpLoopback,
      );
  return {
    pricesPath: tableGiven ? undefined : (nonEmpty(options.pricesPath) ?? envString(env, ENV_PRICES_PATH)),
    pricesUrl,
    cacheDir: resolveCacheDir(options.cacheDir, env),
    // Timers longer than 2^31-1 ms fire at once in Node: such a value is corrected, not obeyed.
    refreshIntervalMs: integerSetting(
      options.refreshIntervalMs,
      'refreshIntervalMs',
      env,
      ENV_REFRESH_INTERVAL,
      DEFAULT_REFRESH_INTERVAL_MS,
      0,
      MAX_TIMER_MS,
    ),
    fetchTimeoutMs: integerSetting(
      options.fetchTimeoutMs,
      'fetchTimeoutMs',
      env,
      ENV_FETCH_TIMEOUT,
      DEFAULT_FETCH_TIMEOUT_MS,
      1,
      MAX_TIMER_MS,
    ),
    maxBytes: integerSetting(options.maxBytes, 'maxBytes', env, ENV_MAX_BYTES, DEFAULT_MAX_BYTES, 1),
    overrides: resolveOverrides(options.overrides),
    overridesPath: nonEmpty(options.overridesPath) ?? envString(env, ENV_OVERRIDES_PATH),
    aliases: resolveAliases(options.aliases, env),
    embedded: options.embedded !== false,
    allowHttpLoopback,
  };
}

/**
 * Whether `url` may be fetched: `https:`, or `http:` to a loopback host when allowed.
 * Returns the reason it may not, or `undefined`.
 */
export function refuseUrl(url: string, allowHttpLoopback: boolean): string | undefined {
  let parsed: URL;
  try {
    parsed = new URL(url);
  } catch {
    return 'not a valid URL';
  }
  // fetch() refuses such URLs anyway; say so up front (without echoing the credential).
  if (parsed.username !== '' || parsed.password !== '') return 'user info in the URL is not supported';
  if (parsed.protocol === 'https:') return undefined;
  if (parsed.protocol === 'http:') {
    if (allowHttpLoopback && isLoopbackHost(parsed.hostname)) return undefined;
    return allowHttpLoopback
      ? 'plain http is only allowed to a loopback host'
      : 'only https URLs are fetched (plain http could be tampered with)';
  }
  return `unsupported protocol ${excerpt(parsed.protocol, 20)}`;
}

/**
 * A URL as it may appear in a log message: without user info and with the query replaced by
 * `?…`, since either can carry a credential (`?token=…`). Not a URL: returned as given.
 */
export function redactUrl(url: string): string {
  let parsed: URL;
  try {
    parsed = new URL(url);
  } catch {
    return excerpt(url, 200);
  }
  if (parsed.protocol === 'file:') return excerpt(url, 200);
  // A redirect may point anywhere (`data:` carries its whole payload): name the scheme only.
  if (parsed.protocol !== 'https:' && parsed.protocol !== 'http:') return `${excerpt(parsed.protocol, 20)}…`;
  const query = parsed.search === '' ? '' : '?…';
  return `${excerpt(`${parsed.protocol}//${parsed.host}${parsed.pathname}`, 200)}${query}`;
}

function isLoopbackHost(hostname: string): boolean {
  return hostname === 'localhost' || hostname === '[::1]' || /^127(\.\d{1,3}){3}$/.test(hostname);
}

function checkUrl(url: string | undefined, name: string, allowHttpLoopback: boolean): string | undefined {
  if (url === undefined) return undefined;
  const refusal = refuseUrl(url, allowHttpLoopback);
  if (refusal === undefined) return url;
  warn(`${name} ${JSON.stringify(redactUrl(url))} is ignored: ${refusal}`);
  return undefined;
}

function nonEmpty(value: string | undefined): string | undefined {
  return typeof value === 'string' && value.trim() !== '' ? value.trim() : undefined;
}

function envString(env: Env, name: string): string | undefined {
  return nonEmpty(env[name]);
}

/** A non-negative integer option (milliseconds or bytes) with an environment fallback. */
function integerSetting(
  value: number | undefined,
  name: string,
  env: Env,
  envName: string,
  fallback: number,
  min: number,
  max = Number.MAX_SAFE_INTEGER,
): number {
  if (value !== undefined) return integerOption(value, name, fallback, min, max);
  const raw = envString(env, envName);
  if (raw === undefined) return fallback;
  const parsed = /^\d+$/.test(raw) ? Number(raw) : NaN;
  if (Number.isSafeInteger(parsed) && parsed >= min && parsed <= max) return parsed;
  warn(`${envName}=${JSON.stringify(raw)} is invalid (${integerRange(min, max)} is expected); using ${fallback}`);
  return fallback;
}

function resolveCacheDir(value: string | false | undefined, env: Env): string | undefined {
  if (value === false) return undefined;
  const explicit = nonEmpty(value) ?? envString(env, ENV_CACHE_DIR);
  if (explicit !== undefined) return explicit;
  const xdg = envString(env, 'XDG_CACHE_HOME');
  if (xdg !== undefined) return join(xdg, 'otel-llm-cost');
  try {
    const home = homedir();
    if (home !== '') return join(home, '.cache', 'otel-llm-cost');
  } catch {
    // No home directory (e.g. a service user): fall through to the temp directory.
  }
  return join(tmpdir(), 'otel-llm-cost');
}

function resolveOverrides(value: Record<string, unknown> | undefined): Record<string, unknown> | undefined {
  if (value === undefined) return undefined;
  if (value !== null && typeof value === 'object' && !Array.isArray(value)) return value;
  warn('option overrides is ignored: an object of LiteLLM entries keyed by model is expected');
  return undefined;
}

/**
 * The aliases given as an option, passed through as they are (the price book checks them: one
 * validator, one warning per bad alias), else those of `OTEL_LLM_COST_ALIASES`.
 */
function resolveAliases(value: Record<string, string> | undefined, env: Env): Record<string, string> {
  if (value !== undefined) return value;
  return parseAliases(envString(env, ENV_ALIASES) ?? '', ENV_ALIASES);
}

/**
 * Parses `alias=model,alias2=model2` into pairs: an item that is not `alias=model` (nothing on a
 * side of the `=`) is not a pair and is skipped, all of them named in one warning under `name`.
 * The pairs themselves are checked with every other alias, by the price book.
 */
export function parseAliases(text: string, name: string): Record<string, string> {
  const aliases: Record<string, string> = {};
  const bad: string[] = [];
  for (const item of text.split(',')) {
    if (item.trim() === '') continue;
    const eq = item.indexOf('=');
    const alias = eq > 0 ? item.slice(0, eq).trim() : '';
    const model = eq > 0 ? item.slice(eq + 1).trim() : '';
    if (alias === '' || model === '') bad.push(item.trim());
    else aliases[alias] = model;
  }
  if (bad.length > 0) {
    warn(`${name}: ignored ${bad.map((b) => JSON.stringify(b)).join(', ')} (expected alias=model, comma-separated)`);
  }
  return aliases;
}
