/**
 * `llm-cost models`, `llm-cost compare`, the rates in `llm-cost price`, `--version`: the built
 * CLI in child processes. Expected figures come from the price entries themselves: the real
 * LiteLLM table (via --prices) and `@pydantic/genai-prices` for the embedded table.
 */
import { calcPrice } from '@pydantic/genai-prices';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
import { CLI, ensureBuilt, ROOT, runNode } from './support/built.js';
import { HAS_SHARED_TABLE, SHARED_TABLE, tempDir } from './sources/helpers.js';

let cacheHome: string;
beforeAll(() => {
  cacheHome = tempDir('cli-commands');
  ensureBuilt();
});

async function run(args: string[]): Promise<{ code: number; stdout: string; stderr: string }> {
  const r = await runNode([CLI, ...args], { XDG_CACHE_HOME: cacheHome });
  return { code: r.code ?? -1, stdout: r.stdout, stderr: r.stderr };
}

type Entry = Record<string, number | string | undefined>;
const raw = (): Record<string, Entry> => JSON.parse(readFileSync(SHARED_TABLE, 'utf8')) as Record<string, Entry>;
const perM = (rate: unknown): number => (rate as number) * 1e6;

/** Significant digits of a printed amount such as `0.003500` or `15.00`. */
function significantDigits(amount: string): number {
  return amount.replace('.', '').replace(/^0+/, '').length;
}

/** Columns of a table line (two or more spaces between cells). */
const cells = (line: string): string[] => line.trim().split(/\s{2,}/);

describe.skipIf(!HAS_SHARED_TABLE)('llm-cost models (the real LiteLLM table via --prices)', () => {
  it("--provider and --search filter; rates per million and the context window are the entry's own", async () => {
    const r = await run([
      'models',
      '--provider',
      'anthropic',
      '--search',
      'SONNET-4-5',
      '--prices',
      SHARED_TABLE,
      '--json',
    ]);
    expect(r.code).toBe(0);
    expect(r.stderr).toBe('');
    const out = JSON.parse(r.stdout) as { source: string; count: number; models: Record<string, unknown>[] };
    expect(out.source).toMatch(/^litellm:litellm-model_prices_and_context_window\.json@/);
    const table = raw();
    // What the table itself lists: anthropic entries with sonnet-4-5 in the key and a token price.
    const expected = Object.keys(table).filter((k) => {
      const e = table[k]!;
      return (
        e['litellm_provider'] === 'anthropic' &&
        k.toLowerCase().includes('sonnet-4-5') &&
        (e['input_cost_per_token'] !== undefined || e['output_cost_per_token'] !== undefined)
      );
    });
    expect(out.models.map((m) => m['key']).sort()).toEqual(expected.sort());
    expect(out.count).toBe(expected.length);
    for (const m of out.models) {
      const e = table[m['key'] as string]!;
      expect(m['provider']).toBe('anthropic');
      expect(m['input_per_mtok']).toBeCloseTo(perM(e['input_cost_per_token']), 9);
      expect(m['output_per_mtok']).toBeCloseTo(perM(e['output_cost_per_token']), 9);
      expect(m['cache_read_per_mtok']).toBeCloseTo(perM(e['cache_read_input_token_cost']), 9);
      expect(m['cache_write_per_mtok']).toBeCloseTo(perM(e['cache_creation_input_token_cost']), 9);
      expect(m['context_window']).toBe(e['max_input_tokens']);
    }
  });

  it('the table: one row per model, rates with four significant digits aligned on the decimal point', async () => {
    const r = await run(['models', '--search', 'gpt-4o', '--provider', 'openai', '--prices', SHARED_TABLE]);
    expect(r.code).toBe(0);
    const lines = r.stdout.trimEnd().split('\n');
    expect(cells(lines[0]!)).toEqual([
      'model',
      'provider',
      'input $/M',
      'output $/M',
      'cache read $/M',
      'cache write $/M',
      'context',
    ]);
    const row = lines.find((l) => cells(l)[0] === 'gpt-4o')!;
    const e = raw()['gpt-4o']!;
    expect(cells(row).slice(0, 4)).toEqual([
      'gpt-4o',
      'openai',
      perM(e['input_cost_per_token']).toPrecision(4),
      perM(e['output_cost_per_token']).toPrecision(4),
    ]);
    expect(cells(row).at(-1)).toBe(Number(e['max_input_tokens']).toLocaleString('en-US'));
    // Decimal points of the input column line up on every model row.
    const body = lines.slice(1, -1);
    const dots = new Set(body.map((l) => l.indexOf('.', lines[0]!.indexOf('input $/M'))));
    expect(dots.size).toBe(1);
    for (const l of body)
      expect(significantDigits(l.slice(lines[0]!.indexOf('input $/M')).trim().split(/\s+/)[0]!)).toBe(4);
    expect(lines.at(-1)).toMatch(new RegExp(`^${body.length} models of litellm:`));
  });

  it('nothing matches: exit 2', async () => {
    const r = await run(['models', '--search', 'no-such-model-anywhere', '--prices', SHARED_TABLE, '--json']);
    expect(r.code).toBe(2);
    expect(JSON.parse(r.stdout)).toMatchObject({ count: 0, models: [] });
  });
});

describe('llm-cost models (the embedded genai-prices table)', () => {
  it("lists gpt-4o-mini at genai-prices' own per-million rates", async () => {
    const r = await run(['models', '--provider', 'openai', '--search', 'gpt-4o-mini', '--json']);
    expect(r.code).toBe(0);
    const out = JSON.parse(r.stdout) as { source: string; models: Record<string, unknown>[] };
    expect(out.source).toMatch(/^genai-prices@/);
    const m = out.models.find((x) => x['key'] === 'gpt-4o-mini')!;
    const oracle = (usage: Parameters<typeof calcPrice>[0]): number =>
      calcPrice(usage, 'gpt-4o-mini', { providerId: 'openai' })!.total_price;
    expect(m['input_per_mtok']).toBeCloseTo(oracle({ input_tokens: 1_000_000 }), 9);
    expect(m['output_per_mtok']).toBeCloseTo(oracle({ output_tokens: 1_000_000 }), 9);
    expect(m['cache_read_per_mtok']).toBeCloseTo(oracle({ input_tokens: 1_000_000, cache_read_tokens: 1_000_000 }), 9);
  });
});

describe.skipIf(!HAS_SHARED_TABLE)('llm-cost compare (the real LiteLLM table via --prices)', () => {
  const usageFlags = ['--input', '20000', '--cache-read', '5000', '--output', '1500'];
  const expectedCost = (key: string): number => {
    const e = raw()[key]!;
    return (
      15000 * (e['input_cost_per_token'] as number) +
      5000 * ((e['cache_read_input_token_cost'] as number | undefined) ?? (e['input_cost_per_token'] as number)) +
      1500 * (e['output_cost_per_token'] as number)
    );
  };
  const models = ['claude-sonnet-4-5', 'gpt-4o', 'gpt-4o-mini'];

  it('--json: the same usage on every model, cheapest first, unpriced last with the reason; exit 2', async () => {
    const r = await run(['compare', ...models, 'not-a-real-model', ...usageFlags, '--prices', SHARED_TABLE, '--json']);
    expect(r.code).toBe(2);
    const out = JSON.parse(r.stdout) as { usage: Record<string, unknown>; results: Record<string, unknown>[] };
    expect(out.usage).toMatchObject({ input_tokens: 20000, cache_read_tokens: 5000, output_tokens: 1500 });
    const byCost = [...models].sort((a, b) => expectedCost(a) - expectedCost(b));
    expect(out.results.map((x) => x['model'])).toEqual([...byCost, 'not-a-real-model']);
    for (const x of out.results.slice(0, 3)) {
      expect(x['cost_usd']).toBeCloseTo(expectedCost(x['pricing_key'] as string), 12);
      expect((x['rates'] as Record<string, number>)['input_per_mtok']).toBeCloseTo(
        perM(raw()[x['model'] as string]!['input_cost_per_token']),
        9,
      );
    }
    expect(out.results[0]!['relative_to_cheapest']).toBe(1);
    expect(out.results[3]).toMatchObject({ cost_usd: null, unpriced_reason: 'unknown_model', pricing_key: null });
  });

  it('the table: costs with four significant digits, aligned; exit 0 when every model is priced', async () => {
    const r = await run(['compare', ...models, ...usageFlags, '--prices', SHARED_TABLE]);
    expect(r.code).toBe(0);
    const lines = r.stdout.trimEnd().split('\n');
    expect(cells(lines[0]!).slice(0, 3)).toEqual(['model', 'cost', 'vs cheapest']);
    const byCost = [...models].sort((a, b) => expectedCost(a) - expectedCost(b));
    lines.slice(1).forEach((line, i) => {
      const [model, cost] = cells(line);
      expect(model).toBe(byCost[i]);
      expect(cost).toBe(`$${expectedCost(byCost[i]!).toPrecision(4)}`);
    });
    const costColumn = lines[0]!.indexOf('cost');
    expect(new Set(lines.slice(1).map((l) => l.indexOf('.', costColumn))).size).toBe(1);
  });

  it('needs a usage and a model', async () => {
    const none = await run(['compare', 'gpt-4o', '--prices', SHARED_TABLE]);
    expect(none.code).toBe(1);
    expect(none.stderr).toMatch(/^llm-cost compare: give the usage to compare/);
    const noModel = await run(['compare', '--input', '5']);
    expect(noModel.code).toBe(1);
    expect(noModel.stderr).toMatch(/^llm-cost compare: missing MODEL/);
  });
});

describe('llm-cost compare (the embedded genai-prices table)', () => {
  it('prices each model as genai-prices does', async () => {
    const models = ['gpt-4o', 'gpt-4o-mini', 'claude-sonnet-4-5'];
    const r = await run([
      'compare',
      ...models,
      '--input',
      '12000',
      '--cache-read',
      '4000',
      '--output',
      '800',
      '--json',
    ]);
    expect(r.code).toBe(0);
    const out = JSON.parse(r.stdout) as { results: { model: string; cost_usd: number }[] };
    const oracle = (m: string): number =>
      calcPrice({ input_tokens: 12000, cache_read_tokens: 4000, output_tokens: 800 }, m, {
        providerId: m.startsWith('claude') ? 'anthropic' : 'openai',
      })!.total_price;
    expect(out.results.map((x) => x.model)).toEqual([...models].sort((a, b) => oracle(a) - oracle(b)));
    for (const x of out.results) expect(x.cost_usd).toBeCloseTo(oracle(x.model), 12);
  });
});

describe.skipIf(!HAS_SHARED_TABLE)('llm-cost price shows the rates it applied', () => {
  it('--json: rates per million of the entry, for the service tier', async () => {
    const e = raw()['gpt-4o']!;
    const standard = JSON.parse(
      (await run(['price', 'gpt-4o', '--input', '100', '--prices', SHARED_TABLE, '--json'])).stdout,
    );
    expect(standard.rates.input_per_mtok).toBeCloseTo(perM(e['input_cost_per_token']), 9);
    expect(standard.rates.output_per_mtok).toBeCloseTo(perM(e['output_cost_per_token']), 9);
    expect(standard.rates.cache_read_per_mtok).toBeCloseTo(perM(e['cache_read_input_token_cost']), 9);
    const batch = JSON.parse(
      (await run(['price', 'gpt-4o', '--input', '100', '--service-tier', 'batch', '--prices', SHARED_TABLE, '--json']))
        .stdout,
    );
    expect(batch.rates.input_per_mtok).toBeCloseTo(perM(e['input_cost_per_token_batches']), 9);
    expect(batch.rates.output_per_mtok).toBeCloseTo(perM(e['output_cost_per_token_batches']), 9);
  });

  it('the table: each part with its tokens and its rate, amounts aligned with four significant digits', async () => {
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
      '--output',
      '400',
      '--prices',
      SHARED_TABLE,
    ]);
    expect(r.code).toBe(0);
    const line = (label: string): string => r.stdout.split('\n').find((l) => l.startsWith(`${label} `))!;
    expect(line('input')).toMatch(
      new RegExp(
        `\\$${(1500 * (e['input_cost_per_token'] as number)).toPrecision(4)}\\s+1,500 uncached tokens\\s+` +
          `at \\$${perM(e['input_cost_per_token']).toPrecision(4)}/M$`,
      ),
    );
    expect(line('cache read')).toMatch(new RegExp(`at \\$${perM(e['cache_read_input_token_cost']).toPrecision(4)}/M$`));
    expect(line('output')).toMatch(new RegExp(`at \\$${perM(e['output_cost_per_token']).toPrecision(4)}/M$`));
    const amountLines = ['input', 'cache read', 'cache write', 'output', 'total'].map(line);
    expect(new Set(amountLines.map((l) => l.indexOf('.'))).size).toBe(1);
    for (const l of amountLines) expect(significantDigits(l.match(/\$([\d.]+)/)![1]!)).toBe(4);
  });
});

describe('llm-cost --version', () => {
  it('prints the package version, or one JSON object with --json', async () => {
    const { version } = JSON.parse(readFileSync(join(ROOT, 'package.json'), 'utf8')) as { version: string };
    const plain = await run(['--version']);
    expect(plain).toMatchObject({ code: 0, stdout: `llm-cost ${version}\n` });
    const json = await run(['--version', '--json']);
    expect(json.code).toBe(0);
    expect(JSON.parse(json.stdout)).toEqual({ version });
  });
});
