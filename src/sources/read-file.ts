import { closeSync, constants, fstatSync, openSync, readSync, type Stats } from 'node:fs';
import { open } from 'node:fs/promises';

/** Why a file was not read: not a regular file, or over the size cap. Other failures keep their `code`. */
export class FileReadError extends Error {
  readonly kind: 'not_regular' | 'too_large';
  constructor(kind: 'not_regular' | 'too_large', message: string) {
    super(message);
    this.name = 'FileReadError';
    this.kind = kind;
  }
}

export interface ReadText {
  text: string;
  mtime: Date;
}

/*
 * Only regular files are read, and at most `maxBytes` of them. The file is opened with
 * O_NONBLOCK, so opening a FIFO returns at once instead of waiting for a writer, and the type
 * and size are checked on the open descriptor (fstat), so there is no window between the check
 * and the read in which the path could be swapped for something else. A file that grows while
 * it is read is cut off at `maxBytes + 1` bytes and refused.
 */
const FLAGS = constants.O_RDONLY | (constants.O_NONBLOCK ?? 0);

function check(path: string, stats: Stats, maxBytes: number): void {
  if (!stats.isFile()) throw new FileReadError('not_regular', `${path} is not a regular file (${kindOf(stats)})`);
  if (stats.size > maxBytes)
    throw new FileReadError('too_large', `${path} is ${stats.size} bytes, over the ${maxBytes}-byte limit`);
}

function tooLarge(path: string, maxBytes: number): FileReadError {
  return new FileReadError('too_large', `${path} is over the ${maxBytes}-byte limit`);
}

/** Reads a regular file of at most `maxBytes` bytes as UTF-8, synchronously (start-up only). */
export function readRegularFileSync(path: string, maxBytes: number): ReadText {
  const fd = openSync(path, FLAGS);
  try {
    const stats = fstatSync(fd);
    check(path, stats, maxBytes);
    let buffer = Buffer.allocUnsafe(Math.min(maxBytes + 1, stats.size + 1));
    let length = 0;
    for (;;) {
      if (length === buffer.length) {
        if (length > maxBytes) break;
        // The file grew since fstat: read on, up to one byte over the cap.
        const bigger = Buffer.allocUnsafe(Math.min(maxBytes + 1, length * 2 + 1024));
        buffer.copy(bigger, 0, 0, length);
        buffer = bigger;
      }
      const n = readSync(fd, buffer, length, buffer.length - length, null);
      if (n === 0) break;
      length += n;
    }
    if (length > maxBytes) throw tooLarge(path, maxBytes);
    return { text: buffer.toString('utf8', 0, length), mtime: stats.mtime };
  } finally {
    closeSync(fd);
  }
}

/** Reads a regular file of at most `maxBytes` bytes as UTF-8, in the background. */
export async function readRegularFile(path: string, maxBytes: number): Promise<ReadText> {
  const handle = await open(path, FLAGS);
  try {
    const stats = await handle.stat();
    check(path, stats, maxBytes);
    const decoder = new TextDecoder('utf-8');
    const chunk = Buffer.allocUnsafe(Math.min(maxBytes + 1, 1024 * 1024));
    const parts: string[] = [];
    let length = 0;
    for (;;) {
      const { bytesRead } = await handle.read(chunk, 0, chunk.length, null);
      if (bytesRead === 0) break;
      length += bytesRead;
      if (length > maxBytes) throw tooLarge(path, maxBytes);
      parts.push(decoder.decode(chunk.subarray(0, bytesRead), { stream: true }));
    }
    parts.push(decoder.decode());
    return { text: parts.join(''), mtime: stats.mtime };
  } finally {
    await handle.close();
  }
}

function kindOf(stats: Stats): string {
  if (stats.isDirectory()) return 'a directory';
  if (stats.isFIFO()) return 'a FIFO';
  if (stats.isCharacterDevice()) return 'a character device';
  if (stats.isBlockDevice()) return 'a block device';
  if (stats.isSocket()) return 'a socket';
  return 'not a file';
}
