import { spawn } from 'node:child_process';
import { readFileSync, readdirSync, statSync, writeFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { diag } from '@opentelemetry/api';
import { BasicTracerProvider, InMemorySpanExporter, SimpleSpanProcessor } from '@opentelemetry/sdk-trace-base';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { CostSpanProcessor } from '../../src/processor/cost-span-processor.js';
import { DiskCache } from '../../src/sources/disk-cache.js';
import { captureDiag, fixtureTable, sleep, tempDir, TableServer } from '../sources/helpers.js';

/**
 * Price sources under faults, beyond test/sources: the whole path a user runs (the processor's
 * timer-driven refresh, spans priced after each failure), and real separate processes refreshing
 * one cache at once.
 */

const REPO = resolve(__dirname, '../..');

let server: TableServer;
let url: string;
let captured: ReturnType<typeof captureDiag>;

beforeEach(async () => {
  server = new TableServer();
  url = await server.listen();
  captured = captureDiag();
});
afterEach(async () => {
  await server.close();
  diag.disable();
});

const MODEL = 'acme-hardening-model';
const RATE = 0.000002;
const TABLE = fixtureTable(MODEL, RATE);

describe('a failing refresh leaves the last good table in force for every later span', () => {
  it('in the processor: 500, bad JSON, wrong types, truncated, http redirect, timeout: one warning each', async () => {
    server.serveJson(TABLE, new Date('2026-05-01T00:00:00Z'));
    const processor = new CostSpanProcessor({
      pricing: {
        pricesUrl: url,
        allowHttpLoopback: true,
        cacheDir: false,
        embedded: false,
        refreshIntervalMs: 150,
        fetchTimeoutMs: 300,
      },
    });
    const exporter = new InMemorySpanExporter();
    const provider = new BasicTracerProvider({ spanProcessors: [processor, new SimpleSpanProcessor(exporter)] });
    const tracer = provider.getTracer('app');
    const priceOneCall = () => {
      exporter.reset();
      tracer
        .startSpan('chat', { attributes: { 'gen_ai.request.model': MODEL, 'gen_ai.usage.input_tokens': 1000 } })
        .end();
      return exporter.getFinishedSpans()[0]!.attributes;
    };

    await processor.ready();
    const good = priceOneCall();
    expect(good['gen_ai.usage.cost_usd']).toBeCloseTo(1000 * RATE, 12);
    const goodSource = good['gen_ai.cost.source'];
    expect(goodSource).toMatch(/^litellm:127\.0\.0\.1:\d+\/prices\.json@2026-05-01$/);
    expect(captured.warnings).toEqual([]);

    const faults: Array<[string, (req: unknown, res: import('node:http').ServerResponse) => void, RegExp]> = [
      ['HTTP 500', (_q, res) => res.writeHead(500, 'Internal Server Error').end('x'), /HTTP 500/],
      [
        'bad JSON',
        (_q, res) => res.writeHead(200, { 'content-type': 'application/json' }).end('{"acme": '),
        /not valid JSON/,
      ],
      [
        'only wrong types and negative prices',
        (_q, res) =>
          res.writeHead(200).end(
            JSON.stringify({
              [MODEL]: { input_cost_per_token: '0.1', output_cost_per_token: 1 },
              other: { input_cost_per_token: -1 },
            }),
          ),
        /no valid price entry/,
      ],
      [
        'a truncated body',
        (_q, res) => {
          res.writeHead(200, { 'content-length': 10_000 });
          res.write('{"acme-hardening-model": {');
          setTimeout(() => res.destroy(), 5);
        },
        /before the body was complete|of 10000 bytes/,
      ],
      [
        'a redirect to plain http elsewhere',
        (_q, res) => res.writeHead(302, { location: 'http://example.com/prices.json' }).end(),
        /refused a redirect/,
      ],
      ['a server that never answers', () => undefined, /no complete answer within 300 ms/],
    ];
    for (const [what, handler, pattern] of faults) {
      server.handler = handler as never;
      const before = server.requests;
      const warningsBefore = captured.warnings.length;
      // The timer refreshes every 150 ms once the table is stale; wait for two failing attempts.
      for (let waited = 0; server.requests < before + 2 && waited < 30_000; waited += 25) await sleep(25);
      await sleep(what === 'a server that never answers' ? 400 : 50);
      expect(server.requests, what).toBeGreaterThanOrEqual(before + 2);
      const after = priceOneCall();
      expect(after['gen_ai.usage.cost_usd'], what).toBe(good['gen_ai.usage.cost_usd']);
      expect(after['gen_ai.cost.source'], what).toBe(goodSource);
      const added = captured.warnings.slice(warningsBefore);
      expect(added, what).toHaveLength(1);
      expect(added[0], what).toMatch(pattern);
      expect(added[0], what).toContain(`keeping ${String(goodSource)}`);
    }
    expect(captured.errors).toEqual([]);
    await processor.shutdown();
    await provider.shutdown();
  });

  it('a cache file corrupted while a good table is in force is reported and ignored; the table stays', async () => {
    const cacheDir = tempDir('hardening-corrupt');
    server.serveJson(TABLE);
    const processor = new CostSpanProcessor({
      pricing: { pricesUrl: url, allowHttpLoopback: true, cacheDir, embedded: false, refreshIntervalMs: 100 },
    });
    await processor.ready();
    const cache = new DiskCache(cacheDir, url);
    expect(JSON.parse(readFileSync(cache.file, 'utf8')).table).toEqual(TABLE);

    writeFileSync(cache.file, '\u0000\u0000garbage');
    server.handler = (_req, res) => res.writeHead(503).end();
    const before = server.requests;
    for (let waited = 0; server.requests < before + 1 && waited < 30_000; waited += 25) await sleep(25);
    await sleep(50);

    const exporter = new InMemorySpanExporter();
    const provider = new BasicTracerProvider({ spanProcessors: [processor, new SimpleSpanProcessor(exporter)] });
    provider
      .getTracer('app')
      .startSpan('chat', { attributes: { 'gen_ai.request.model': MODEL, 'gen_ai.usage.input_tokens': 10 } })
      .end();
    expect(exporter.getFinishedSpans()[0]!.attributes['gen_ai.usage.cost_usd']).toBeCloseTo(10 * RATE, 12);
    expect(captured.warnings.filter((w) => /ignoring the price cache/.test(w))).toHaveLength(1);
    expect(captured.warnings.filter((w) => /HTTP 503/.test(w))).toHaveLength(1);
    await processor.shutdown();
  });
});

/** A table big enough (several MB) that writing it takes a while, so concurrent writes overlap. */
function bigTable(rate: number): Record<string, unknown> {
  const table: Record<string, unknown> = { ...fixtureTable(MODEL, rate) };
  for (let i = 0; i < 30_000; i++) {
    table[`filler-model-${i}`] = {
      litellm_provider: 'openai',
      mode: 'chat',
      input_cost_per_token: 1e-6,
      output_cost_per_token: 2e-6,
      max_tokens: i,
    };
  }
  return table;
}

const CHILD = `
import { diag, DiagLogLevel } from ${JSON.stringify(require.resolve('@opentelemetry/api'))};
import { PriceSource } from ${JSON.stringify(join(REPO, 'src/sources/price-source.ts'))};
const warnings = [];
diag.setLogger({ error: (m) => warnings.push(m), warn: (m) => warnings.push(m), \
info() {}, debug() {}, verbose() {} }, DiagLogLevel.WARN);
const [url, cacheDir, model] = process.argv.slice(2);
const source = new PriceSource({ pricesUrl: url, cacheDir, allowHttpLoopback: true, embedded: false, \
refreshIntervalMs: 60000 }, {});
await source.ready();
const r = source.priceBook.resolve(model);
console.log(JSON.stringify({ rate: r?.entry.rates.input ?? null, warnings }));
await source.shutdown();
`;

function runChild(script: string, cacheDir: string): Promise<{ rate: number | null; warnings: string[] }> {
  return new Promise((resolvePromise, reject) => {
    const child = spawn(process.execPath, ['--import', 'tsx', script, url, cacheDir, MODEL], { cwd: REPO });
    let out = '';
    let err = '';
    child.stdout.on('data', (d) => (out += d));
    child.stderr.on('data', (d) => (err += d));
    child.on('error', reject);
    child.on('close', (code) => {
      if (code !== 0) return reject(new Error(`child exited ${code}: ${err}`));
      try {
        resolvePromise(JSON.parse(out.trim().split('\n').pop() as string));
      } catch (e) {
        reject(new Error(`bad child output ${out} ${err} ${String(e)}`));
      }
    });
  });
}

describe('separate processes refreshing one cache at once', () => {
  it('four child processes write one cache file at once: every read sees a whole file, none half-written', async () => {
    const K = 4;
    const dir = tempDir('hardening-procs');
    const cacheDir = join(dir, 'cache');
    const script = join(dir, 'child.mts');
    writeFileSync(script, CHILD);

    // Round 1 serves table A, round 2 (stale cache) table B; each round answers every process at
    // the same moment, once all K have asked, so their cache writes overlap.
    const rounds = [bigTable(0.000001), bigTable(0.000003)];
    let round = 0;
    let waiting: Array<() => void> = [];
    server.handler = (_req, res) => {
      const text = JSON.stringify(rounds[round]);
      waiting.push(() =>
        res.writeHead(200, { 'content-type': 'application/json', 'content-length': Buffer.byteLength(text) }).end(text),
      );
      if (waiting.length === K) {
        for (const answer of waiting.splice(0)) answer();
      }
    };

    // A reader polling the cache file the whole time: it must never see a partial file.
    const cache = new DiskCache(cacheDir, url);
    let reads = 0;
    let partial = 0;
    let polling = true;
    const poller = (async () => {
      while (polling) {
        let text: string | undefined;
        try {
          text = readFileSync(cache.file, 'utf8');
        } catch {
          // not written yet
        }
        if (text !== undefined) {
          reads++;
          try {
            JSON.parse(text);
          } catch {
            partial++;
          }
        }
        await sleep(2);
      }
    })();

    try {
      for (const [i, expectedRate] of [0.000001, 0.000003].entries()) {
        round = i;
        waiting = [];
        if (i === 1) {
          // Make the cached table stale, so every process refetches.
          const envelope = JSON.parse(readFileSync(cache.file, 'utf8'));
          envelope.fetchedAt -= 120_000;
          writeFileSync(cache.file, JSON.stringify(envelope));
        }
        const requestsBefore = server.requests;
        const results = await Promise.all(Array.from({ length: K }, () => runChild(script, cacheDir)));
        expect(server.requests - requestsBefore).toBe(K);
        for (const r of results) {
          expect(r.rate).toBe(expectedRate);
          expect(r.warnings).toEqual([]);
        }
        const read = await cache.read();
        expect(read.kind).toBe('hit');
        if (read.kind === 'hit') {
          const table = JSON.parse(read.cached.text.slice(read.cached.tableStart, read.cached.tableEnd)) as Record<
            string,
            { input_cost_per_token: number }
          >;
          expect(table[MODEL]!.input_cost_per_token).toBe(expectedRate);
        }
        expect(readdirSync(cacheDir).filter((f) => f.endsWith('.tmp'))).toEqual([]);
      }
    } finally {
      polling = false;
      await poller;
    }
    expect(reads).toBeGreaterThan(0);
    expect(partial).toBe(0);
    // The file has the permissions SECURITY.md documents: at most rw-r--r--, never executable or world-writable.
    expect(statSync(cache.file).mode & 0o777 & ~0o644).toBe(0);
  }, 60_000);
});
