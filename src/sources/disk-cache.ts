import { createHash, randomBytes } from 'node:crypto';
import { mkdir, rename, stat, unlink, writeFile } from 'node:fs/promises';
import { dirname, join } from 'node:path';
import { excerpt } from './log-text.js';
import { FileReadError, readRegularFile } from './read-file.js';
import { scanObject, TimeSlicer } from './sliced-json.js';

/** Marks files this package wrote, so an unrelated or older file is never taken for a table. */
const CACHE_FORMAT = 'otel-llm-cost/litellm-cache/1';

/** Room for the envelope around the table (format, URL, dates) in the cache file's size cap. */
const ENVELOPE_BYTES = 64 * 1024;

/** One fetched table as kept on disk. */
export interface CachedTable {
  /** The URL it was fetched from (the configured one, before redirects). */
  url: string;
  /** When it was fetched, ms since the epoch; freshness is measured from here. */
  fetchedAt: number;
  /** The server's `Last-Modified`, ms since the epoch, when it sent one. */
  lastModified: number | undefined;
  /** The file's text; the table is `text.slice(tableStart, tableEnd)` (JSON, as served). */
  text: string;
  tableStart: number;
  tableEnd: number;
}

export type CacheRead = { kind: 'hit'; cached: CachedTable } | { kind: 'miss' } | { kind: 'corrupt'; reason: string };

/**
 * The on-disk cache of one price-table URL: one JSON file per URL in `dir`, named by a hash of
 * the URL, `{"format":…,"url":…,"fetchedAt":…,"lastModified":…,"table":<the table as served>}`.
 * Writes go to a unique temporary file in the same directory and are renamed into place,
 * which is atomic on POSIX file systems: a reader, or a second process refreshing the same cache,
 * sees the old file or the new one, never a mix. The table is written as the text the server
 * sent (already validated), not re-serialized, and read back without a whole-file `JSON.parse`:
 * neither holds the event loop for long on a large table.
 */
export class DiskCache {
  /** The cache file of this URL. */
  readonly file: string;
  private readonly _dir: string;
  private readonly _url: string;
  private readonly _maxBytes: number;

  /** `maxBytes`: the size cap of a table; the file may exceed it by the envelope only. */
  constructor(dir: string, url: string, maxBytes = Number.MAX_SAFE_INTEGER - ENVELOPE_BYTES) {
    this._dir = dir;
    this._url = url;
    this._maxBytes = maxBytes;
    const digest = createHash('sha256').update(url).digest('hex').slice(0, 16);
    this.file = join(dir, `litellm-${digest}.json`);
  }

  /** Reads the cached table; never rejects. Only a regular file within the size cap is read. */
  async read(): Promise<CacheRead> {
    let text: string;
    try {
      text = (await readRegularFile(this.file, this._maxBytes + ENVELOPE_BYTES)).text;
    } catch (err) {
      // No file, or no directory where the cache should be: nothing cached (a write will say why).
      const code = (err as NodeJS.ErrnoException).code;
      if (code === 'ENOENT' || code === 'ENOTDIR') return { kind: 'miss' };
      if (err instanceof FileReadError) return { kind: 'corrupt', reason: err.message };
      return { kind: 'corrupt', reason: `cannot read ${this.file}: ${excerpt((err as Error).message, 120)}` };
    }
    const notOurs = { kind: 'corrupt', reason: `${this.file} is not a table cached by otel-llm-cost` } as const;
    let envelope: Record<string, unknown>;
    let table: { start: number; end: number } | undefined;
    try {
      envelope = Object.create(null) as Record<string, unknown>;
      for (const m of await scanObject(text, new TimeSlicer())) {
        if (m.colon < 0) throw new SyntaxError('a member without a value');
        const key = JSON.parse(text.slice(m.start, m.colon)) as unknown;
        if (key === 'table') table = { start: m.colon + 1, end: m.end };
        else if (typeof key === 'string' && m.end - m.colon <= ENVELOPE_BYTES)
          envelope[key] = JSON.parse(text.slice(m.colon + 1, m.end));
        else return notOurs;
      }
    } catch {
      // The file's bytes are not quoted: they may be anything (another file behind a symlink).
      return { kind: 'corrupt', reason: `${this.file} is not valid JSON` };
    }
    if (
      envelope['format'] !== CACHE_FORMAT ||
      envelope['url'] !== this._url ||
      typeof envelope['fetchedAt'] !== 'number' ||
      !(envelope['lastModified'] === undefined || typeof envelope['lastModified'] === 'number') ||
      table === undefined
    ) {
      return notOurs;
    }
    return {
      kind: 'hit',
      cached: {
        url: this._url,
        fetchedAt: envelope['fetchedAt'],
        lastModified: envelope['lastModified'] as number | undefined,
        text,
        tableStart: table.start,
        tableEnd: table.end,
      },
    };
  }

  /**
   * Writes atomically (temp file + rename); rejects when the directory cannot be made or written.
   * `tableText` must be a valid JSON object (the validated body of a fetch).
   */
  async write(cached: { fetchedAt: number; lastModified: number | undefined; tableText: string }): Promise<void> {
    await makeDirectory(this._dir);
    const temp = `${this.file}.${process.pid}.${randomBytes(6).toString('hex')}.tmp`;
    const head = JSON.stringify({
      format: CACHE_FORMAT,
      url: this._url,
      fetchedAt: cached.fetchedAt,
      lastModified: cached.lastModified,
    });
    const text = `${head.slice(0, -1)},"table":${cached.tableText}}`;
    try {
      await writeFile(temp, text, { mode: 0o644 });
      await rename(temp, this.file);
    } catch (err) {
      await unlink(temp).catch(() => undefined);
      throw err;
    }
  }
}

/**
 * `mkdir -p` that always ends. Node's recursive `mkdir` retries forever where a parent exists
 * but refuses new entries with ENOENT (`/proc`, some FUSE and network file systems); here every
 * level is tried once, bottom-up only after its parent exists.
 */
async function makeDirectory(dir: string): Promise<void> {
  try {
    await mkdir(dir);
    return;
  } catch (err) {
    const code = (err as NodeJS.ErrnoException).code;
    if (code === 'EEXIST') {
      if ((await stat(dir)).isDirectory()) return;
      throw err;
    }
    const parent = dirname(dir);
    if (code !== 'ENOENT' || parent === dir) throw err;
  }
  await makeDirectory(dirname(dir));
  try {
    await mkdir(dir);
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code !== 'EEXIST') throw err;
  }
}
