import { context } from '@opentelemetry/api';
import { suppressTracing } from '@opentelemetry/core';
import { redactUrl, refuseUrl } from './config.js';
import { excerpt } from './log-text.js';

/** Why a fetch failed; one diag warning is written per distinct cause. */
export type FetchFailureCause =
  'refused_url' | 'redirect' | 'timeout' | 'aborted' | 'http_status' | 'too_large' | 'truncated' | 'network';

/** A failed fetch, with a kind to deduplicate warnings on and a message for people. */
export class TableFetchError extends Error {
  readonly kind: FetchFailureCause;
  constructor(kind: FetchFailureCause, message: string) {
    super(message);
    this.name = 'TableFetchError';
    this.kind = kind;
  }
}

export interface FetchTableOptions {
  /** Time limit of the whole exchange, redirects and body included, in milliseconds. */
  timeoutMs: number;
  /** Largest body accepted, in bytes; enforced while the body streams in. */
  maxBytes: number;
  /** Accept `http:` to a loopback host (tests, local mirrors). */
  allowHttpLoopback: boolean;
  /** Aborts the fetch (shutdown). */
  signal?: AbortSignal;
  /** Redirects followed at most. Default: `5`. */
  maxRedirects?: number;
}

export interface FetchedTable {
  body: string;
  /** The URL the body came from, after redirects. */
  url: string;
  /** The `Last-Modified` header, when the server sent a valid one. */
  lastModified: Date | undefined;
}

/**
 * Fetches a price table with the global `fetch`: https only, every redirect checked against the
 * same rule (no downgrade to http), a time limit and a size cap enforced while streaming.
 * The request is not traced (`suppressTracing`): the SDK's own I/O must not produce spans.
 * Rejects with a `TableFetchError`.
 */
export function fetchTable(url: string, options: FetchTableOptions): Promise<FetchedTable> {
  return context.with(suppressTracing(context.active()), () => fetchUntraced(url, options));
}

async function fetchUntraced(url: string, options: FetchTableOptions): Promise<FetchedTable> {
  const timeout = AbortSignal.timeout(options.timeoutMs);
  const signal = options.signal ? AbortSignal.any([timeout, options.signal]) : timeout;
  const maxRedirects = options.maxRedirects ?? 5;
  let current = url;
  try {
    for (let redirects = 0; ; redirects++) {
      const refusal = refuseUrl(current, options.allowHttpLoopback);
      if (refusal !== undefined) {
        throw redirects === 0
          ? new TableFetchError('refused_url', `refused ${redactUrl(current)}: ${refusal}`)
          : new TableFetchError('redirect', `refused a redirect to ${redactUrl(current)}: ${refusal}`);
      }
      const response = await fetch(current, {
        signal,
        redirect: 'manual',
        headers: { accept: 'application/json' },
      });
      if (response.status >= 300 && response.status < 400) {
        await response.body?.cancel().catch(() => undefined);
        const location = response.headers.get('location');
        if (location === null)
          throw new TableFetchError('redirect', `HTTP ${response.status} without a Location header`);
        if (redirects >= maxRedirects) throw new TableFetchError('redirect', `more than ${maxRedirects} redirects`);
        current = new URL(location, current).href;
        continue;
      }
      if (!response.ok) {
        await response.body?.cancel().catch(() => undefined);
        throw new TableFetchError('http_status', `HTTP ${response.status} ${excerpt(response.statusText, 40)}`.trim());
      }
      const body = await readCapped(response, options.maxBytes);
      const lastModifiedHeader = response.headers.get('last-modified');
      const lastModified = lastModifiedHeader === null ? undefined : new Date(lastModifiedHeader);
      return {
        body,
        url: current,
        lastModified: lastModified && !Number.isNaN(lastModified.getTime()) ? lastModified : undefined,
      };
    }
  } catch (err) {
    throw classify(err, timeout, options);
  }
}

/**
 * Reads the body, refusing more than `maxBytes` of it *decoded*: a small compressed body may
 * expand to anything. `fetch` decodes `gzip`, `deflate` and `br` itself, and `Content-Length`
 * then counts the bytes on the wire, not the decoded ones: the two are only compared when the
 * body was sent as is. For an encoded body the HTTP client checks the wire length itself (a
 * connection that closes before `Content-Length` bytes fails the read), and a cut-off
 * compressed stream leaves JSON that does not parse.
 */
async function readCapped(response: Response, maxBytes: number): Promise<string> {
  const declared = Number(response.headers.get('content-length') ?? NaN);
  const encoding = (response.headers.get('content-encoding') ?? '').trim().toLowerCase();
  const identity = encoding === '' || encoding === 'identity';
  if (identity && declared > maxBytes) {
    await response.body?.cancel().catch(() => undefined);
    throw new TableFetchError('too_large', `the table is ${declared} bytes, over the ${maxBytes}-byte limit`);
  }
  if (response.body === null) return '';
  const reader = response.body.getReader();
  // Decoded chunk by chunk, so no single step converts the whole body at once.
  const decoder = new TextDecoder('utf-8');
  const parts: string[] = [];
  let received = 0;
  try {
    for (;;) {
      const { done, value } = await reader.read();
      if (done) break;
      received += value.byteLength;
      if (received > maxBytes) {
        await reader.cancel().catch(() => undefined);
        throw new TableFetchError('too_large', `the table is over the ${maxBytes}-byte limit`);
      }
      parts.push(decoder.decode(value, { stream: true }));
    }
  } catch (err) {
    if (err instanceof TableFetchError || isAbort(err)) throw err;
    throw new TableFetchError(
      'truncated',
      `the connection closed before the body was complete (${received} bytes read)`,
    );
  }
  if (identity && Number.isFinite(declared) && received !== declared) {
    throw new TableFetchError('truncated', `the body has ${received} of ${declared} bytes`);
  }
  parts.push(decoder.decode());
  return parts.join('');
}

function isAbort(err: unknown): boolean {
  return err instanceof Error && (err.name === 'AbortError' || err.name === 'TimeoutError');
}

function classify(err: unknown, timeout: AbortSignal, options: FetchTableOptions): TableFetchError {
  if (err instanceof TableFetchError) return err;
  if (timeout.aborted) return new TableFetchError('timeout', `no complete answer within ${options.timeoutMs} ms`);
  if (options.signal?.aborted) return new TableFetchError('aborted', 'aborted by shutdown');
  const cause = err instanceof Error && err.cause instanceof Error ? `: ${err.cause.message}` : '';
  const message = err instanceof Error ? err.message : String(err);
  return new TableFetchError('network', excerpt(`${message}${cause}`, 200));
}
