import { fetchTable } from './fetch-table.js';
import { parseLiteLLMText, type LoadedTable } from './litellm.js';
import { readRegularFileSync } from './read-file.js';

/** The limits a table is loaded under (`ResolvedPriceSourceConfig` has them). */
export interface LoadLimits {
  /** Time limit of a fetch, body included, in milliseconds. */
  fetchTimeoutMs: number;
  /** Largest table accepted, in bytes, from a URL or a file. */
  maxBytes: number;
  /** Accept `http:` to a loopback host. */
  allowHttpLoopback: boolean;
}

/** Whether `location` names a URL (`scheme://…`) rather than a file path. */
export function isUrlLocation(location: string): boolean {
  return /^[a-z][a-z0-9+.-]*:\/\//i.test(location);
}

/**
 * Loads the LiteLLM-format table at `location` once: an https URL (the same rules as the
 * configured `pricesUrl`: no downgrade, the time limit, the size cap while it streams), or a
 * file path (a regular file of at most `maxBytes`). No cache, no refresh, no fallback: rejects
 * with the typed error of the step that failed (`TableFetchError`, `FileReadError`,
 * `TableLoadError`) or the file system's error.
 */
export async function loadTableAt(location: string, limits: LoadLimits): Promise<LoadedTable> {
  if (isUrlLocation(location)) {
    const fetched = await fetchTable(location, {
      timeoutMs: limits.fetchTimeoutMs,
      maxBytes: limits.maxBytes,
      allowHttpLoopback: limits.allowHttpLoopback,
    });
    return parseLiteLLMText(fetched.body, location, fetched.lastModified ?? new Date());
  }
  return loadTableFileSync(location, limits.maxBytes);
}

/**
 * Loads the LiteLLM-format table in the file at `path`, synchronously (start-up only): a regular
 * file of at most `maxBytes`, dated by its `last_updated`, else its mtime. Throws like
 * `loadTableAt`.
 */
export function loadTableFileSync(path: string, maxBytes: number): LoadedTable & { mtime: Date } {
  // Only a regular file, at most maxBytes of it: a FIFO or /dev/zero is refused at once.
  const { text, mtime } = readRegularFileSync(path, maxBytes);
  return { ...parseLiteLLMText(text, path, mtime), mtime };
}
