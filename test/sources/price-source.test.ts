import { diag } from '@opentelemetry/api';
import { readdirSync, readFileSync, utimesSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { DiskCache } from '../../src/sources/disk-cache.js';
import { PriceSource } from '../../src/sources/price-source.js';
import type { PriceSourceOptions } from '../../src/sources/config.js';
import { captureDiag, fixtureTable, HAS_SHARED_TABLE, SHARED_TABLE, sleep, tempDir, TableServer } from './helpers.js';

type Captured = ReturnType<typeof captureDiag>;

/** The input rate the book applies to `model`, and the table that priced it. */
function priced(source: PriceSource, model: string): { rate: number | undefined; source: string } | undefined {
  const r = source.priceBook.resolve(model);
  return r ? { rate: r.entry.rates.input, source: r.entry.source } : undefined;
}

const TABLE_A = fixtureTable('acme-model-a', 0.000001);
const RATE_A = (TABLE_A['acme-model-a'] as { input_cost_per_token: number }).input_cost_per_token;
const TABLE_B = fixtureTable('acme-model-a', 0.000003);
const RATE_B = (TABLE_B['acme-model-a'] as { input_cost_per_token: number }).input_cost_per_token;

describe('PriceSource: a LiteLLM table from a URL', () => {
  let server: TableServer;
  let url: string;
  let cacheDir: string;
  let captured: Captured;
  const sources: PriceSource[] = [];

  const open = (options: PriceSourceOptions = {}): PriceSource => {
    const s = new PriceSource({ pricesUrl: url, cacheDir, allowHttpLoopback: true, embedded: false, ...options }, {});
    sources.push(s);
    return s;
  };

  /** A source that has loaded TABLE_A, the "last good table" of the failure cases. */
  const loadedWithA = async (options: PriceSourceOptions = {}): Promise<PriceSource> => {
    server.serveJson(TABLE_A);
    const s = open({ cacheDir: false, ...options });
    await s.ready();
    expect(priced(s, 'acme-model-a')?.rate).toBe(RATE_A);
    expect(captured.warnings).toEqual([]);
    return s;
  };

  /** Makes the cached copy of `url` look `ms` older, as if fetched that long ago. */
  const ageCache = (ms: number): void => {
    const cache = new DiskCache(cacheDir, url);
    const envelope = JSON.parse(readFileSync(cache.file, 'utf8'));
    envelope.fetchedAt -= ms;
    writeFileSync(cache.file, JSON.stringify(envelope));
  };

  beforeEach(async () => {
    server = new TableServer();
    url = await server.listen();
    cacheDir = tempDir('cache');
    captured = captureDiag();
  });

  afterEach(async () => {
    await Promise.all(sources.splice(0).map((s) => s.shutdown()));
    await server.close();
    diag.disable();
  });

  it('loads a fresh table, names it litellm:<host+path>@<Last-Modified date> and caches it', async () => {
    server.serveJson(TABLE_A, new Date('2026-03-04T10:00:00Z'));
    const s = open();
    expect(priced(s, 'acme-model-a')).toBeUndefined(); // async: not there before ready()
    await s.ready();
    const host = new URL(url).host;
    expect(priced(s, 'acme-model-a')).toEqual({ rate: RATE_A, source: `litellm:${host}/prices.json@2026-03-04` });
    expect(JSON.parse(readFileSync(new DiskCache(cacheDir, url).file, 'utf8')).table).toEqual(TABLE_A);
    expect(captured.warnings).toEqual([]);
  });

  it.skipIf(!HAS_SHARED_TABLE)('loads the real LiteLLM table, dated by its last_updated field', async () => {
    const raw = JSON.parse(readFileSync(SHARED_TABLE, 'utf8')) as Record<string, Record<string, number>> & {
      last_updated: string;
    };
    server.serveJson(readFileSync(SHARED_TABLE, 'utf8'));
    const s = open();
    await s.ready();
    const r = s.priceBook.resolve('gpt-4o');
    expect(r?.entry.rates.input).toBe(raw['gpt-4o']!['input_cost_per_token']);
    expect(r?.entry.rates.output).toBe(raw['gpt-4o']!['output_cost_per_token']);
    expect(r?.entry.source).toBe(`litellm:${new URL(url).host}/prices.json@${raw.last_updated.slice(0, 10)}`);
    expect(captured.warnings).toEqual([]);
  });
  if (!HAS_SHARED_TABLE)
    it.skip('real-table case skipped: ../shared/pricing/ is absent (only present in CI)', () => {});

  it('uses a fresh disk cache without touching the network', async () => {
    server.serveJson(TABLE_A);
    await open().ready();
    expect(server.requests).toBe(1);
    await server.close();
    server = new TableServer(); // afterEach closes it
    await server.listen();

    const second = open();
    await second.ready();
    expect(priced(second, 'acme-model-a')?.rate).toBe(RATE_A);
    expect(captured.warnings).toEqual([]);
  });

  it('refetches once the cached table is older than the refresh interval', async () => {
    server.serveJson(TABLE_A);
    await open({ refreshIntervalMs: 60_000 }).ready();
    ageCache(61_000);

    server.serveJson(TABLE_B);
    const s = open({ refreshIntervalMs: 60_000 });
    await s.ready();
    expect(server.requests).toBe(2);
    expect(priced(s, 'acme-model-a')?.rate).toBe(RATE_B);
    expect(captured.warnings).toEqual([]);
  });

  it('refreshes periodically on an unref()ed timer', async () => {
    const s = await loadedWithA({ refreshIntervalMs: 150 });
    server.serveJson(TABLE_B);
    for (let i = 0; i < 40 && priced(s, 'acme-model-a')?.rate !== RATE_B; i++) await sleep(50);
    expect(priced(s, 'acme-model-a')?.rate).toBe(RATE_B);
  });

  it('keeps a stale cached table in force when the refresh fails', async () => {
    server.serveJson(TABLE_A);
    await open({ refreshIntervalMs: 60_000 }).ready();
    ageCache(61_000);

    server.handler = (_req, res) => res.writeHead(503).end();
    const s = open({ refreshIntervalMs: 60_000 });
    await s.ready();
    expect(priced(s, 'acme-model-a')?.rate).toBe(RATE_A);
    expect(captured.warnings).toHaveLength(1);
    expect(captured.warnings[0]).toMatch(/could not fetch prices .*HTTP 503.*keeping litellm:/);
  });

  describe('on any failure the last good table stays in force and one warning says why', () => {
    const expectOneWarning = async (s: PriceSource, pattern: RegExp): Promise<void> => {
      await s.refresh();
      await s.refresh(); // the same cause again: no second warning
      expect(priced(s, 'acme-model-a')?.rate).toBe(RATE_A);
      expect(captured.warnings).toHaveLength(1);
      expect(captured.warnings[0]).toMatch(pattern);
      expect(captured.warnings[0]).toContain('keeping litellm:');
    };

    it('a slow server (timeout)', async () => {
      const s = await loadedWithA({ fetchTimeoutMs: 200 });
      server.handler = () => undefined; // never answers
      await expectOneWarning(s, /no complete answer within 200 ms/);
    });

    it('HTTP 500', async () => {
      const s = await loadedWithA();
      server.handler = (_req, res) => res.writeHead(500, 'Internal Server Error').end('oops');
      await expectOneWarning(s, /HTTP 500 Internal Server Error/);
    });

    it('a body that is not JSON', async () => {
      const s = await loadedWithA();
      server.serveJson('{"acme-model-a": {"input_cost_per_token": 1e-6,');
      await expectOneWarning(s, /unusable: not valid JSON/);
    });

    it('a truncated body (the connection drops mid-body)', async () => {
      const s = await loadedWithA();
      const text = JSON.stringify(TABLE_B);
      server.handler = (_req, res) => {
        res.writeHead(200, { 'content-type': 'application/json', 'content-length': text.length });
        res.write(text.slice(0, 20));
        setTimeout(() => res.socket?.destroy(), 20);
      };
      await expectOneWarning(s, /connection closed before the body was complete/);
    });

    it('a body over the size cap, streamed without Content-Length', async () => {
      const s = await loadedWithA({ maxBytes: 4096 });
      server.handler = (_req, res) => {
        res.writeHead(200, { 'content-type': 'application/json' }); // chunked
        res.write('{"acme-model-a": {"input_cost_per_token": 3e-6, "pad": "');
        const timer = setInterval(() => {
          if (!res.write('x'.repeat(1024))) return;
        }, 5);
        res.on('close', () => clearInterval(timer)); // the client hangs up at the cap
      };
      await expectOneWarning(s, /over the 4096-byte limit/);
    });

    it('a body over the size cap, announced by Content-Length', async () => {
      const s = await loadedWithA({ maxBytes: 4096 });
      server.serveJson({ ...TABLE_B, pad: 'x'.repeat(5000) });
      await expectOneWarning(s, /over the 4096-byte limit/);
    });

    it('a redirect to plain http on another host', async () => {
      const s = await loadedWithA();
      server.handler = (_req, res) =>
        res.writeHead(302, { location: 'http://prices.example.invalid/prices.json' }).end();
      await expectOneWarning(s, /refused a redirect to http:\/\/prices\.example\.invalid\/prices\.json/);
    });

    it('an unreachable URL', async () => {
      const s = await loadedWithA();
      await server.close();
      server = new TableServer();
      await server.listen();
      await expectOneWarning(s, /could not fetch prices from http:\/\/127\.0\.0\.1:\d+\/prices\.json: fetch failed/);
    });

    it('a table without one valid entry', async () => {
      const s = await loadedWithA();
      server.serveJson({ 'acme-model-a': { input_cost_per_token: 'free' } });
      await expectOneWarning(s, /unusable: no valid price entry \(e\.g\. acme-model-a: input_cost_per_token/);
    });
  });

  it('rejects entries with wrong types or negative prices, with a reason, and loads the rest', async () => {
    server.serveJson({
      ...TABLE_A,
      'acme-string-price': {
        litellm_provider: 'openai',
        input_cost_per_token: '0.000001',
        output_cost_per_token: 0.000002,
      },
      'acme-negative-price': {
        litellm_provider: 'openai',
        input_cost_per_token: 0.000001,
        output_cost_per_token: -0.000002,
      },
      'acme-not-an-object': 42,
    });
    const s = open();
    await s.ready();
    expect(priced(s, 'acme-model-a')?.rate).toBe(RATE_A);
    expect(s.priceBook.resolve('acme-string-price')).toBeUndefined();
    expect(s.priceBook.resolve('acme-negative-price')).toBeUndefined();
    expect(captured.warnings).toHaveLength(1);
    expect(captured.warnings[0]).toMatch(/3 entries ignored/);
    expect(captured.warnings[0]).toMatch(
      /acme-string-price: input_cost_per_token must be a finite non-negative number, got string/,
    );
    expect(captured.warnings[0]).toMatch(
      /acme-negative-price: output_cost_per_token must be a finite non-negative number, got -0\.000002/,
    );
    await s.refresh(); // the same table again: no second warning
    expect(captured.warnings).toHaveLength(1);
  });

  it('ignores a corrupted cache file (one warning), fetches, and repairs it', async () => {
    const cache = new DiskCache(cacheDir, url);
    writeFileSync(cache.file, '{"format": "otel-llm-cost/litellm-cache/1", "table": {');
    server.serveJson(TABLE_A);
    const s = open();
    await s.ready();
    expect(priced(s, 'acme-model-a')?.rate).toBe(RATE_A);
    expect(captured.warnings).toHaveLength(1);
    expect(captured.warnings[0]).toMatch(/ignoring the price cache: .* is not valid JSON/);
    expect(JSON.parse(readFileSync(cache.file, 'utf8')).table).toEqual(TABLE_A);
  });

  it('carries on with an unwritable cache directory (one warning)', async () => {
    const blocker = join(tempDir('blocker'), 'a-file');
    writeFileSync(blocker, 'not a directory');
    server.serveJson(TABLE_A);
    const s = open({ cacheDir: join(blocker, 'cache') });
    await s.ready();
    expect(priced(s, 'acme-model-a')?.rate).toBe(RATE_A);
    expect(captured.warnings).toHaveLength(1);
    expect(captured.warnings[0]).toMatch(/could not write the price cache .*prices are still in force/);
  });

  it('two loaders refreshing one cache directory at once never corrupt it', async () => {
    let served = 0;
    server.handler = (_req, res) => {
      // Alternate tables and answer late, so that writes of both loaders overlap.
      const text = JSON.stringify(served++ % 2 === 0 ? TABLE_A : TABLE_B);
      setTimeout(() => res.writeHead(200, { 'content-type': 'application/json' }).end(text), 10);
    };
    const cache = new DiskCache(cacheDir, url);
    const a = open();
    const b = open();
    await Promise.all([a.ready(), b.ready()]); // both miss the empty cache: both fetch and write
    for (let round = 0; round < 10; round++) {
      await Promise.all([a.refresh(), b.refresh()]);
      for (const s of [a, b]) expect([RATE_A, RATE_B]).toContain(priced(s, 'acme-model-a')?.rate);
      const envelope = JSON.parse(readFileSync(cache.file, 'utf8'));
      expect([TABLE_A, TABLE_B]).toContainEqual(envelope.table);
    }
    expect(server.requests).toBe(22);
    // A third loader is served from what they left.
    const c = open();
    await c.ready();
    expect(server.requests).toBe(22);
    expect([RATE_A, RATE_B]).toContain(priced(c, 'acme-model-a')?.rate);
    expect(readdirSync(cacheDir).filter((f) => f.endsWith('.tmp'))).toEqual([]);
    expect(captured.warnings).toEqual([]);
  });

  it('refuses plain http unless loopback http is explicitly allowed', async () => {
    server.serveJson(TABLE_A);
    const s = new PriceSource({ pricesUrl: url, cacheDir: false, embedded: false }, {});
    sources.push(s);
    await s.ready();
    expect(server.requests).toBe(0);
    expect(s.priceBook.resolve('acme-model-a')).toBeUndefined();
    expect(captured.warnings).toHaveLength(1);
    expect(captured.warnings[0]).toMatch(
      /pricesUrl "http:\/\/127\.0\.0\.1:\d+\/prices\.json" is ignored: only https URLs are fetched/,
    );
  });

  it('never logs a credential carried in the URL (user info or query)', async () => {
    const u = new URL(url);
    const secretUrl = `http://user:hunter2@${u.host}${u.pathname}?token=hunter2`;
    server.handler = (_req, res) => res.writeHead(500, 'Internal Server Error').end('oops');
    // User info: refused up front (fetch() would refuse it too, echoing the URL).
    const withUserInfo = new PriceSource(
      { pricesUrl: secretUrl, cacheDir: false, embedded: false, allowHttpLoopback: true },
      {},
    );
    sources.push(withUserInfo);
    await withUserInfo.ready();
    // A token in the query: fetched, and the failure reported.
    const withToken = new PriceSource(
      { pricesUrl: `${url}?token=hunter2`, cacheDir: false, embedded: false, allowHttpLoopback: true },
      {},
    );
    sources.push(withToken);
    await withToken.ready();
    expect(server.requests).toBe(1);
    expect(captured.warnings).toHaveLength(2);
    expect(captured.warnings[0]).toMatch(/is ignored: user info in the URL is not supported/);
    expect(captured.warnings[1]).toMatch(/could not fetch prices from .*HTTP 500/);
    for (const w of captured.warnings) {
      expect(w).not.toContain('hunter2');
      expect(w).toContain(`http://${u.host}${u.pathname}?…`);
    }
  });

  it('shutdown() aborts a fetch in flight, is idempotent, and ready() still resolves', async () => {
    // The server never answers and the fetch timeout is far longer than the test's own: only the
    // abort can end that fetch. So ready() resolving, and the server seeing the client close the
    // connection, prove it without a wall-clock bound.
    let clientClosed!: () => void;
    const closed = new Promise<void>((r) => (clientClosed = r));
    server.handler = (req) => void req.socket.on('close', () => clientClosed()); // never answers
    const s = open({ fetchTimeoutMs: 10 * 60_000 });
    while (server.requests === 0) await sleep(5); // the fetch is in flight
    await Promise.all([s.shutdown(), s.shutdown()]);
    await s.ready();
    await s.shutdown();
    await closed;
    expect(captured.warnings).toEqual([]);
  });
});

describe('PriceSource: a LiteLLM table from a file', () => {
  let captured: Captured;
  beforeEach(() => {
    captured = captureDiag();
  });
  afterEach(() => diag.disable());

  it('is read at construction, so the first span is priced from it, and named by basename@mtime', () => {
    const path = join(tempDir('path'), 'my-prices.json');
    writeFileSync(path, JSON.stringify(TABLE_A));
    utimesSync(path, new Date('2026-02-01T12:00:00Z'), new Date('2026-02-01T12:00:00Z'));
    const s = new PriceSource({ pricesPath: path, embedded: false, refreshIntervalMs: 0 }, {});
    expect(priced(s, 'acme-model-a')).toEqual({ rate: RATE_A, source: 'litellm:my-prices.json@2026-02-01' });
    expect(captured.warnings).toEqual([]);
  });

  it('a missing or broken file: one warning, the embedded prices stay in force', () => {
    const path = join(tempDir('path'), 'broken.json');
    writeFileSync(path, '{ not json');
    const s = new PriceSource({ pricesPath: path }, {});
    expect(s.priceBook.resolve('gpt-4o')?.entry.source).toMatch(/^genai-prices/);
    expect(captured.warnings).toHaveLength(1);
    expect(captured.warnings[0]).toMatch(/could not load prices from .*broken\.json: not valid JSON/);
  });

  it('reloads the file when it changes, and keeps the last good table when the new one is broken', async () => {
    const path = join(tempDir('path'), 'prices.json');
    writeFileSync(path, JSON.stringify(TABLE_A));
    utimesSync(path, new Date('2026-02-01T00:00:00Z'), new Date('2026-02-01T00:00:00Z'));
    const s = new PriceSource({ pricesPath: path, embedded: false, refreshIntervalMs: 0 }, {});
    writeFileSync(path, JSON.stringify(TABLE_B));
    await s.refresh();
    expect(priced(s, 'acme-model-a')?.rate).toBe(RATE_B);
    writeFileSync(path, '{"truncated": ');
    utimesSync(path, new Date('2026-02-03T00:00:00Z'), new Date('2026-02-03T00:00:00Z'));
    await s.refresh();
    expect(priced(s, 'acme-model-a')?.rate).toBe(RATE_B);
    expect(captured.warnings).toHaveLength(1);
    expect(captured.warnings[0]).toMatch(
      /could not reload prices from .*prices\.json: not valid JSON.*keeping litellm:prices\.json@/,
    );
    await s.shutdown();
  });

  it('with a URL too, the file is in force until the URL has loaded', async () => {
    const server = new TableServer();
    const url = await server.listen();
    let release!: () => void;
    const gate = new Promise<void>((r) => (release = r));
    const text = JSON.stringify(TABLE_B);
    server.handler = (_req, res) =>
      void gate.then(() => res.writeHead(200, { 'content-type': 'application/json' }).end(text));
    const path = join(tempDir('path'), 'prices.json');
    writeFileSync(path, JSON.stringify(TABLE_A));
    const s = new PriceSource(
      { pricesPath: path, pricesUrl: url, allowHttpLoopback: true, cacheDir: false, embedded: false },
      {},
    );
    expect(priced(s, 'acme-model-a')?.rate).toBe(RATE_A);
    release();
    await s.ready();
    expect(priced(s, 'acme-model-a')?.rate).toBe(RATE_B);
    await s.shutdown();
    await server.close();
    expect(captured.warnings).toEqual([]);
  });
});

describe('PriceSource: overrides and aliases in the LiteLLM entry shape', () => {
  afterEach(() => diag.disable());

  it('overrides win over the table; an alias (Azure deployment name) prices as its base model', () => {
    const captured = captureDiag();
    const dir = tempDir('ovr');
    const path = join(dir, 'prices.json');
    writeFileSync(path, JSON.stringify({ ...TABLE_A, ...fixtureTable('acme-base', 0.000005) }));
    const overridesPath = join(dir, 'overrides.json');
    const negotiated = fixtureTable('acme-model-a', 0.0000007);
    writeFileSync(overridesPath, JSON.stringify(negotiated));
    const s = new PriceSource(
      { pricesPath: path, embedded: false, refreshIntervalMs: 0, overrides: fixtureTable('my-finetune', 0.000009) },
      { OTEL_LLM_COST_OVERRIDES_PATH: overridesPath, OTEL_LLM_COST_ALIASES: 'prod-deployment=acme-base' },
    );
    const negotiatedRate = (negotiated['acme-model-a'] as { input_cost_per_token: number }).input_cost_per_token;
    expect(priced(s, 'acme-model-a')).toEqual({ rate: negotiatedRate, source: 'overrides' });
    expect(priced(s, 'my-finetune')?.rate).toBe(0.000009);
    const alias = s.priceBook.resolve('prod-deployment');
    expect(alias?.match).toBe('alias');
    expect(alias?.entry.key).toBe('acme-base');
    expect(alias?.entry.rates.input).toBe(0.000005);
    expect(captured.warnings).toEqual([]);
  });

  it.skipIf(!HAS_SHARED_TABLE)('an alias to a real model prices exactly as that model in the real table', () => {
    const raw = JSON.parse(readFileSync(SHARED_TABLE, 'utf8')) as Record<string, Record<string, number>>;
    const s = new PriceSource(
      { pricesPath: SHARED_TABLE, aliases: { 'my-azure-gpt': 'gpt-4o' }, refreshIntervalMs: 0 },
      {},
    );
    const r = s.priceBook.price({ model: 'my-azure-gpt', inputTokens: 1000, outputTokens: 100 });
    const entry = raw['gpt-4o']!;
    expect(r.costUsd).toBeCloseTo(1000 * entry['input_cost_per_token']! + 100 * entry['output_cost_per_token']!, 12);
    expect(r.costUsd !== null && r.match).toBe('alias');
  });
});
