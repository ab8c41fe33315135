/**
 * Shared by the report tests: running the built CLI as a child process, and the figures the
 * report must print, computed here independently from the sample's token counts and the price
 * entries of the real LiteLLM table (never from the code under test).
 */
import { spawn } from 'node:child_process';
import { join } from 'node:path';
import { NEGOTIATED_GPT_4O_MINI, type SampleCall } from './sample-spans.js';
import { CLI, ROOT } from '../support/built.js';
import { NO_SHARED_TABLE, readSharedTable, SHARED_TABLE_PATH } from '../support/shared-table.js';

export { CLI, ensureBuilt, ROOT } from '../support/built.js';
export const SAMPLE = join(ROOT, 'test', 'fixtures', 'report-sample.otlp.jsonl');
/**
 * The real LiteLLM table, found like every other table-driven test finds it
 * (test/support/shared-table.ts: `OTEL_LLM_COST_SHARED_TABLE`, else `../shared/pricing/` beside the
 * project); where it is missing, the path it was expected at, so the failure names it.
 */
export const SHARED_TABLE =
  SHARED_TABLE_PATH ?? join(ROOT, '..', 'shared', 'pricing', 'litellm-model_prices_and_context_window.json');
/** Expected figures come from the real LiteLLM table: without it the tests skip, unless CI is
 * set: then they run and fail on the missing table. */
export const RUN_TABLE_TESTS = !NO_SHARED_TABLE;

export interface Run {
  code: number;
  stdout: string;
  stderr: string;
}

/** Runs `llm-cost ARGS` with only the given environment (plus PATH and a private cache). */
export function runCli(
  args: string[],
  options: { env?: Record<string, string>; stdin?: Buffer | string; cacheHome?: string } = {},
): Promise<Run> {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, [CLI, ...args], {
      env: {
        PATH: process.env.PATH ?? '',
        XDG_CACHE_HOME: options.cacheHome ?? join(ROOT, 'node_modules', '.cache', 'report-test'),
        ...options.env,
      },
      stdio: ['pipe', 'pipe', 'pipe'],
    });
    let stdout = '';
    let stderr = '';
    child.stdout.setEncoding('utf8').on('data', (d: string) => (stdout += d));
    child.stderr.setEncoding('utf8').on('data', (d: string) => (stderr += d));
    child.on('error', reject);
    child.on('close', (code) => resolve({ code: code ?? 1, stdout, stderr }));
    child.stdin.end(options.stdin ?? '');
  });
}

/** The LiteLLM entry of `key`, read from the shared table. */
export function litellmEntry(key: string): Record<string, number> {
  const entry = readSharedTable()[key] as Record<string, number> | undefined;
  if (entry === undefined) throw new Error(`${key} is not in the LiteLLM table`);
  return entry;
}

/** Per-token rates of a LiteLLM entry; a missing cache rate is billed at the input rate. */
export interface Rates {
  input: number;
  output: number;
  cacheRead: number;
  cacheWrite: number;
}

export function ratesOf(entry: Record<string, number>): Rates {
  const input = entry.input_cost_per_token as number;
  return {
    input,
    output: entry.output_cost_per_token as number,
    cacheRead: entry.cache_read_input_token_cost ?? input,
    cacheWrite: entry.cache_creation_input_token_cost ?? input,
  };
}

/** Cost of one call at `r` (input includes cache; reasoning billed as output in these entries). */
export function costAt(c: Pick<SampleCall, 'input' | 'output' | 'cacheRead' | 'cacheWrite'>, r: Rates): number {
  return (
    (c.input - c.cacheRead - c.cacheWrite) * r.input +
    c.cacheRead * r.cacheRead +
    c.cacheWrite * r.cacheWrite +
    c.output * r.output
  );
}

/** Reads saved against the uncached input price minus what writes cost above it. */
export function netSavingsAt(c: SampleCall, r: Rates): number {
  return c.cacheRead * (r.input - r.cacheRead) - c.cacheWrite * (r.cacheWrite - r.input);
}

/** The figure the report must show for a call: the negotiated cost recorded on the span, else
 * the LiteLLM price of its model; `null` when it cannot be priced. */
export function expectedCost(c: SampleCall): number | null {
  if (c.unpriced !== undefined) return null;
  if (c.recordedNegotiated) return c.input * NEGOTIATED_GPT_4O_MINI.input + c.output * NEGOTIATED_GPT_4O_MINI.output;
  return costAt(c, ratesOf(litellmEntry(c.model)));
}

export function expectedNetSavings(c: SampleCall): number {
  if (c.unpriced !== undefined || c.cacheRead + c.cacheWrite === 0) return 0;
  return netSavingsAt(c, ratesOf(litellmEntry(c.model)));
}

/** The JSON figures of a set of calls, summed here. */
export function expectedFigures(calls: SampleCall[], cost: (c: SampleCall) => number | null = expectedCost) {
  const sum = (f: (c: SampleCall) => number): number => calls.reduce((s, c) => s + f(c), 0);
  const cacheRead = sum((c) => c.cacheRead);
  const cacheWrite = sum((c) => c.cacheWrite);
  return {
    calls: calls.length,
    priced_calls: calls.filter((c) => cost(c) !== null).length,
    unpriced_calls: calls.filter((c) => cost(c) === null).length,
    input_tokens: sum((c) => c.input),
    output_tokens: sum((c) => c.output),
    cache_read_tokens: cacheRead,
    cache_write_tokens: cacheWrite,
    reasoning_tokens: sum((c) => c.reasoning),
    cost_usd: sum((c) => cost(c) ?? 0),
    cache_hit_rate: cacheRead + cacheWrite === 0 ? null : cacheRead / (cacheRead + cacheWrite),
    cache_net_savings_usd: sum(expectedNetSavings),
  };
}

/** Compares report figures with expected ones: counts exactly, dollars to 1e-9 relative. */
export function expectFiguresMatch(
  actual: Record<string, unknown>,
  expected: Record<string, unknown>,
  where: string,
): void {
  for (const [k, v] of Object.entries(expected)) {
    const a = actual[k];
    if (typeof v === 'number' && !Number.isInteger(v)) {
      if (typeof a !== 'number' || Math.abs(a - v) > 1e-9 * Math.max(1, Math.abs(v))) {
        throw new Error(`${where}: ${k} is ${String(a)}, expected ${v}`);
      }
    } else if (typeof v === 'number' && typeof a === 'number' && k.endsWith('_usd')) {
      if (Math.abs(a - v) > 1e-9) throw new Error(`${where}: ${k} is ${a}, expected ${v}`);
    } else if (a !== v) {
      throw new Error(`${where}: ${k} is ${JSON.stringify(a)}, expected ${JSON.stringify(v)}`);
    }
  }
}
