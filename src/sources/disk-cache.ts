import { createHash, randomBytes } from 'node:crypto';
import { mkdir, readFile, rename, unlink, writeFile } from 'node:fs/promises';
import { join } from 'node:path';

/** Marks files this package wrote, so an unrelated or older file is never taken for a table. */
const CACHE_FORMAT = 'otel-llm-cost/litellm-cache/1';

/** One fetched table as kept on disk. */
export interface CachedTable {
  /** The URL it was fetched from (the configured one, before redirects). */
  url: string;
  /** When it was fetched, ms since the epoch; freshness is measured from here. */
  fetchedAt: number;
  /** The server's `Last-Modified`, ms since the epoch, when it sent one. */
  lastModified: number | undefined;
  /** The parsed LiteLLM JSON, as served. */
  table: unknown;
}

export type CacheRead =
  | { kind: 'hit'; cached: CachedTable }
  | { kind: 'miss' }
  | { kind: 'corrupt'; reason: string };

/**
 * The on-disk cache of one price-table URL: one JSON file per URL in `dir`, named by a hash of
 * the URL. Writes go to a unique temporary file in the same directory and are renamed into place,
 * which is atomic on POSIX file systems: a reader, or a second process refreshing the same cache,
 * sees the old file or the new one, never a mix.
 */
export class DiskCache {
  /** The cache file of this URL. */
  readonly file: string;
  private readonly _dir: string;
  private readonly _url: string;

  constructor(dir: string, url: string) {
    this._dir = dir;
    this._url = url;
    const digest = createHash('sha256').update(url).digest('hex').slice(0, 16);
    this.file = join(dir, `litellm-${digest}.json`);
  }

  /** Reads the cached table; never rejects. */
  async read(): Promise<CacheRead> {
    let text: string;
    try {
      text = await readFile(this.file, 'utf8');
    } catch (err) {
      // No file, or no directory where the cache should be: nothing cached (a write will say why).
      const code = (err as NodeJS.ErrnoException).code;
      if (code === 'ENOENT' || code === 'ENOTDIR') return { kind: 'miss' };
      return { kind: 'corrupt', reason: `cannot read ${this.file}: ${(err as Error).message}` };
    }
    let parsed: unknown;
    try {
      parsed = JSON.parse(text);
    } catch (err) {
      return { kind: 'corrupt', reason: `${this.file} is not valid JSON (${(err as Error).message})` };
    }
    const o = parsed as Record<string, unknown> | null;
    if (
      o === null ||
      typeof o !== 'object' ||
      o['format'] !== CACHE_FORMAT ||
      o['url'] !== this._url ||
      typeof o['fetchedAt'] !== 'number' ||
      !(o['lastModified'] === undefined || typeof o['lastModified'] === 'number') ||
      typeof o['table'] !== 'object' ||
      o['table'] === null
    ) {
      return { kind: 'corrupt', reason: `${this.file} is not a table cached by otel-llm-cost` };
    }
    return {
      kind: 'hit',
      cached: {
        url: this._url,
        fetchedAt: o['fetchedAt'],
        lastModified: o['lastModified'] as number | undefined,
        table: o['table'],
      },
    };
  }

  /** Writes atomically (temp file + rename); rejects when the directory is not writable. */
  async write(cached: Omit<CachedTable, 'url'>): Promise<void> {
    await mkdir(this._dir, { recursive: true });
    const temp = `${this.file}.${process.pid}.${randomBytes(6).toString('hex')}.tmp`;
    const text = JSON.stringify({
      format: CACHE_FORMAT,
      url: this._url,
      fetchedAt: cached.fetchedAt,
      lastModified: cached.lastModified,
      table: cached.table,
    });
    try {
      await writeFile(temp, text, { mode: 0o644 });
      await rename(temp, this.file);
    } catch (err) {
      await unlink(temp).catch(() => undefined);
      throw err;
    }
  }
}
