/**
 * The copyable examples in examples/ run as a user runs them (`npx tsx examples/X.ts`, no API
 * key, no Collector: each starts the bundled mock) and print the cost of their calls.
 *
 * Expected costs come from `@pydantic/genai-prices`' own `calcPrice` for the usage each example
 * asks the mock to report (the `usage:{…}` in its prompt, or the mock's default), never from
 * this package.
 */
import { execFile } from 'node:child_process';
import { existsSync } from 'node:fs';
import { createRequire } from 'node:module';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { calcPrice } from '@pydantic/genai-prices';
import { beforeAll, describe, expect, it } from 'vitest';
import { DEFAULT_USAGE, type MockDirective } from '../examples/mock-llm/index.js';

const ROOT = join(import.meta.dirname, '..');

function expectedUsd(model: string, providerId: string, u: MockDirective): string {
  const result = calcPrice(
    { input_tokens: u.input, cache_read_tokens: u.cached, cache_write_tokens: u.cacheWrite, output_tokens: u.output },
    model,
    { providerId },
  );
  if (!result) throw new Error(`genai-prices does not price ${model}`);
  return `$${result.total_price.toFixed(6)}`;
}

async function runExample(file: string): Promise<string> {
  const env: NodeJS.ProcessEnv = { ...process.env };
  for (const key of Object.keys(env)) {
    if (key.startsWith('OTEL_EXPORTER_OTLP_') || key === 'OPENAI_API_KEY' || key === 'ANTHROPIC_API_KEY')
      delete env[key];
  }
  const { stdout } = await promisify(execFile)(process.execPath, ['--import', 'tsx', join('examples', file)], {
    cwd: ROOT,
    env,
    timeout: 30_000,
  });
  return stdout;
}

beforeAll(() => {
  if (!existsSync(join(ROOT, 'dist', 'index.js'))) {
    throw new Error('the examples import the built package: run `npm run build` first (npm test does)');
  }
});

describe('examples import otel-llm-cost as a user would', () => {
  it('resolves the package name to this repository (its own exports)', () => {
    const fromExamples = createRequire(join(ROOT, 'examples', 'manual-spans.ts'));
    expect(fromExamples.resolve('otel-llm-cost')).toBe(join(ROOT, 'dist', 'index.cjs'));
  });
});

describe('examples/nodesdk-openai.ts', () => {
  it('prints the cost of a plain and a streamed OpenAI call', async () => {
    const out = await runExample('nodesdk-openai.ts');
    expect(out).toContain(`chat gpt-4o-mini: ${expectedUsd('gpt-4o-mini', 'openai', { input: 1200, output: 80 })}`);
    // The streamed call carries no directive: the mock reports its default usage.
    expect(out).toContain(`chat gpt-4o: ${expectedUsd('gpt-4o', 'openai', DEFAULT_USAGE)}`);
  });
});

describe('examples/vercel-ai-sdk.ts', () => {
  it('prints the cost of a cache write and a streamed cache read, and their roll-ups', async () => {
    const out = await runExample('vercel-ai-sdk.ts');
    const write = expectedUsd('claude-sonnet-4-5', 'anthropic', { input: 8000, cacheWrite: 6000, output: 300 });
    const read = expectedUsd('claude-sonnet-4-5', 'anthropic', { input: 8200, cached: 6000, output: 400 });
    expect(out).toContain(`ai.generateText.doGenerate: ${write}\n`);
    expect(out).toContain(`ai.generateText: ${write} in total`);
    expect(out).toMatch(new RegExp(`ai\\.streamText\\.doStream: \\${read}, first chunk after \\d+ ms`));
    expect(out).toContain(`ai.streamText: ${read} in total`);
  });
});

describe('examples/vercel-ai-sdk-7.ts', () => {
  it('registers @ai-sdk/otel after sdk.start(), prints what a cache write and a streamed cache read cost', async () => {
    const out = await runExample('vercel-ai-sdk-7.ts');
    const write = expectedUsd('claude-sonnet-4-5', 'anthropic', { input: 8000, cacheWrite: 6000, output: 300 });
    const read = expectedUsd('claude-sonnet-4-5', 'anthropic', { input: 8200, cached: 6000, output: 400 });
    expect(out).toContain(`chat claude-sonnet-4-5: ${write}\n`);
    expect(out).toContain(`invoke_agent claude-sonnet-4-5: ${write} in total`);
    expect(out).toMatch(new RegExp(`chat claude-sonnet-4-5: \\${read}, first chunk after \\d+ ms`));
    expect(out).toContain(`invoke_agent claude-sonnet-4-5: ${read} in total`);
  });
});

describe('examples/manual-spans.ts', () => {
  it('prints the cost and the time to first chunk of a hand-traced stream', async () => {
    const out = await runExample('manual-spans.ts');
    const cost = expectedUsd('gpt-4.1-mini', 'openai', { input: 3000, cached: 2048, output: 150 });
    const match = new RegExp(`chat gpt-4\\.1-mini: \\${cost}, first chunk after (\\d+) ms`).exec(out);
    expect(match, out).not.toBeNull();
    // The mock delays the first streamed chunk by 20 ms, so the chunk cannot arrive sooner after
    // the span started. Load only makes it later; but a Node timer may fire up to a millisecond
    // early against the span's clock (libuv keeps loop time in whole ms) and the figure is
    // rounded, so the bound keeps a few ms of slack below the delay instead of none.
    expect(Number(match![1])).toBeGreaterThanOrEqual(15);
  });
});
