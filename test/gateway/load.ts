/**
 * Load generator and span sink for the Collector tests: OTLP/JSON requests of 10 traces × 10
 * spans (a root, 8 plain children, 1 LLM call: 10% LLM), and an OTLP/HTTP receiver that keeps
 * only what the assertions need per span, so 200,000 spans fit in a few MB.
 */
import { calcPrice } from '@pydantic/genai-prices';
import { createServer, type IncomingMessage, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { gunzipSync } from 'node:zlib';

export const SPANS_PER_TRACE = 10;
const TRACES_PER_REQUEST = 10;
const T0 = 1_760_000_000n * 1_000_000_000n;

const hex = (n: number, width: number): string => n.toString(16).padStart(width, '0');
export const traceIdOf = (t: number, run: number): string => hex(run, 8) + hex(t + 1, 24);
const spanIdOf = (t: number, i: number): string => hex(t + 1, 12) + hex(i + 1, 4);

/** Tokens of trace `t`'s LLM call (varied, so a wrong pairing of cost and span shows). */
export const usageOf = (t: number) => ({ input: 1000 + (t % 97), output: 100 + (t % 13) });

/** genai-prices' cost of trace `t`'s call, memoized by usage. */
const oracleMemo = new Map<string, number>();
export function expectedCost(t: number): number {
  const u = usageOf(t);
  const key = `${u.input}/${u.output}`;
  let cost = oracleMemo.get(key);
  if (cost === undefined) {
    const result = calcPrice({ input_tokens: u.input, output_tokens: u.output }, 'gpt-4o-mini', {
      providerId: 'openai',
    });
    if (!result) throw new Error('genai-prices does not price gpt-4o-mini');
    cost = result.total_price;
    oracleMemo.set(key, cost);
  }
  return cost;
}

const kv = (key: string, value: string | number) =>
  typeof value === 'string' ? { key, value: { stringValue: value } } : { key, value: { intValue: String(value) } };

/** The OTLP/JSON body of request `r` (traces r*10 … r*10+9). */
export function requestBody(r: number, run: number): string {
  const spans: object[] = [];
  for (let k = 0; k < TRACES_PER_REQUEST; k++) {
    const t = r * TRACES_PER_REQUEST + k;
    const traceId = traceIdOf(t, run);
    const root = spanIdOf(t, 0);
    const start = T0 + BigInt(t) * 1_000_000n;
    const span = (i: number, name: string, attributes: object[], scopeEnd = 0n) => ({
      traceId,
      spanId: spanIdOf(t, i),
      ...(i === 0 ? {} : { parentSpanId: root }),
      name,
      kind: i === 0 ? 2 : 1,
      startTimeUnixNano: String(start + BigInt(i) * 1000n),
      endTimeUnixNano: String(start + 500_000n + scopeEnd),
      attributes,
    });
    for (let i = 1; i <= 8; i++)
      spans.push(span(i, `SELECT ${i}`, [kv('db.system.name', 'postgresql'), kv('db.namespace', 'shop')]));
    const u = usageOf(t);
    spans.push(
      span(9, 'chat gpt-4o-mini', [
        kv('gen_ai.operation.name', 'chat'),
        kv('gen_ai.provider.name', 'openai'),
        kv('gen_ai.request.model', 'gpt-4o-mini'),
        kv('gen_ai.usage.input_tokens', u.input),
        kv('gen_ai.usage.output_tokens', u.output),
      ]),
    );
    spans.push(span(0, 'POST /chat', [kv('http.request.method', 'POST'), kv('trace.index', t)], 1000n));
  }
  return JSON.stringify({
    resourceSpans: [
      { resource: { attributes: [kv('service.name', 'load-app')] }, scopeSpans: [{ scope: { name: 'load' }, spans }] },
    ],
  });
}

/**
 * Sends `requests` requests to `url` with `concurrency` in flight, retrying refusals (429/503,
 * network) like an exporter.
 */
export async function sendLoad(
  url: string,
  requests: number,
  run: number,
  opts: { concurrency?: number; onProgress?: (sent: number) => void | Promise<void> } = {},
): Promise<{ retries: number }> {
  let next = 0;
  let retries = 0;
  const worker = async (): Promise<void> => {
    for (;;) {
      const r = next++;
      if (r >= requests) return;
      const body = requestBody(r, run);
      for (let attempt = 0; ; attempt++) {
        const status = await fetch(url, { method: 'POST', body, headers: { 'content-type': 'application/json' } }).then(
          (res) => res.arrayBuffer().then(() => res.status),
          () => 0,
        );
        if (status === 200) break;
        if (status !== 0 && status !== 429 && status !== 503 && status !== 502)
          throw new Error(`request ${r}: HTTP ${status}`);
        if (attempt > 600) throw new Error(`request ${r}: still refused after ${attempt} attempts`);
        retries++;
        await new Promise((res) => setTimeout(res, 100));
      }
      await opts.onProgress?.(r + 1);
    }
  };
  await Promise.all(Array.from({ length: opts.concurrency ?? 4 }, worker));
  return { retries };
}

export interface SpanRecord {
  traceId: string;
  name: string;
  cost?: number;
  rollup?: number;
  unpriced?: string;
  count: number;
}

/** OTLP/HTTP JSON receiver keeping one small record per span id; can be stopped and restarted on its port. */
export class SpanSink {
  readonly spans = new Map<string, SpanRecord>();
  /** Last `llm_cost.gateway.spans.received` per gateway instance. */
  readonly receivedByInstance = new Map<string, number>();
  /** Last count of requests refused because the queue was full, per gateway instance. */
  readonly queueFullByInstance = new Map<string, number>();
  duplicates = 0;
  private _server: Server | undefined;
  port = 0;
  /** Delay before answering a trace request (a slow upstream, so the replicas' queues hold data). */
  delayMs = 0;

  async start(port = 0): Promise<void> {
    this._server = createServer((req, res) => {
      void this._handle(req).then(
        (status) => res.writeHead(status, { 'content-type': 'application/json' }).end('{}'),
        () => res.writeHead(400).end(),
      );
    });
    await new Promise<void>((r) => this._server!.listen(port, '127.0.0.1', r));
    this.port = (this._server.address() as AddressInfo).port;
  }

  get url(): string {
    return `http://127.0.0.1:${this.port}`;
  }

  async stop(): Promise<void> {
    const server = this._server;
    if (server === undefined) return;
    this._server = undefined;
    server.closeAllConnections();
    await new Promise((r) => server.close(r));
  }

  async waitFor(predicate: () => boolean, timeoutMs: number, what: string): Promise<void> {
    const deadline = Date.now() + timeoutMs;
    while (!predicate()) {
      if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}: ${this.spans.size} spans received`);
      await new Promise((r) => setTimeout(r, 100));
    }
  }

  private async _handle(req: IncomingMessage): Promise<number> {
    const chunks: Buffer[] = [];
    for await (const c of req) chunks.push(c as Buffer);
    let body = Buffer.concat(chunks);
    if (req.headers['content-encoding'] === 'gzip') body = gunzipSync(body);
    const json = JSON.parse(body.toString('utf8'));
    if (req.url === '/v1/traces') {
      if (this.delayMs > 0) await new Promise((r) => setTimeout(r, this.delayMs));
      for (const rs of json.resourceSpans ?? []) {
        for (const ss of rs.scopeSpans ?? []) {
          for (const s of ss.spans ?? []) {
            const id = `${s.traceId}/${s.spanId}`;
            const seen = this.spans.get(id);
            if (seen) {
              seen.count++;
              this.duplicates++;
              continue;
            }
            const rec: SpanRecord = { traceId: s.traceId, name: s.name, count: 1 };
            for (const a of s.attributes ?? []) {
              const v = a.value ?? {};
              const num = v.doubleValue ?? v.intValue;
              if (a.key === 'gen_ai.usage.cost_usd') rec.cost = Number(num);
              else if (a.key === 'gen_ai.cost.rollup_usd') rec.rollup = Number(num);
              else if (a.key === 'gen_ai.cost.unpriced_reason') rec.unpriced = v.stringValue;
            }
            this.spans.set(id, rec);
          }
        }
      }
    } else if (req.url === '/v1/metrics') {
      for (const rm of json.resourceMetrics ?? []) {
        const instance = (rm.resource?.attributes ?? []).find((a: { key: string }) => a.key === 'service.instance.id')
          ?.value?.stringValue;
        for (const sm of rm.scopeMetrics ?? []) {
          for (const m of sm.metrics ?? []) {
            if (instance === undefined) continue;
            if (m.name === 'llm_cost.gateway.requests.refused') {
              const full = (m.sum?.dataPoints ?? [])
                .filter((p: { attributes?: Array<{ key: string; value: { stringValue?: string } }> }) =>
                  p.attributes?.some((a) => a.key === 'reason' && a.value.stringValue === 'queue_full'),
                )
                .reduce(
                  (n: number, p: { asInt?: string; asDouble?: number }) => n + Number(p.asInt ?? p.asDouble ?? 0),
                  0,
                );
              this.queueFullByInstance.set(instance, full);
            }
            if (m.name !== 'llm_cost.gateway.spans.received') continue;
            const total = (m.sum?.dataPoints ?? []).reduce(
              (n: number, p: { asInt?: string; asDouble?: number }) => n + Number(p.asInt ?? p.asDouble ?? 0),
              0,
            );
            this.receivedByInstance.set(instance, total);
          }
        }
      }
    }
    return 200;
  }
}
