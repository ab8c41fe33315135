import { execFileSync } from 'node:child_process';
import { readFileSync, writeFileSync } from 'node:fs';
import { createServer as createHttpsServer, type Server } from 'node:https';
import type { AddressInfo } from 'node:net';
import { join } from 'node:path';
import { brotliCompressSync, constants as zlib, gzipSync } from 'node:zlib';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { CLI, ensureBuilt, runNode } from './support/built.js';
import { HAS_SHARED_TABLE, SHARED_TABLE, tempDir } from './sources/helpers.js';

interface Run {
  code: number;
  stdout: string;
  stderr: string;
}

async function run(args: string[], env: Record<string, string> = {}): Promise<Run> {
  // A private cache and no price variables from the machine running the tests.
  const r = await runNode([CLI, ...args], { XDG_CACHE_HOME: cacheHome, ...env });
  return { code: r.code ?? -1, stdout: r.stdout, stderr: r.stderr };
}

let cacheHome: string;

beforeAll(() => {
  cacheHome = tempDir('cli-cache');
  ensureBuilt();
});

type Raw = Record<string, Record<string, number>> & { last_updated: string };
const raw = (): Raw => JSON.parse(readFileSync(SHARED_TABLE, 'utf8')) as Raw;

describe('llm-cost: arguments', () => {
  it('--help lists the commands; price --help prints the usage of price; both exit 0', async () => {
    const r = await run(['--help']);
    expect(r.code).toBe(0);
    expect(r.stdout).toMatch(/^Usage: llm-cost COMMAND/);
    for (const command of ['price', 'models', 'compare']) expect(r.stdout).toMatch(new RegExp(`^  ${command} `, 'm'));
    const p = await run(['price', '--help']);
    expect(p.code).toBe(0);
    expect(p.stdout).toMatch(/^Usage: llm-cost price MODEL/);
    expect(p.stdout).toContain('--cache-write-1h N');
  });

  it.each([
    [
      ['price', 'gpt-4o', '--inputs', '5'],
      'llm-cost price: unknown option --inputs (did you mean --input?) (see llm-cost price --help)',
    ],
    [
      ['price', 'gpt-4o', '--input', '-5'],
      'llm-cost price: --input must be a whole number of tokens, got "-5" (see llm-cost price --help)',
    ],
    [['price', 'gpt-4o', '--input'], 'llm-cost price: --input needs a value (see llm-cost price --help)'],
    [
      ['price', 'gpt-4o', '--provider', '--json'],
      'llm-cost price: --provider needs a value (see llm-cost price --help)',
    ],
    [['price', 'gpt-4o', '--json=yes'], 'llm-cost price: --json takes no value (see llm-cost price --help)'],
    [['price', 'gpt-4o', '-x'], 'llm-cost price: unknown option -x (see llm-cost price --help)'],
    [
      ['price', 'gpt-4o', '--input', '12k'],
      'llm-cost price: --input must be a whole number of tokens, got "12k" (see llm-cost price --help)',
    ],
    [
      ['price', 'gpt-4o', '--input', '100', '--cache-read', '150'],
      /^llm-cost price: --input includes cache reads and writes/,
    ],
    [['price', 'gpt-4o', '--cache-write', '10', '--cache-write-1h', '20'], /cannot exceed --cache-write/],
    [['price', 'gpt-4o', '--output', '10', '--reasoning', '20'], /--output includes reasoning tokens/],
    [
      ['price', 'gpt-4o', '--service-tier', 'cheap'],
      /--service-tier must be one of standard, batch, priority, flex, got "cheap"/,
    ],
    [['price'], /^llm-cost price: missing MODEL/],
    [['cost', 'gpt-4o'], 'llm-cost: unknown command "cost": price, models, compare, report, serve (llm-cost --help)'],
    [[], /^llm-cost: missing command/],
  ])('%j: one clear line on stderr, exit 1', async (args, message) => {
    const r = await run(args);
    expect(r.code).toBe(1);
    expect(r.stdout).toBe('');
    expect(r.stderr.endsWith('\n')).toBe(true);
    expect(r.stderr.trimEnd().split('\n')).toHaveLength(1);
    if (typeof message === 'string') expect(r.stderr.trimEnd()).toBe(message);
    else expect(r.stderr).toMatch(message);
  });

  it.each(['input', 'output', 'cache-read', 'cache-write', 'reasoning'])(
    '--%s over the library bound on one call (1,000,000,000 tokens) is refused, the bound itself is accepted',
    async (flag) => {
      const over = await run([
        'price',
        'gpt-4o',
        `--${flag}`,
        '1000000001',
        '--input',
        flag === 'input' ? '1000000001' : '1000000000',
      ]);
      expect(over.code).toBe(1);
      expect(over.stderr).toMatch(
        /must be at most 1,000,000,000 tokens \(the bound the library applies to one call\), got 1000000001/,
      );
      const at = await run(['price', 'gpt-4o', '--input', '1000000000', '--json']);
      expect(at.code).toBe(0);
      expect(JSON.parse(at.stdout).cost_usd).toBeGreaterThan(0);
    },
  );
});

describe.skipIf(!HAS_SHARED_TABLE)('llm-cost price --prices FILE (the real LiteLLM table)', () => {
  it('prices cache reads, 5-minute and 1-hour cache writes and reasoning with semconv token meaning', async () => {
    const e = raw()['claude-sonnet-4-5']!;
    const r = await run([
      'price',
      'claude-sonnet-4-5',
      '--input',
      '3000',
      '--cache-read',
      '1000',
      '--cache-write',
      '500',
      '--cache-write-1h',
      '200',
      '--output',
      '400',
      '--reasoning',
      '100',
      '--prices',
      SHARED_TABLE,
      '--json',
    ]);
    expect(r.code).toBe(0);
    const out = JSON.parse(r.stdout);
    const input = (3000 - 1000 - 500) * e['input_cost_per_token']!;
    const cacheRead = 1000 * e['cache_read_input_token_cost']!;
    const cacheWrite =
      300 * e['cache_creation_input_token_cost']! + 200 * e['cache_creation_input_token_cost_above_1hr']!;
    const output = 400 * e['output_cost_per_token']!; // no separate reasoning rate in this entry
    expect(e['output_cost_per_reasoning_token']).toBeUndefined();
    expect(out.breakdown.input_usd).toBeCloseTo(input, 12);
    expect(out.breakdown.cache_read_usd).toBeCloseTo(cacheRead, 12);
    expect(out.breakdown.cache_write_usd).toBeCloseTo(cacheWrite, 12);
    expect(out.breakdown.output_usd).toBeCloseTo(output, 12);
    expect(out.cost_usd).toBeCloseTo(input + cacheRead + cacheWrite + output, 12);
    expect(out).toMatchObject({
      pricing_key: 'claude-sonnet-4-5',
      match: 'exact',
      unpriced_reason: null,
      source: `litellm:litellm-model_prices_and_context_window.json@${raw().last_updated.slice(0, 10)}`,
    });
  });

  it('prices the batch service tier from the *_batches rates', async () => {
    const e = raw()['gpt-4o']!;
    const r = await run([
      'price',
      'gpt-4o',
      '--input',
      '10000',
      '--output',
      '2000',
      '--service-tier',
      'batch',
      '--prices',
      SHARED_TABLE,
      '--json',
    ]);
    expect(r.code).toBe(0);
    expect(JSON.parse(r.stdout).cost_usd).toBeCloseTo(
      10000 * e['input_cost_per_token_batches']! + 2000 * e['output_cost_per_token_batches']!,
      12,
    );
  });

  it('prints a readable table by default', async () => {
    const e = raw()['gpt-4o']!;
    const r = await run(['price', 'gpt-4o', '--input', '1000', '--output', '100', '--prices', SHARED_TABLE]);
    expect(r.code).toBe(0);
    const total = 1000 * e['input_cost_per_token']! + 100 * e['output_cost_per_token']!;
    expect(r.stdout).toMatch(/^pricing key\s+gpt-4o \(exact match\)$/m);
    // Four significant digits: $0.003500 for 0.0035.
    expect(r.stdout).toMatch(new RegExp(`^total\\s+\\$${total.toPrecision(4).replace('.', '\\.')}$`, 'm'));
    expect(r.stdout).toMatch(
      new RegExp(
        '^input\\s+\\$\\S+\\s+1,000 uncached tokens\\s+' +
          `at \\$${(e['input_cost_per_token']! * 1e6).toPrecision(4).replace('.', '\\.')}/M$`,
        'm',
      ),
    );
  });

  it('an unknown model: cost_usd null, the reason, exit 2', async () => {
    const r = await run(['price', 'gpt-4o-not-a-model', '--input', '10', '--prices', SHARED_TABLE, '--json']);
    expect(r.code).toBe(2);
    expect(JSON.parse(r.stdout)).toMatchObject({
      cost_usd: null,
      pricing_key: null,
      match: null,
      breakdown: null,
      unpriced_reason: 'unknown_model',
    });
  });

  it('OTEL_LLM_COST_PRICES_PATH and OTEL_LLM_COST_ALIASES apply when --prices is absent', async () => {
    const e = raw()['gpt-4o']!;
    const r = await run(['price', 'my-azure-deployment', '--input', '1000', '--json'], {
      OTEL_LLM_COST_PRICES_PATH: SHARED_TABLE,
      OTEL_LLM_COST_ALIASES: 'my-azure-deployment=gpt-4o',
    });
    expect(r.code).toBe(0);
    const out = JSON.parse(r.stdout);
    expect(out).toMatchObject({ pricing_key: 'gpt-4o', match: 'alias' });
    expect(out.source).toMatch(/^litellm:/);
    expect(out.cost_usd).toBeCloseTo(1000 * e['input_cost_per_token']!, 12);
  });
});

describe('llm-cost price --prices: a table that fails to load is an error, not a fallback', () => {
  it('a missing file', async () => {
    const r = await run(['price', 'gpt-4o', '--input', '1', '--prices', '/nonexistent/prices.json']);
    expect(r.code).toBe(1);
    expect(r.stderr).toMatch(/cannot load prices from \/nonexistent\/prices\.json: ENOENT/);
  });

  it('a table without one valid entry', async () => {
    const path = join(tempDir('cli'), 'bad.json');
    writeFileSync(path, JSON.stringify({ 'acme-model': { input_cost_per_token: -1 } }));
    const r = await run(['price', 'acme-model', '--input', '1', '--prices', path]);
    expect(r.code).toBe(1);
    expect(r.stderr).toMatch(
      /no valid price entry \(e\.g\. acme-model: input_cost_per_token must be a finite non-negative number/,
    );
  });

  it('a FIFO: refused at once as not a regular file (reading it would wait forever)', async () => {
    const fifo = join(tempDir('cli-fifo'), 'prices.json');
    execFileSync('mkfifo', [fifo]);
    const r = await run(['price', 'gpt-4o', '--input', '1', '--prices', fifo]);
    expect(r.code).toBe(1);
    expect(r.stderr).toMatch(
      /^llm-cost: cannot load prices from .*prices\.json: .*prices\.json is not a regular file \(a FIFO\)\n$/,
    );
  });

  it('/dev/zero: refused at once (it would grow without end)', async () => {
    const r = await run(['price', 'gpt-4o', '--input', '1', '--prices', '/dev/zero']);
    expect(r.code).toBe(1);
    expect(r.stderr).toBe(
      'llm-cost: cannot load prices from /dev/zero: /dev/zero is not a regular file (a character device)\n',
    );
  });

  it('a file over the size cap (OTEL_LLM_COST_MAX_BYTES)', async () => {
    const path = join(tempDir('cli'), 'big.json');
    const table: Record<string, unknown> = {};
    for (let i = 0; i < 100; i++)
      table[`acme-model-${i}`] = {
        litellm_provider: 'openai',
        input_cost_per_token: 1e-6,
        output_cost_per_token: 2e-6,
      };
    writeFileSync(path, JSON.stringify(table));
    const r = await run(['price', 'acme-model-1', '--input', '1', '--prices', path], {
      OTEL_LLM_COST_MAX_BYTES: '1000',
    });
    expect(r.code).toBe(1);
    expect(r.stderr).toMatch(/big\.json is \d+ bytes, over the 1000-byte limit/);
  });

  it('plain http', async () => {
    const r = await run(['price', 'gpt-4o', '--input', '1', '--prices', 'http://127.0.0.1:9/prices.json']);
    expect(r.code).toBe(1);
    expect(r.stderr).toMatch(/only https URLs are fetched/);
  });
});

describe('llm-cost price --prices https://… (real TLS, a CA made for the test)', () => {
  let server: Server;
  let base: string;
  let caFile: string;
  let handler: (path: string) => {
    status: number;
    headers: Record<string, string | number>;
    body: string | Buffer;
    cutAfter?: number;
  };

  beforeAll(async () => {
    const dir = tempDir('tls');
    caFile = join(dir, 'cert.pem');
    const keyFile = join(dir, 'key.pem');
    execFileSync(
      '/usr/bin/openssl',
      [
        'req',
        '-x509',
        '-newkey',
        'rsa:2048',
        '-nodes',
        '-keyout',
        keyFile,
        '-out',
        caFile,
        '-days',
        '1',
        '-subj',
        '/CN=127.0.0.1',
        '-addext',
        'subjectAltName=IP:127.0.0.1',
      ],
      { stdio: 'ignore' },
    );
    server = createHttpsServer({ key: readFileSync(keyFile), cert: readFileSync(caFile) }, (req, res) => {
      const a = handler(req.url ?? '/');
      res.writeHead(a.status, a.headers);
      // cutAfter: send that many bytes of the body, then drop the connection.
      if (a.cutAfter === undefined) res.end(a.body);
      else res.write(Buffer.from(a.body).subarray(0, a.cutAfter), () => res.destroy());
    });
    await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
    base = `https://127.0.0.1:${(server.address() as AddressInfo).port}`;
  });
  afterAll(() => new Promise<void>((r) => server.close(() => r())));

  it('fetches the table, dated by Last-Modified', async () => {
    const table = {
      'acme-tls-model': { litellm_provider: 'openai', input_cost_per_token: 0.000002, output_cost_per_token: 0.000008 },
    };
    handler = () => ({
      status: 200,
      headers: { 'content-type': 'application/json', 'last-modified': new Date('2026-05-06T07:08:09Z').toUTCString() },
      body: JSON.stringify(table),
    });
    const r = await run(
      ['price', 'acme-tls-model', '--input', '1000', '--output', '10', '--prices', `${base}/prices.json`, '--json'],
      {
        NODE_EXTRA_CA_CERTS: caFile,
      },
    );
    expect(r.stderr).toBe('');
    expect(r.code).toBe(0);
    const e = table['acme-tls-model'];
    expect(JSON.parse(r.stdout)).toMatchObject({
      pricing_key: 'acme-tls-model',
      source: `litellm:${new URL(base).host}/prices.json@2026-05-06`,
    });
    expect(JSON.parse(r.stdout).cost_usd).toBeCloseTo(1000 * e.input_cost_per_token + 10 * e.output_cost_per_token, 12);
  });

  const compressions = [
    ['gzip', (b: Buffer) => gzipSync(b)],
    ['br', (b: Buffer) => brotliCompressSync(b, { params: { [zlib.BROTLI_PARAM_QUALITY]: 5 } })],
  ] as const;

  // Hosts compress the LiteLLM table; fetch decodes it, and Content-Length counts the wire bytes.
  describe.skipIf(!HAS_SHARED_TABLE).each(compressions)('the real table served %s-compressed', (encoding, compress) => {
    it.each([true, false])('with Content-Length %s: loaded, priced from its entries', async (withLength) => {
      const text = readFileSync(SHARED_TABLE);
      const body = compress(text);
      expect(body.length).toBeLessThan(text.length / 4);
      handler = () => ({
        status: 200,
        headers: {
          'content-type': 'application/json',
          'content-encoding': encoding,
          ...(withLength ? { 'content-length': body.length } : {}),
        },
        body,
      });
      const e = raw()['gpt-4o']!;
      const r = await run(
        ['price', 'gpt-4o', '--input', '1000', '--output', '100', '--prices', `${base}/prices.json`, '--json'],
        { NODE_EXTRA_CA_CERTS: caFile },
      );
      expect(r.stderr).toBe('');
      expect(r.code).toBe(0);
      expect(JSON.parse(r.stdout).cost_usd).toBeCloseTo(
        1000 * e['input_cost_per_token']! + 100 * e['output_cost_per_token']!,
        12,
      );
    });
  });

  it.each(compressions)(
    'a %s body that expands beyond the size cap is refused, though its Content-Length is small',
    async (encoding, compress) => {
      const big = Buffer.from(
        JSON.stringify({ 'acme-tls-model': { input_cost_per_token: 1e-6, padding: ' '.repeat(200_000) } }),
      );
      const body = compress(big);
      handler = () => ({
        status: 200,
        headers: { 'content-type': 'application/json', 'content-encoding': encoding, 'content-length': body.length },
        body,
      });
      const r = await run(['price', 'acme-tls-model', '--input', '1', '--prices', `${base}/prices.json`], {
        NODE_EXTRA_CA_CERTS: caFile,
        OTEL_LLM_COST_MAX_BYTES: '100000',
      });
      expect(body.length).toBeLessThan(100_000);
      expect(r.code).toBe(1);
      expect(r.stderr).toMatch(/the table is over the 100000-byte limit/);
    },
  );

  it.each(compressions)('a %s body cut off before its Content-Length is refused', async (encoding, compress) => {
    const body = compress(
      Buffer.from(
        JSON.stringify({
          'acme-tls-model': { litellm_provider: 'openai', input_cost_per_token: 1e-6, output_cost_per_token: 2e-6 },
        }),
      ),
    );
    handler = () => ({
      status: 200,
      headers: { 'content-type': 'application/json', 'content-encoding': encoding, 'content-length': body.length },
      body,
      cutAfter: body.length - 5,
    });
    const r = await run(['price', 'acme-tls-model', '--input', '1', '--prices', `${base}/prices.json`], {
      NODE_EXTRA_CA_CERTS: caFile,
    });
    expect(r.code).toBe(1);
    expect(r.stderr).toMatch(
      new RegExp(
        /cannot load prices from https:\/\/127\.0\.0\.1:\d+\/prices\.json: /.source +
          /(the connection closed before the body was complete|not valid JSON)/.source,
      ),
    );
  });

  it('refuses a redirect from https down to http', async () => {
    handler = () => ({ status: 302, headers: { location: 'http://127.0.0.1:9/prices.json' }, body: '' });
    const r = await run(['price', 'gpt-4o', '--input', '1', '--prices', `${base}/prices.json`], {
      NODE_EXTRA_CA_CERTS: caFile,
    });
    expect(r.code).toBe(1);
    expect(r.stderr).toMatch(
      /refused a redirect to http:\/\/127\.0\.0\.1:9\/prices\.json: only https URLs are fetched/,
    );
  });

  it('an untrusted certificate is a load failure', async () => {
    handler = () => ({ status: 200, headers: {}, body: '{}' });
    const r = await run(['price', 'gpt-4o', '--input', '1', '--prices', `${base}/prices.json`]);
    expect(r.code).toBe(1);
    expect(r.stderr).toMatch(
      /cannot load prices from https:\/\/127\.0\.0\.1:\d+\/prices\.json: fetch failed: self[- ]signed certificate/,
    );
  });
});
