import { execFile } from 'node:child_process';
import { mkdtempSync, readdirSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
import { calcPrice } from '@pydantic/genai-prices';
import { CLI, ensureBuilt, ROOT } from '../support/built.js';

/**
 * Issue 9 §2 through the real CLI (a child process, default embedded table, no price variables
 * from the machine): the README's own examples, service tiers and alias targets.
 */

interface Run {
  code: number;
  stdout: string;
  stderr: string;
}

let cacheHome: string;

function run(args: string[], env: Record<string, string> = {}): Promise<Run> {
  return new Promise((resolve) => {
    execFile(
      process.execPath,
      [CLI, ...args],
      { env: { PATH: process.env.PATH ?? '', XDG_CACHE_HOME: cacheHome, ...env }, timeout: 30_000 },
      (err, stdout, stderr) => resolve({ code: err ? ((err as { code?: number }).code ?? 1) : 0, stdout, stderr }),
    );
  });
}

async function json(
  args: string[],
  env: Record<string, string> = {},
): Promise<{ run: Run; out: Record<string, unknown> }> {
  const r = await run([...args, '--json'], env);
  return { run: r, out: JSON.parse(r.stdout) as Record<string, unknown> };
}

beforeAll(() => {
  cacheHome = mkdtempSync(join(tmpdir(), 'cli-fallback-'));
  ensureBuilt();
}, 120_000);

const close = (actual: unknown, expected: number) => {
  expect(typeof actual).toBe('number');
  expect(Math.abs((actual as number) - expected)).toBeLessThanOrEqual(Math.abs(expected) * 1e-11 + 1e-15);
};

describe('llm-cost price with the default (embedded) table', () => {
  it('prices `azure/gpt-4o` as `--provider azure gpt-4o` does, at genai-prices’ Azure price', async () => {
    const expected = calcPrice({ input_tokens: 1_000, output_tokens: 100 }, 'gpt-4o', {
      providerId: 'azure',
    })!.total_price;
    const qualified = await json(['price', 'azure/gpt-4o', '--input', '1000', '--output', '100']);
    expect(qualified.run.code).toBe(0);
    close(qualified.out.cost_usd, expected);
    const byFlag = await json(['price', 'gpt-4o', '--provider', 'azure', '--input', '1000', '--output', '100']);
    expect(byFlag.out.cost_usd).toBe(qualified.out.cost_usd);
  });

  it('prices a batch call of gpt-4o at half the standard price', async () => {
    const standard = calcPrice({ input_tokens: 1_000, output_tokens: 100 }, 'gpt-4o', {
      providerId: 'openai',
    })!.total_price;
    const batch = await json(['price', 'gpt-4o', '--input', '1000', '--output', '100', '--service-tier', 'batch']);
    expect(batch.run.code).toBe(0);
    close(batch.out.cost_usd, standard / 2);
  });

  it('refuses to price a flex call the table has no rate for: exit 2, unknown_service_tier, no cost', async () => {
    const flex = await json(['price', 'gpt-4o', '--input', '1000', '--output', '100', '--service-tier', 'flex']);
    expect(flex.run.code).toBe(2);
    expect(flex.out).toMatchObject({ cost_usd: null, unpriced_reason: 'unknown_service_tier' });
  });

  it('prices the README’s alias example (prod-gpt4o=azure/gpt-4o) without a warning', async () => {
    const r = await json(['price', 'prod-gpt4o', '--input', '1000', '--output', '100'], {
      OTEL_LLM_COST_ALIASES: 'prod-gpt4o=azure/gpt-4o',
    });
    expect(r.run.code).toBe(0);
    expect(r.out).toMatchObject({ match: 'alias' });
    close(
      r.out.cost_usd,
      calcPrice({ input_tokens: 1_000, output_tokens: 100 }, 'gpt-4o', { providerId: 'azure' })!.total_price,
    );
    expect(r.run.stderr).not.toMatch(/alias/);
  });

  it('names an alias whose target no table knows in one warning', async () => {
    const r = await run(['price', 'gpt-4o', '--input', '10'], {
      OTEL_LLM_COST_ALIASES: 'prod-x=azure/gpt-4o-typo,ok=gpt-4o',
    });
    expect(r.code).toBe(0);
    const lines = r.stderr.split('\n').filter((l) => l.includes('alias'));
    expect(lines).toHaveLength(1);
    expect(lines[0]).toContain('prod-x');
    expect(lines[0]).toContain('azure/gpt-4o-typo');
  });
});

describe('every `llm-cost price` example of the README and docs/ works with the default table', () => {
  /** `$ [npx] llm-cost price …` lines (with `\` continuations) of the markdown files, `--prices FILE` dropped. */
  function examples(): string[][] {
    const found: string[][] = [];
    for (const file of ['README.md', ...readdirSync(join(ROOT, 'docs')).map((f) => `docs/${f}`)]) {
      if (!file.endsWith('.md')) continue;
      const lines = readFileSync(join(ROOT, file), 'utf8').split('\n');
      for (let i = 0; i < lines.length; i++) {
        const m = /^\$ (?:npx )?llm-cost (price .*)$/.exec(lines[i]!.trim());
        if (!m) continue;
        let cmd = m[1]!;
        while (cmd.endsWith('\\') && i + 1 < lines.length) cmd = cmd.slice(0, -1) + ' ' + lines[++i]!.trim();
        const args = cmd.split(/\s+/).filter(Boolean);
        const at = args.indexOf('--prices');
        if (at >= 0) args.splice(at, 2);
        found.push(args);
      }
    }
    return found;
  }

  it('prices each one (exit 0, a cost)', async () => {
    const all = examples();
    expect(all.length).toBeGreaterThanOrEqual(3);
    for (const args of all) {
      const r = await json(args.filter((a) => a !== '--json'));
      expect(r.run.code, args.join(' ')).toBe(0);
      expect(typeof r.out.cost_usd, args.join(' ')).toBe('number');
    }
  });

  it('prints the README’s gpt-4o-mini figure, which is genai-prices’', async () => {
    const r = await json(['price', 'gpt-4o-mini', '--input', '1000', '--output', '100']);
    close(
      r.out.cost_usd,
      calcPrice({ input_tokens: 1_000, output_tokens: 100 }, 'gpt-4o-mini', { providerId: 'openai' })!.total_price,
    );
    const readme = readFileSync(join(ROOT, 'README.md'), 'utf8');
    expect(readme).toContain(`"cost_usd":${String(r.out.cost_usd)}`);
  });

  it('resolves the aliases of docs/price-sources.md without a warning', async () => {
    const r = await run(['price', 'eu-claude', '--input', '100', '--output', '10'], {
      OTEL_LLM_COST_ALIASES: 'prod-gpt4o-eastus=azure/gpt-4o,eu-claude=claude-sonnet-4-5',
    });
    expect(r.code).toBe(0);
    expect(r.stderr).toBe('');
  });
});
