/**
 * Spans from Jaeger v2 through its query API v3 over HTTP, which answers in OTLP/JSON:
 * `GET /api/v3/traces?query.service_name=S&query.start_time_min=…&query.start_time_max=…&query.num_traces=N`
 * returns `{"result":{"resourceSpans":[…]}}` (whole traces whose spans match the query), and
 * 404 with an error object when no trace matches.
 */

/** What to ask Jaeger for. */
export interface JaegerQuery {
  /** Base URL of the Jaeger query service, e.g. `http://localhost:16686`. */
  url: string;
  service: string;
  fromMs: number;
  toMs: number;
  /** `query.num_traces` / `query.search_depth`: the most traces Jaeger returns. */
  limit: number;
  /** Request timeout. Default: 60 s. */
  timeoutMs?: number;
}

/** The query URL for `q` (exported for the tests and the docs). */
export function jaegerTracesUrl(q: JaegerQuery): string {
  const url = new URL('api/v3/traces', q.url.endsWith('/') ? q.url : `${q.url}/`);
  url.searchParams.set('query.service_name', q.service);
  url.searchParams.set('query.start_time_min', new Date(q.fromMs).toISOString());
  url.searchParams.set('query.start_time_max', new Date(q.toMs).toISOString());
  // Jaeger v2 up to 2.x (module v1.76) reads `query.num_traces`; later versions renamed it
  // `query.search_depth` and keep the old name as an alias. Without either, the memory store
  // answers 500 "search depth must be greater than 0".
  url.searchParams.set('query.num_traces', String(q.limit));
  url.searchParams.set('query.search_depth', String(q.limit));
  return url.toString();
}

/**
 * Fetches the traces and returns the OTLP/JSON `TracesData` objects of the answer (one, or one
 * per line when the server streams chunks). Throws with Jaeger's own message on an HTTP error
 * other than "no trace found".
 */
export async function fetchJaegerTraces(q: JaegerQuery): Promise<unknown[]> {
  const url = jaegerTracesUrl(q);
  const res = await fetch(url, {
    signal: AbortSignal.timeout(q.timeoutMs ?? 60_000),
    headers: { accept: 'application/json' },
  });
  const body = await res.text();
  if (res.status === 404) return [];
  if (!res.ok) {
    let message = body.slice(0, 500);
    try {
      const parsed = JSON.parse(body) as { error?: { message?: string } };
      if (typeof parsed.error?.message === 'string') message = parsed.error.message;
    } catch {
      // not JSON: the body itself says what went wrong
    }
    throw new Error(`Jaeger answered ${res.status} ${res.statusText}: ${message}`);
  }
  const chunks: unknown[] = [];
  const take = (obj: unknown): void => {
    const result = (obj as { result?: unknown } | null)?.result;
    if (result !== undefined) chunks.push(result);
    else if ((obj as { resourceSpans?: unknown } | null)?.resourceSpans !== undefined) chunks.push(obj);
  };
  try {
    take(JSON.parse(body));
  } catch {
    for (const line of body.split('\n')) if (line.trim() !== '') take(JSON.parse(line));
  }
  return chunks;
}

/** How many distinct traces the chunks hold (to warn when the limit was reached). */
export function countTraces(chunks: readonly unknown[]): number {
  const ids = new Set<string>();
  for (const chunk of chunks) {
    for (const rs of ((chunk as { resourceSpans?: unknown[] }).resourceSpans ?? []) as {
      scopeSpans?: { spans?: { traceId?: string }[] }[];
    }[]) {
      for (const ss of rs.scopeSpans ?? [])
        for (const s of ss.spans ?? []) if (typeof s.traceId === 'string') ids.add(s.traceId);
    }
  }
  return ids.size;
}
