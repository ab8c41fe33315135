import { closeSync, createReadStream, openSync, readdirSync, readSync, statSync } from 'node:fs';
import { basename, dirname, join } from 'node:path';
import type { Readable } from 'node:stream';
import { createGunzip } from 'node:zlib';

/**
 * Collector `file` exporter output: one OTLP/JSON `ExportTraceServiceRequest` per line, plain or
 * gzip-compressed (detected by its magic bytes, so a rotated `traces.json.gz` and a `--compression
 * gzip` file without the suffix both work), from files, glob patterns or standard input (`-`).
 */

/** One line of input and where it came from. */
export interface InputLine {
  text: string;
  /** The file name, or `-` for standard input. */
  file: string;
  /** 1-based line number. */
  line: number;
}

/**
 * Expands arguments to files: `-` stays, a path that exists is kept, and a pattern with `*` or
 * `?` in its last segment is matched against that directory (sorted, so the order is stable).
 * A pattern that matches nothing, and a missing file, are errors (a typo must not give a
 * quietly empty report).
 */
export function expandInputs(args: readonly string[]): string[] {
  const files: string[] = [];
  for (const arg of args) {
    if (arg === '-') {
      files.push(arg);
      continue;
    }
    const name = basename(arg);
    if (/[*?]/.test(name) && !/[*?]/.test(dirname(arg))) {
      const dir = dirname(arg);
      const pattern = new RegExp(
        `^${name
          .replace(/[.+^${}()|[\]\\]/g, '\\$&')
          .replace(/\*/g, '.*')
          .replace(/\?/g, '.')}$`,
      );
      let entries: string[];
      try {
        entries = readdirSync(dir);
      } catch (err) {
        throw new Error(`${arg}: ${(err as Error).message}`, { cause: err });
      }
      const matched = entries
        .filter((e) => pattern.test(e))
        .sort()
        .map((e) => (dir === '.' && !arg.startsWith('./') ? e : join(dir, e)));
      const regular = matched.filter((f) => statSync(f).isFile());
      if (regular.length === 0) throw new Error(`${arg}: no file matches`);
      files.push(...regular);
      continue;
    }
    let isFile: boolean;
    try {
      isFile = statSync(arg).isFile();
    } catch (err) {
      throw new Error(
        `${arg}: ${(err as NodeJS.ErrnoException).code === 'ENOENT' ? 'no such file' : (err as Error).message}`,
        { cause: err },
      );
    }
    if (!isFile) throw new Error(`${arg}: not a file`);
    files.push(arg);
  }
  return files;
}

/** Total size of the files (standard input counts as 0), for the progress bar. */
export function totalBytes(files: readonly string[]): number {
  let total = 0;
  for (const f of files) if (f !== '-') total += statSync(f).size;
  return total;
}

function isGzip(file: string): boolean {
  const fd = openSync(file, 'r');
  try {
    const magic = Buffer.alloc(2);
    return readSync(fd, magic, 0, 2, 0) === 2 && magic[0] === 0x1f && magic[1] === 0x8b;
  } finally {
    closeSync(fd);
  }
}

/**
 * The lines of every file in turn, without holding more than one line (and the stream buffers)
 * in memory. `onBytes` is told how many bytes of the files (compressed bytes for gzip) have been
 * read so far.
 */
export async function* readLines(
  files: readonly string[],
  stdin: Readable,
  onBytes?: (bytesRead: number) => void,
): AsyncGenerator<InputLine> {
  let done = 0;
  for (const file of files) {
    let raw: Readable;
    let source: Readable;
    if (file === '-') {
      raw = stdin;
      source = stdin;
    } else {
      const stream = createReadStream(file, { highWaterMark: 1 << 20 });
      raw = stream;
      source = isGzip(file) ? stream.pipe(createGunzip()) : stream;
      if (source !== stream) stream.on('error', (err) => source.destroy(err));
    }
    let line = 0;
    try {
      for await (const text of splitLines(source)) {
        line++;
        if (onBytes !== undefined && line % 64 === 0) onBytes(done + ((raw as { bytesRead?: number }).bytesRead ?? 0));
        yield { text, file, line };
      }
    } finally {
      if (raw !== stdin) raw.destroy();
    }
    done += (raw as { bytesRead?: number }).bytesRead ?? 0;
    onBytes?.(done);
  }
}

/**
 * Splits a byte stream into lines (`\n`, or `\r\n`), decoding each line once as UTF-8.
 * `node:readline` does the same with a regular expression over decoded chunks, which costs as
 * much as a third of parsing the lines with JSON.parse on Collector output (BENCHMARKS.md);
 * searching the bytes for `\n` does not. A last line without a newline is still a line.
 */
export async function* splitLines(source: AsyncIterable<Buffer | string>): AsyncGenerator<string> {
  let pending: Buffer[] = [];
  for await (const data of source) {
    const chunk = typeof data === 'string' ? Buffer.from(data, 'utf8') : data;
    let start = 0;
    let nl = chunk.indexOf(10, start);
    while (nl !== -1) {
      let text: string;
      if (pending.length > 0) {
        pending.push(chunk.subarray(start, nl));
        text = Buffer.concat(pending).toString('utf8');
        pending = [];
      } else {
        text = chunk.toString('utf8', start, nl);
      }
      yield text.endsWith('\r') ? text.slice(0, -1) : text;
      start = nl + 1;
      nl = chunk.indexOf(10, start);
    }
    if (start < chunk.length) pending.push(start === 0 ? chunk : chunk.subarray(start));
  }
  if (pending.length > 0) {
    const text = Buffer.concat(pending).toString('utf8');
    yield text.endsWith('\r') ? text.slice(0, -1) : text;
  }
}
