import { writeFileSync } from 'node:fs';
import { createServer, type Server, type Socket } from 'node:net';
import type { AddressInfo } from 'node:net';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { openPriceSourceAt, PriceSource } from '../../src/sources/price-source.js';
import { CLI, ensureBuilt, runNode } from '../support/built.js';
import { fixtureTable, TableServer, tempDir } from './helpers.js';

/**
 * A table from a location the caller chose (`llm-cost --prices FILE|URL`, `openPriceSourceAt`)
 * is the only table: the configured locations (`OTEL_LLM_COST_PRICES_PATH`,
 * `OTEL_LLM_COST_PRICES_URL`) are not read and the configured URL is never requested. Expected
 * costs come from the rates the test writes into its own tables.
 */

const MODEL = 'acme-location-model';
/** USD per input token of each table (output is 4×, see `fixtureTable`). */
const FILE_RATE = 1e-6;
const ENV_PATH_RATE = 3e-6;
const URL_RATE = 5e-6;
const cost = (rate: number, input: number, output: number): number => input * rate + output * rate * 4;

let dir: string;
let file: string;
let envPathFile: string;

beforeAll(() => {
  dir = tempDir('location');
  file = join(dir, 'chosen.json');
  writeFileSync(file, JSON.stringify(fixtureTable(MODEL, FILE_RATE)));
  envPathFile = join(dir, 'configured.json');
  writeFileSync(envPathFile, JSON.stringify(fixtureTable(MODEL, ENV_PATH_RATE)));
});

describe('openPriceSourceAt: the chosen table, overrides and aliases from the configuration', () => {
  let server: TableServer;
  let url: string;
  beforeAll(async () => {
    server = new TableServer();
    url = await server.listen();
    server.serveJson(fixtureTable(MODEL, URL_RATE));
  });
  afterAll(() => server.close());

  it('never reads the configured path nor requests the configured URL, even on refresh', async () => {
    const env = {
      OTEL_LLM_COST_PRICES_PATH: envPathFile,
      OTEL_LLM_COST_PRICES_URL: url,
      OTEL_LLM_COST_CACHE_DIR: join(dir, 'cache'),
      OTEL_LLM_COST_ALIASES: 'team-model=acme-location-model',
    };
    // The configured URL is usable: a source that reads the configuration fetches it.
    const configured = new PriceSource({ allowHttpLoopback: true }, env);
    await configured.ready();
    await configured.shutdown();
    expect(server.requests).toBe(1);
    expect(configured.priceBook.price({ model: MODEL, inputTokens: 1000, outputTokens: 100 }).costUsd).toBeCloseTo(
      cost(URL_RATE, 1000, 100),
      15,
    );

    const { source, loaded } = await openPriceSourceAt(file, { allowHttpLoopback: true }, env);
    try {
      await source.ready();
      await source.refresh();
      expect(server.requests).toBe(1);
      expect(loaded.rejected).toEqual([]);
      expect(source.priceBook.table?.source).toBe(loaded.table.source);
      expect(loaded.table.source).toMatch(/^litellm:chosen\.json@/);
      // The aliases of the environment still apply, through the chosen table.
      const result = source.priceBook.price({ model: 'team-model', inputTokens: 1000, outputTokens: 100 });
      expect(result).toMatchObject({ pricingKey: MODEL, match: 'alias', source: loaded.table.source });
      expect(result.costUsd).toBeCloseTo(cost(FILE_RATE, 1000, 100), 15);
    } finally {
      await source.shutdown();
    }
  });

  it('rejects, building nothing, when the chosen table cannot be loaded', async () => {
    await expect(openPriceSourceAt(join(dir, 'missing.json'), {}, {})).rejects.toThrow(/ENOENT/);
  });
});

describe('llm-cost price --prices FILE with OTEL_LLM_COST_PRICES_URL set', () => {
  let listener: Server;
  let connections = 0;
  const sockets = new Set<Socket>();
  let unreachableUrl: string;
  beforeAll(async () => {
    ensureBuilt();
    // A loopback port that accepts TCP and never speaks TLS: any attempt to fetch the configured
    // https URL is counted here.
    listener = createServer((socket) => {
      connections++;
      sockets.add(socket);
      socket.on('close', () => sockets.delete(socket));
    });
    await new Promise<void>((r) => listener.listen(0, '127.0.0.1', r));
    unreachableUrl = `https://127.0.0.1:${(listener.address() as AddressInfo).port}/prices.json`;
  });
  afterAll(async () => {
    for (const s of sockets) s.destroy();
    await new Promise<void>((r) => listener.close(() => r()));
  });

  it('prices from the file alone, reads no configured path and makes no request to the configured URL', async () => {
    const r = await runNode([CLI, 'price', MODEL, '--input', '1000', '--output', '100', '--prices', file, '--json'], {
      XDG_CACHE_HOME: join(dir, 'cli-cache'),
      OTEL_LLM_COST_PRICES_URL: unreachableUrl,
      // Read, it would say so on stderr (it does not exist).
      OTEL_LLM_COST_PRICES_PATH: join(dir, 'not-there.json'),
      OTEL_LLM_COST_FETCH_TIMEOUT: '60000',
    });
    expect(r.stderr).toBe('');
    expect(r.code).toBe(0);
    const out = JSON.parse(r.stdout) as { cost_usd: number; pricing_key: string; source: string };
    expect(out.pricing_key).toBe(MODEL);
    expect(out.source).toMatch(/^litellm:chosen\.json@/);
    expect(out.cost_usd).toBeCloseTo(cost(FILE_RATE, 1000, 100), 15);
    expect(connections).toBe(0);
  });
});
