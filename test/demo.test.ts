/**
 * `npm run demo`, run as a user runs it (a child process through tsx, `otel-llm-cost` resolved
 * to the built package), against a real OTLP/HTTP receiver on loopback.
 *
 * Expected costs come from `@pydantic/genai-prices`' own `calcPrice` (the embedded default
 * table's publisher and engine), for the usage the demo asked the mock to report
 * (examples/demo/calls.ts) and the dated model the mock answers with, never from this package.
 */
import { execFile, spawn } from 'node:child_process';
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { calcPrice } from '@pydantic/genai-prices';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { AGENT_SPAN_NAME, DEMO_CALLS, type DemoCall } from '../examples/demo/calls.js';
import { ATTR_STEP } from '../examples/demo/summary.js';
import { DATED_MODELS } from '../examples/mock-llm/index.js';
import { startOtlpReceiver, type OtlpReceiver, type ReceivedSpan } from './support/otlp-receiver.js';

const ROOT = join(import.meta.dirname, '..');
const COST = 'gen_ai.usage.cost_usd';
const UNPRICED = 'gen_ai.cost.unpriced_reason';
const ROLLUP = 'gen_ai.cost.rollup_usd';

const providerOf = (c: DemoCall): string => (c.client.endsWith('anthropic') ? 'anthropic' : 'openai');
const responseModel = (c: DemoCall): string => DATED_MODELS[c.model] ?? c.model;

/** genai-prices' price for the call's usage (input includes cache, as in genai-prices' Usage). */
function oracle(c: DemoCall, usage = c.usage): { cost: number; modelId: string } | undefined {
  const result = calcPrice(
    {
      input_tokens: usage.input,
      cache_read_tokens: usage.cached,
      cache_write_tokens: usage.cacheWrite,
      output_tokens: usage.output,
    },
    responseModel(c),
    { providerId: providerOf(c) },
  );
  return result ? { cost: result.total_price, modelId: result.model.id } : undefined;
}

/** What the cache reads would have cost as uncached input, minus what they cost. */
function oracleSavings(c: DemoCall): number {
  const cached = c.usage.cached ?? 0;
  if (cached === 0) return 0;
  const asInput = oracle(c, { input: cached, output: 0 })!.cost;
  const asCacheRead = oracle(c, { input: cached, cached, output: 0 })!.cost;
  return asInput - asCacheRead;
}

function runDemo(env: NodeJS.ProcessEnv): Promise<{ stdout: string; stderr: string }> {
  return promisify(execFile)(process.execPath, ['--import', 'tsx', join('examples', 'demo', 'main.ts')], {
    cwd: ROOT,
    env,
    timeout: 45_000,
  });
}

/** The environment of the test process minus any OTLP configuration it happens to have. */
function cleanEnv(): NodeJS.ProcessEnv {
  const env: NodeJS.ProcessEnv = { ...process.env, OTEL_LOG_LEVEL: 'warn' };
  for (const key of Object.keys(env)) if (key.startsWith('OTEL_EXPORTER_OTLP_')) delete env[key];
  return env;
}

beforeAll(() => {
  if (!existsSync(join(ROOT, 'dist', 'index.js'))) {
    throw new Error('the demo imports the built package: run `npm run build` first (npm test does)');
  }
});

describe('npm run demo with OTEL_EXPORTER_OTLP_ENDPOINT set', () => {
  let receiver: OtlpReceiver;
  let stdout = '';
  let spans: ReceivedSpan[] = [];

  beforeAll(async () => {
    receiver = await startOtlpReceiver();
    ({ stdout } = await runDemo({
      ...cleanEnv(),
      OTEL_EXPORTER_OTLP_ENDPOINT: receiver.url,
      OTEL_EXPORTER_OTLP_PROTOCOL: 'http/json',
    }));
    // The demo exits only after sdk.shutdown() flushed both signals.
    spans = receiver.spans();
  });
  afterAll(async () => {
    await receiver?.close();
  });

  /** The LLM call span (the one the processor priced or marked unpriced) under a step span. */
  function callSpan(step: string): ReceivedSpan {
    const stepSpan = spans.find((s) => s.attributes[ATTR_STEP] === step);
    expect(stepSpan, `step span ${step}`).toBeDefined();
    const byId = new Map(spans.map((s) => [s.spanId, s]));
    const under = (s: ReceivedSpan): boolean => {
      for (let p = byId.get(s.parentSpanId ?? ''); p; p = byId.get(p.parentSpanId ?? '')) {
        if (p === stepSpan) return true;
      }
      return false;
    };
    const calls = spans.filter((s) => under(s) && (COST in s.attributes || UNPRICED in s.attributes));
    expect(calls, `LLM spans under step ${step}`).toHaveLength(1);
    return calls[0]!;
  }

  it('exports over OTLP/JSON without a rejected request', () => {
    expect(receiver.rejected).toEqual([]);
    expect(spans.length).toBeGreaterThan(DEMO_CALLS.length);
    expect(spans.every((s) => s.resource['service.name'] === 'otel-llm-cost-demo')).toBe(true);
  });

  it('makes the promised mix: both providers, each instrumentation, streams, cache reads and writes, reasoning', () => {
    expect(new Set(DEMO_CALLS.map(providerOf))).toEqual(new Set(['openai', 'anthropic']));
    expect(new Set(DEMO_CALLS.map((c) => c.stream))).toEqual(new Set([true, false]));
    expect(DEMO_CALLS.some((c) => (c.usage.cached ?? 0) > 0)).toBe(true);
    expect(DEMO_CALLS.some((c) => (c.usage.cacheWrite ?? 0) > 0)).toBe(true);
    expect(DEMO_CALLS.some((c) => (c.usage.reasoning ?? 0) > 0)).toBe(true);
    expect(DEMO_CALLS.filter((c) => oracle(c) === undefined)).toHaveLength(1);
    const scopes = new Set(DEMO_CALLS.map((c) => callSpan(c.step).scope));
    expect(scopes).toEqual(
      new Set(['@opentelemetry/instrumentation-openai', '@traceloop/instrumentation-anthropic', 'ai']),
    );
  });

  describe.each(DEMO_CALLS.filter((c) => oracle(c) !== undefined).map((c) => [c.step, c] as const))(
    'priced call %s',
    (step, c) => {
      it('carries gen_ai.usage.cost_usd = genai-prices calcPrice for the usage the mock reported', () => {
        const span = callSpan(step);
        const expected = oracle(c)!;
        expect(span.attributes[COST]).toBeCloseTo(expected.cost, 12);
        expect(span.attributes['gen_ai.cost.pricing_key']).toBe(expected.modelId);
        expect(span.attributes[UNPRICED]).toBeUndefined();
      });
    },
  );

  it('reports the unknown model as unpriced, with no cost', () => {
    const unknown = DEMO_CALLS.find((c) => oracle(c) === undefined)!;
    const span = callSpan(unknown.step);
    expect(span.attributes[UNPRICED]).toBe('unknown_model');
    expect(span.attributes[COST]).toBeUndefined();
  });

  it('rolls the cost of every call up to the agent span and each step span', () => {
    const agent = spans.filter((s) => s.name === AGENT_SPAN_NAME);
    expect(agent).toHaveLength(1);
    const priced = DEMO_CALLS.map((c) => callSpan(c.step).attributes[COST]).filter(
      (v): v is number => typeof v === 'number',
    );
    expect(priced).toHaveLength(DEMO_CALLS.length - 1);
    const sumOfChildren = priced.reduce((a, b) => a + b, 0);
    expect(agent[0]!.attributes[ROLLUP]).toBeCloseTo(sumOfChildren, 12);
    const expectedTotal = DEMO_CALLS.reduce((sum, c) => sum + (oracle(c)?.cost ?? 0), 0);
    expect(agent[0]!.attributes[ROLLUP]).toBeCloseTo(expectedTotal, 12);
    for (const c of DEMO_CALLS) {
      const step = spans.find((s) => s.attributes[ATTR_STEP] === c.step)!;
      if (oracle(c) === undefined) expect(step.attributes[ROLLUP]).toBeUndefined();
      else expect(step.attributes[ROLLUP]).toBeCloseTo(oracle(c)!.cost, 12);
    }
  });

  it('exports the gen_ai.usage.cost histogram with the calls’ count and sum per model', () => {
    const cost = receiver
      .metrics()
      .filter((m) => m.name === 'gen_ai.usage.cost')
      .at(-1);
    expect(cost?.type).toBe('histogram');
    expect(cost?.unit).toBe('USD');
    const points = cost!.dataPoints;
    expect(points.reduce((n, p) => n + (p.count ?? 0), 0)).toBe(DEMO_CALLS.length - 1);
    const expectedTotal = DEMO_CALLS.reduce((sum, c) => sum + (oracle(c)?.cost ?? 0), 0);
    expect(points.reduce((s, p) => s + (p.sum ?? 0), 0)).toBeCloseTo(expectedTotal, 12);
    for (const c of DEMO_CALLS.filter((x) => oracle(x) !== undefined)) {
      const key = oracle(c)!.modelId;
      const same = DEMO_CALLS.filter((x) => oracle(x)?.modelId === key);
      const point = points.find((p) => p.attributes['gen_ai.request.model'] === key);
      expect(point?.count, key).toBe(same.length);
      expect(point?.sum).toBeCloseTo(
        same.reduce((s, x) => s + oracle(x)!.cost, 0),
        12,
      );
    }
  });

  it('exports the unpriced call and the cache savings as metrics', () => {
    const unpriced = receiver
      .metrics()
      .filter((m) => m.name === 'gen_ai.cost.unpriced_calls')
      .at(-1);
    expect(unpriced?.dataPoints.map((p) => [p.attributes['gen_ai.cost.unpriced_reason'], p.value])).toEqual([
      ['unknown_model', 1],
    ]);
    const savings = receiver
      .metrics()
      .filter((m) => m.name === 'gen_ai.cost.cache_savings')
      .at(-1);
    const expected = DEMO_CALLS.reduce((sum, c) => sum + oracleSavings(c), 0);
    expect(expected).toBeGreaterThan(0);
    expect(savings?.dataPoints.reduce((s, p) => s + (p.value ?? 0), 0)).toBeCloseTo(expected, 12);
  });

  it('prints the per-call costs, the total, the savings and the unpriced call with its reason', () => {
    for (const c of DEMO_CALLS) {
      const expected = oracle(c);
      const line = stdout.split('\n').find((l) => l.trimStart().startsWith(`${c.step} `));
      expect(line, c.step).toBeDefined();
      expect(line).toContain(expected ? `$${expected.cost.toFixed(6)}` : 'unpriced');
    }
    const total = DEMO_CALLS.reduce((sum, c) => sum + (oracle(c)?.cost ?? 0), 0);
    expect(stdout).toMatch(
      new RegExp(`total\\s+${DEMO_CALLS.length - 1}\\s+\\$${total.toFixed(6).replace('.', '\\.')}`),
    );
    const saved = DEMO_CALLS.reduce((sum, c) => sum + oracleSavings(c), 0);
    expect(stdout).toContain(`saved $${saved.toFixed(6)}`);
    expect(stdout).toContain('gen_ai.cost.unpriced_reason = unknown_model');
    expect(stdout).toContain(`exported over OTLP to ${receiver.url}`);
  });
});

describe('npm run demo without an OTLP endpoint', () => {
  it('prints the summary, exits 0 and tries no export', async () => {
    // A demo stuck on an export would hit runDemo's timeout; no wall-clock bound of its own
    // (a child process starting tsx on a loaded machine takes what it takes).
    const { stdout, stderr } = await runDemo(cleanEnv());
    const total = DEMO_CALLS.reduce((sum, c) => sum + (oracle(c)?.cost ?? 0), 0);
    expect(stdout).toContain(`$${total.toFixed(6)}`);
    expect(stdout).toContain('Not exported');
    expect(stderr).not.toMatch(/ECONNREFUSED|4318|error/i);
  });
});

describe('npm run demo -- --loop (for the Grafana dashboard)', () => {
  let receiver: OtlpReceiver;
  beforeAll(async () => {
    receiver = await startOtlpReceiver();
  });
  afterAll(async () => {
    await receiver.close();
  });

  it('keeps handling tickets with periodic metric exports whose counters grow; stops cleanly on Ctrl-C', async () => {
    const child = spawn(process.execPath, ['--import', 'tsx', join('examples', 'demo', 'main.ts'), '--loop'], {
      cwd: ROOT,
      env: {
        ...cleanEnv(),
        OTEL_EXPORTER_OTLP_ENDPOINT: receiver.url,
        OTEL_EXPORTER_OTLP_PROTOCOL: 'http/json',
        OTEL_METRIC_EXPORT_INTERVAL: '500',
      },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    let stdout = '';
    child.stdout.on('data', (d: Buffer) => (stdout += d.toString()));
    const exited = new Promise<number | null>((resolve) => child.on('exit', (code) => resolve(code)));
    try {
      await receiver.waitFor(() => /ticket 2:/.test(stdout), 30_000);
      child.kill('SIGINT');
      expect(await exited).toBe(0);
    } finally {
      child.kill('SIGKILL');
    }
    const perTicket = DEMO_CALLS.reduce((sum, c) => sum + (oracle(c)?.cost ?? 0), 0);
    expect(stdout).toContain(`ticket 1: $${perTicket.toFixed(6)}`);
    expect(stdout).toMatch(/\d+ tickets, \$[\d.]+ in total/);
    // Cumulative counts seen by the receiver grow from one export to a later one: what
    // rate()/increase() in the dashboard need (a one-shot run exports a single sample).
    const counts = receiver
      .metrics()
      .filter((m) => m.name === 'gen_ai.usage.cost')
      .map((m) => m.dataPoints.reduce((n, p) => n + (p.count ?? 0), 0));
    const priced = DEMO_CALLS.length - 1;
    expect(counts.length).toBeGreaterThanOrEqual(2);
    for (let i = 1; i < counts.length; i++) expect(counts[i]).toBeGreaterThanOrEqual(counts[i - 1]!);
    expect(counts.at(-1)).toBeGreaterThanOrEqual(2 * priced);
    expect(counts.at(-1)! % priced).toBe(0); // the final flush holds whole tickets only
  });
});
