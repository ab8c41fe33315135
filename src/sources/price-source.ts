import { stat } from 'node:fs/promises';
import { redactUrl, resolveConfig, type PriceSourceOptions, type ResolvedPriceSourceConfig } from './config.js';
import { PriceBook } from '../pricing/price-book.js';
import { PriceTable } from '../pricing/price-table.js';
import type { PriceEntry } from '../pricing/types.js';
import { DiskCache } from './disk-cache.js';
import { fetchTable, TableFetchError } from './fetch-table.js';
import { describeRejected, parseLiteLLMTextSliced, TableLoadError, toPriceTable, type LoadedTable } from './litellm.js';
import { errorExcerpt } from './log-text.js';
import { loadTableAt, loadTableFileSync } from './load-location.js';
import { FileReadError, readRegularFile, readRegularFileSync } from './read-file.js';
import { debug, DiagOnce, error } from '../diag.js';

/** Source name of user overrides on `gen_ai.cost.source`. */
export const OVERRIDES_SOURCE = 'overrides';

/** A price book kept up to date from the configured sources. */
export interface PriceBookHandle {
  /** Prices calls; always usable, even before `ready()` (embedded / file prices meanwhile). */
  readonly priceBook: PriceBook;
  /** Resolves (never rejects) once the first load attempt of every source has finished. */
  ready(): Promise<void>;
  /** Loads again now: the URL over the network, or the file when it changed. Never rejects. */
  refresh(): Promise<void>;
  /** Stops refreshing and aborts a fetch in flight; idempotent. */
  shutdown(): Promise<void>;
}

/**
 * Builds a `PriceBook` from, in order of precedence: user overrides → the LiteLLM table
 * (`pricesUrl` once loaded, else `pricesPath`) → the embedded table; aliases are resolved last
 * through the same chain (docs/price-sources.md).
 *
 * Construction is synchronous and never throws. Files (`pricesPath`, `overridesPath`) are read
 * synchronously here — startup I/O, never on the span path — so the first span already sees them.
 * A URL is loaded in the background: from the disk cache when present (a stale copy is used while
 * it is refreshed), then fetched. On any failure the last good table stays in force and one
 * `diag.warn` says why; the same cause is not reported again until a load succeeds.
 */
export class PriceSource implements PriceBookHandle {
  readonly priceBook: PriceBook;
  /** The configuration in force, every default applied. */
  readonly config: ResolvedPriceSourceConfig;
  private readonly _cache: DiskCache | undefined;
  /** Failures said once per cause; a cause is forgotten when a load succeeds (`_recovered`). */
  private readonly _diag = new DiagOnce();
  private readonly _abort = new AbortController();
  private readonly _first: Promise<void>;
  private _timer: ReturnType<typeof setInterval> | undefined;
  private _inflight: Promise<void> | undefined;
  private _isShutdown = false;
  /** Freshness of the URL table in force (ms since the epoch), 0 when none. */
  private _urlFetchedAt = 0;
  /** mtime of the `pricesPath` file in force, to reload it when it changes. */
  private _pathMtime = 0;
  /** `source` of the LiteLLM table in force, if any. */
  private _tableSource: string | undefined;

  /**
   * @param given a table the caller loaded itself, with the configuration it resolved for it
   *   (`openPriceSourceAt`): `options` and `env` are then not read again.
   */
  constructor(
    options: PriceSourceOptions = {},
    env: Record<string, string | undefined> = process.env,
    given?: GivenTable,
  ) {
    this.config = given?.config ?? resolveConfig(options, env);
    const config = this.config;
    this._cache =
      config.pricesUrl !== undefined && config.cacheDir !== undefined
        ? new DiskCache(config.cacheDir, config.pricesUrl, config.maxBytes)
        : undefined;

    let book: PriceBook;
    try {
      book = new PriceBook({
        overrides: this._loadOverrides(),
        aliases: config.aliases,
        table:
          given !== undefined
            ? given.table
            : config.pricesPath !== undefined
              ? this._readPathSync(config.pricesPath)
              : undefined,
        embedded: config.embedded ? undefined : false,
      });
    } catch (err) {
      error(`could not build the price book; using the embedded table only`, err);
      book = new PriceBook();
    }
    this.priceBook = book;

    this._first = config.pricesUrl !== undefined ? this._run(() => this._loadUrl(false)) : Promise.resolve();
    // Once the tables are in (after the first URL load, or a tick after construction so that a
    // table installed right away with `setTable` counts): an alias whose target none of them
    // knows is named in one warning.
    void this._first.then(() => {
      if (!this._isShutdown || config.pricesUrl === undefined) this.priceBook.checkAliases();
    });
    if (config.refreshIntervalMs > 0 && (config.pricesUrl !== undefined || config.pricesPath !== undefined)) {
      this._timer = setInterval(() => void this._refresh(false), config.refreshIntervalMs);
      this._timer.unref();
    }
  }

  ready(): Promise<void> {
    return this._first;
  }

  /**
   * Loads again now, whatever the age of the table in force: the URL over the network, or the
   * file when it changed. The periodic refresh instead first looks at the disk cache, which
   * another process may have refreshed. Never rejects.
   */
  refresh(): Promise<void> {
    return this._refresh(true);
  }

  private _refresh(force: boolean): Promise<void> {
    if (this._isShutdown) return Promise.resolve();
    return this._run(async () => {
      if (this.config.pricesUrl !== undefined) await this._loadUrl(force);
      else if (this.config.pricesPath !== undefined) await this._reloadPathIfChanged(this.config.pricesPath);
    });
  }

  async shutdown(): Promise<void> {
    if (!this._isShutdown) {
      this._isShutdown = true;
      if (this._timer !== undefined) clearInterval(this._timer);
      this._abort.abort();
    }
    await this._inflight;
  }

  /** Runs one load at a time; a call while one is running joins it. */
  private _run(load: () => Promise<void>): Promise<void> {
    if (this._inflight !== undefined) return this._inflight;
    const p = load()
      .catch((err: unknown) => this._warn('unexpected', `unexpected failure while loading prices`, err))
      .finally(() => {
        this._inflight = undefined;
      });
    this._inflight = p;
    return p;
  }

  /** Loads the URL: the disk cache first unless `force`, then the network when still stale. */
  private async _loadUrl(force: boolean): Promise<void> {
    const url = this.config.pricesUrl!;
    const ttl = this.config.refreshIntervalMs;
    // A fetch time in the future (clock skew between the writer of a cache and this reader) is
    // not trusted to be fresh: such a copy would otherwise never be refreshed.
    const isFresh = (fetchedAt: number): boolean => {
      const age = Date.now() - fetchedAt;
      return age >= 0 && (ttl === 0 || age < ttl);
    };

    if (!force && this._urlFetchedAt !== 0 && isFresh(this._urlFetchedAt)) return;

    // 1. The disk cache: another run (or process) may have fetched it already.
    if (this._cache !== undefined && !force) {
      const read = await this._cache.read();
      if (read.kind === 'corrupt') {
        this._warn('cache_corrupt', `ignoring the price cache: ${read.reason}`);
      } else if (
        read.kind === 'hit' &&
        (read.cached.fetchedAt > Date.now() ? this._urlFetchedAt === 0 : read.cached.fetchedAt > this._urlFetchedAt)
      ) {
        // A copy from the future is used only while nothing better is in force, and as stale.
        const { cached } = read;
        try {
          const date = new Date(Math.min(cached.lastModified ?? cached.fetchedAt, Date.now()));
          const loaded = await parseLiteLLMTextSliced(cached.text, url, date, {
            start: cached.tableStart,
            end: cached.tableEnd,
          });
          if (this._isShutdown) return;
          this._install(loaded);
          this._urlFetchedAt = cached.fetchedAt <= Date.now() ? cached.fetchedAt : 1; // future: as old as can be
        } catch (err) {
          this._warn('cache_corrupt', `ignoring the price cache ${this._cache.file}: ${errorExcerpt(err)}`);
        }
      }
      if (this._urlFetchedAt !== 0 && isFresh(this._urlFetchedAt)) {
        this._recovered();
        return;
      }
    }
    if (this._isShutdown) return;

    // 2. The network.
    let fetched;
    try {
      fetched = await fetchTable(url, {
        timeoutMs: this.config.fetchTimeoutMs,
        maxBytes: this.config.maxBytes,
        allowHttpLoopback: this.config.allowHttpLoopback,
        signal: this._abort.signal,
      });
    } catch (err) {
      if (this._isShutdown) return;
      this._warn(
        `fetch:${failureKind(err, 'network')}`,
        `could not fetch prices from ${redactUrl(url)}: ${String((err as Error).message)
          .split(url)
          .join(redactUrl(url))}; ${this._keeping()}`,
      );
      return;
    }
    const fetchedAt = Date.now();
    let loaded: LoadedTable;
    try {
      loaded = await parseLiteLLMTextSliced(fetched.body, url, fetched.lastModified ?? new Date(fetchedAt));
    } catch (err) {
      this._warn(
        `table:${failureKind(err, 'invalid')}`,
        `prices from ${redactUrl(url)} are unusable: ${errorExcerpt(err, 300)}; ${this._keeping()}`,
      );
      return;
    }
    if (this._isShutdown) return;
    this._install(loaded);
    this._urlFetchedAt = fetchedAt;
    this._recovered();

    if (this._cache !== undefined) {
      try {
        await this._cache.write({ fetchedAt, lastModified: fetched.lastModified?.getTime(), tableText: fetched.body });
        this._diag.forget((cause) => cause === 'cache_write');
      } catch (err) {
        this._warn(
          'cache_write',
          `could not write the price cache ${this._cache.file} (${errorExcerpt(err, 200)}); ` +
            'prices are still in force, but will be fetched again by the next process',
        );
      }
    }
  }

  private _install(loaded: LoadedTable): void {
    this.priceBook.setTable(loaded.table);
    this._tableSource = loaded.table.source;
    this._reportRejected(loaded);
  }

  private _keeping(): string {
    return this._tableSource !== undefined ? `keeping ${this._tableSource}` : 'using the embedded prices meanwhile';
  }

  /** A load succeeded: a later failure of the same kind is worth reporting again. */
  private _recovered(): void {
    // Rejected entries are reported once per table; a cache that cannot be written once per
    // failure (it is cleared when a write succeeds), not again after every successful fetch.
    this._diag.forget((cause) => !cause.startsWith('rejected:') && cause !== 'cache_write');
  }

  private _warn(cause: string, message: string, err?: unknown): void {
    if (err === undefined) this._diag.warn(cause, message);
    else this._diag.warn(cause, message, err);
  }

  private _readPathSync(path: string): PriceTable | undefined {
    try {
      const loaded = loadTableFileSync(path, this.config.maxBytes);
      this._pathMtime = loaded.mtime.getTime();
      this._tableSource = loaded.table.source;
      this._reportRejected(loaded);
      return loaded.table;
    } catch (err) {
      this._warn('path', `could not load prices from ${path}: ${errorExcerpt(err, 300)}; using the embedded prices`);
      return undefined;
    }
  }

  private async _reloadPathIfChanged(path: string): Promise<void> {
    try {
      if ((await stat(path)).mtime.getTime() === this._pathMtime) return;
      const { text, mtime } = await readRegularFile(path, this.config.maxBytes);
      const loaded = await parseLiteLLMTextSliced(text, path, mtime);
      if (this._isShutdown) return;
      this._install(loaded);
      this._pathMtime = mtime.getTime();
      this._recovered();
    } catch (err) {
      this._warn(
        `path:${failureKind(err, 'error')}`,
        `could not reload prices from ${path}: ${errorExcerpt(err, 300)}; ${this._keeping()}`,
      );
    }
  }

  private _reportRejected(loaded: LoadedTable): void {
    if (loaded.rejected.length === 0) return;
    this._warn(
      `rejected:${loaded.table.source}:${loaded.rejected.length}`,
      `${loaded.table.source}: ${describeRejected(loaded.rejected)}`,
    );
    debug(`entries ignored in ${loaded.table.source}`, loaded.rejected);
  }

  /** Overrides from `overridesPath`, then `overrides` (which wins per key). */
  private _loadOverrides(): PriceEntry[] {
    const { overridesPath, overrides } = this.config;
    const merged: Record<string, unknown> = {};
    if (overridesPath !== undefined) {
      try {
        const json = JSON.parse(readRegularFileSync(overridesPath, this.config.maxBytes).text) as unknown;
        if (json === null || typeof json !== 'object' || Array.isArray(json))
          throw new Error('a JSON object keyed by model is expected');
        Object.assign(merged, json);
      } catch (err) {
        this._warn('overrides_path', `could not load price overrides from ${overridesPath}: ${errorExcerpt(err, 300)}`);
      }
    }
    if (overrides !== undefined) Object.assign(merged, overrides);
    if (Object.keys(merged).length === 0) return [];
    try {
      const { table, rejected } = toPriceTable(merged, OVERRIDES_SOURCE);
      if (rejected.length > 0) this._warn('overrides_rejected', `price overrides: ${describeRejected(rejected)}`);
      return [...table.entries()];
    } catch (err) {
      this._warn('overrides', `price overrides are unusable: ${(err as Error).message}`);
      return [];
    }
  }
}

/** A LiteLLM table loaded by the caller, and the configuration it was loaded under. */
export interface GivenTable {
  /** Resolved with `tableGiven`: no `pricesPath` or `pricesUrl`. */
  config: ResolvedPriceSourceConfig;
  table: PriceTable;
}

/** A price source over a table loaded from a location the caller chose, and what loading it gave. */
export interface OpenedPriceSource {
  source: PriceSource;
  /** The table as loaded, with the entries it refused (for the caller to report its own way). */
  loaded: LoadedTable;
}

/**
 * A price source whose LiteLLM table is the one at `location` (a file path, or an https URL),
 * loaded once, now, under the configured size cap and time limit (`loadTableAt`); overrides,
 * aliases and the embedded table as `options` and `env` configure them. The configured table
 * locations (`pricesPath`, `pricesUrl`, `OTEL_LLM_COST_PRICES_PATH`, `OTEL_LLM_COST_PRICES_URL`)
 * are not consulted, nothing is fetched but `location`, and nothing is refreshed. Rejects, with
 * nothing built, when the table cannot be loaded: for `llm-cost --prices` a table that fails to
 * load is an error, not a fallback. The caller shuts the source down.
 */
export async function openPriceSourceAt(
  location: string,
  options: PriceSourceOptions = {},
  env: Record<string, string | undefined> = process.env,
): Promise<OpenedPriceSource> {
  const config = resolveConfig(options, env, { tableGiven: true });
  const loaded = await loadTableAt(location, config);
  return { source: new PriceSource(options, env, { config, table: loaded.table }), loaded };
}

/** Creates a `PriceSource`: a price book kept up to date from the configured sources. */
export function createPriceBook(options?: PriceSourceOptions): PriceBookHandle {
  return new PriceSource(options);
}

/**
 * The cause a failed load is reported under: the kind of our own error types, else a Node error
 * code (`ENOENT`, `EACCES`, …), else `fallback`.
 */
function failureKind(err: unknown, fallback: string): string {
  if (err instanceof TableFetchError || err instanceof TableLoadError || err instanceof FileReadError) return err.kind;
  const code = err instanceof Error ? (err as NodeJS.ErrnoException).code : undefined;
  return typeof code === 'string' ? code : fallback;
}
