/**
 * `llm-cost report` over Collector `file` exporter output: the committed samples
 * (test/fixtures/report-sample.otlp.jsonl, made with the real OTel JS SDK and OTLP/JSON serializer,
 * see test/fixtures/make-report-sample.ts; test/fixtures/report-sample.otelcol.jsonl, the same
 * spans as a real otelcol 0.150.0 `file` exporter wrote them, see make-report-sample-otelcol.ts),
 * run through the built CLI as a user runs it. Every
 * figure is compared with sums computed here from the sample's token counts and the entries of
 * the real LiteLLM table.
 */
import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { gzipSync } from 'node:zlib';
import { beforeAll, describe, expect, it } from 'vitest';
import { buildSampleSpans, SAMPLE_CALLS, type SampleCall } from './sample-spans.js';
import {
  costAt,
  ensureBuilt,
  expectedCost,
  expectedFigures,
  expectFiguresMatch,
  RUN_TABLE_TESTS,
  litellmEntry,
  ratesOf,
  ROOT,
  runCli,
  SAMPLE,
  SHARED_TABLE,
} from './helpers.js';

const env = { OTEL_LLM_COST_PRICES_PATH: SHARED_TABLE };
let dir: string;

beforeAll(async () => {
  ensureBuilt();
  await buildSampleSpans();
  dir = mkdtempSync(join(tmpdir(), 'llm-cost-report-'));
});

async function reportJson(args: string[], stdin?: Buffer | string): Promise<any> {
  const r = await runCli(['report', ...args, '--format', 'json'], { env, stdin });
  if (r.code !== 0) throw new Error(`exit ${r.code}: ${r.stderr}`);
  return JSON.parse(r.stdout);
}

/** Groups the sample's calls by the same dimensions, here. */
function groupCalls(dimension: (c: SampleCall) => string | null): Map<string | null, SampleCall[]> {
  const groups = new Map<string | null, SampleCall[]>();
  for (const c of SAMPLE_CALLS) groups.set(dimension(c), [...(groups.get(dimension(c)) ?? []), c]);
  return groups;
}

function expectGroups(report: any, by: string, dimension: (c: SampleCall) => string | null): void {
  const expected = groupCalls(dimension);
  expect(report.groups.map((g: any) => g.key[by]).sort()).toEqual([...expected.keys()].sort());
  for (const g of report.groups)
    expectFiguresMatch(g, expectedFigures(expected.get(g.key[by]) as SampleCall[]), `${by}=${g.key[by]}`);
  const costs = report.groups.map((g: any) => g.cost_usd);
  expect(costs).toEqual([...costs].sort((a, b) => b - a));
}

describe.skipIf(!RUN_TABLE_TESTS)('llm-cost report: totals from a Collector file', () => {
  it('prints one JSON object of the documented shape, groups by model sorted by cost', async () => {
    const report = await reportJson([SAMPLE]);
    expect(Object.keys(report)).toEqual(['from', 'to', 'groups', 'total', 'unpriced']);
    expect(Object.keys(report.groups[0])).toEqual([
      'key',
      'calls',
      'priced_calls',
      'unpriced_calls',
      'input_tokens',
      'output_tokens',
      'cache_read_tokens',
      'cache_write_tokens',
      'reasoning_tokens',
      'cost_usd',
      'cache_hit_rate',
      'cache_net_savings_usd',
    ]);
    expect(report.from).toBe(new Date(Math.min(...SAMPLE_CALLS.map((c) => c.startMs))).toISOString());
    expect(report.to).toBe(new Date(Math.max(...SAMPLE_CALLS.map((c) => c.startMs))).toISOString());
    expectGroups(report, 'model', (c) => c.model);
    expectFiguresMatch(report.total, expectedFigures(SAMPLE_CALLS), 'total');
  });

  it('reads what a real Collector file exporter wrote (committed sample, Go protojson dialect)', async () => {
    const otelcol = join(ROOT, 'test', 'fixtures', 'report-sample.otelcol.jsonl');
    expect(readFileSync(otelcol, 'utf8')).toMatch(/"intValue":"\d+"/);
    expectGroups(await reportJson([otelcol]), 'model', (c) => c.model);
    expectGroups(await reportJson([otelcol, '--by', 'attr:tenant']), 'attr:tenant', (c) => c.tenant);
    expectGroups(await reportJson([otelcol, '--by', 'agent']), 'agent', (c) => c.agent);
  });

  it('counts each call once: agent and SDK wrapper spans repeating their children are not summed', async () => {
    const report = await reportJson([SAMPLE]);
    // 18 inference calls among 27 spans (HTTP roots, invoke_agent spans, ai.generateText wrappers).
    expect(report.total.calls).toBe(SAMPLE_CALLS.length);
    expect(report.total.input_tokens).toBe(SAMPLE_CALLS.reduce((s, c) => s + c.input, 0));
  });

  it('keeps the cost recorded on spans by the processor (a negotiated price), prices the others', async () => {
    const report = await reportJson([SAMPLE]);
    const mini = report.groups.find((g: any) => g.key.model === 'gpt-4o-mini');
    const calls = SAMPLE_CALLS.filter((c) => c.model === 'gpt-4o-mini');
    expect(calls.every((c) => c.recordedNegotiated)).toBe(true);
    const negotiated = calls.reduce((s, c) => s + (expectedCost(c) as number), 0);
    const publicPrice = calls.reduce((s, c) => s + costAt(c, ratesOf(litellmEntry('gpt-4o-mini'))), 0);
    expect(mini.cost_usd).toBeCloseTo(negotiated, 12);
    expect(Math.abs(mini.cost_usd - publicPrice)).toBeGreaterThan(1e-4);
  });

  it('lists what it could not price, by model and reason', async () => {
    const report = await reportJson([SAMPLE]);
    const expected = SAMPLE_CALLS.filter((c) => c.unpriced).map((c) => ({
      model: c.model,
      reason: c.unpriced,
      calls: 1,
    }));
    expect(report.unpriced).toEqual(expect.arrayContaining(expected));
    expect(report.unpriced).toHaveLength(expected.length);
  });

  it('--by service, provider, operation, agent, attr:NAME, day and hour', async () => {
    const dims: [string, (c: SampleCall) => string | null][] = [
      ['service', (c) => c.service],
      ['provider', (c) => c.provider],
      ['operation', (c) => c.operation],
      // gen_ai.agent.name and tenant sit on ancestor spans (invoke_agent, the HTTP root): inherited.
      ['agent', (c) => c.agent],
      ['attr:tenant', (c) => c.tenant],
      ['day', (c) => new Date(c.startMs).toISOString().slice(0, 10)],
      ['hour', (c) => `${new Date(c.startMs).toISOString().slice(0, 13)}:00Z`],
    ];
    for (const [by, f] of dims) expectGroups(await reportJson([SAMPLE, '--by', by]), by, f);
  });

  it('--by twice groups by both keys', async () => {
    const report = await reportJson([SAMPLE, '--by', 'service', '--by', 'model']);
    const expected = groupCalls((c) => `${c.service}|${c.model}`);
    expect(report.groups).toHaveLength(expected.size);
    for (const g of report.groups) {
      expect(Object.keys(g.key)).toEqual(['service', 'model']);
      expectFiguresMatch(
        g,
        expectedFigures(expected.get(`${g.key.service}|${g.key.model}`) as SampleCall[]),
        JSON.stringify(g.key),
      );
    }
  });

  it('--from / --to keep the calls that started inside the window', async () => {
    const from = Date.UTC(2026, 10, 2, 9, 30);
    const to = Date.UTC(2026, 10, 3, 9, 30);
    const report = await reportJson([SAMPLE, '--from', new Date(from).toISOString(), '--to', '2026-11-03T09:30:00Z']);
    const inside = SAMPLE_CALLS.filter((c) => c.startMs >= from && c.startMs < to);
    expect(inside.length).toBeGreaterThan(3);
    expect(inside.length).toBeLessThan(SAMPLE_CALLS.length);
    expectFiguresMatch(report.total, expectedFigures(inside), 'window total');
    expect(report.from).toBe(new Date(from).toISOString());
    expect(report.to).toBe(new Date(to).toISOString());
  });

  it('--top-traces N lists the most expensive traces with their summed cost', async () => {
    const report = await reportJson([SAMPLE, '--top-traces', '3']);
    const byTrace = new Map<string, number>();
    for (const c of SAMPLE_CALLS)
      byTrace.set(
        `${c.service}#${c.traceIndex}`,
        (byTrace.get(`${c.service}#${c.traceIndex}`) ?? 0) + (expectedCost(c) ?? 0),
      );
    const top = [...byTrace.values()].sort((a, b) => b - a).slice(0, 3);
    expect(report.top_traces).toHaveLength(3);
    report.top_traces.forEach((t: any, i: number) => expect(t.cost_usd).toBeCloseTo(top[i] as number, 12));
    expect(report.top_traces[0].trace_id).toMatch(/^[0-9a-f]{32}$/);
  });
});

describe.skipIf(!RUN_TABLE_TESTS)('llm-cost report: inputs', () => {
  it('reads gzip files, glob patterns, several files and standard input alike', async () => {
    const plain = readFileSync(SAMPLE);
    const lines = plain.toString('utf8').trimEnd().split('\n');
    writeFileSync(join(dir, 'part-1.json'), `${lines.slice(0, 3).join('\n')}\n`);
    writeFileSync(join(dir, 'part-2.json.gz'), gzipSync(`${lines.slice(3).join('\n')}\n`));
    const fromGlob = await reportJson([join(dir, 'part-*')]);
    expectFiguresMatch(fromGlob.total, expectedFigures(SAMPLE_CALLS), 'glob total');
    const fromStdin = await reportJson(['-'], plain);
    expectFiguresMatch(fromStdin.total, expectedFigures(SAMPLE_CALLS), 'stdin total');
    const gzOnly = await reportJson([join(dir, 'part-2.json.gz')]);
    expect(gzOnly.total.calls).toBeGreaterThan(0);
    expect(gzOnly.total.calls + (await reportJson([join(dir, 'part-1.json')])).total.calls).toBe(SAMPLE_CALLS.length);
  });

  it('names file and line of a bad line, still counts the rest; --strict stops', async () => {
    const lines = readFileSync(SAMPLE, 'utf8').trimEnd().split('\n');
    const bad = join(dir, 'with-bad-lines.json');
    writeFileSync(
      bad,
      [lines[0], '{"resourceSpans":[{"scopeSpans":[{"spans":[{"na', ...lines.slice(1), '{"hello":1}'].join('\n') + '\n',
    );
    const r = await runCli(['report', bad, '--format', 'json'], { env });
    expect(r.code).toBe(0);
    expect(r.stderr).toContain(`${bad}:2: not JSON`);
    expect(r.stderr).toContain(`${bad}:${lines.length + 2}: not an OTLP ExportTraceServiceRequest`);
    expectFiguresMatch(JSON.parse(r.stdout).total, expectedFigures(SAMPLE_CALLS), 'total despite bad lines');

    const strict = await runCli(['report', bad, '--strict', '--format', 'json'], { env });
    expect(strict.code).toBe(1);
    expect(strict.stderr).toContain(`${bad}:2: not JSON`);
    expect(strict.stdout).toBe('');
  });

  it('a missing file or a pattern matching nothing is an error, not an empty report', async () => {
    const r = await runCli(['report', join(dir, 'nope.json')], { env });
    expect(r.code).toBe(1);
    expect(r.stderr).toContain('nope.json: no such file');
    const g = await runCli(['report', join(dir, 'nothing-*.json')], { env });
    expect(g.code).toBe(1);
    expect(g.stderr).toContain('no file matches');
  });

  it('rejects bad options with a message', async () => {
    for (const [args, message] of [
      [['--by', 'colour'], '--by must be one of'],
      [['--format', 'xml'], '--format must be one of'],
      [['--from', 'yesterday'], '--from: expected an ISO date'],
      [['--jaeger', 'http://127.0.0.1:1'], 'give either INPUT files or --jaeger'],
      [['--top-traces', '0'], '--top-traces must be'],
    ] as [string[], string][]) {
      const r = await runCli(['report', SAMPLE, ...args], { env });
      expect(r.code, args.join(' ')).toBe(1);
      expect(r.stderr).toContain(message);
    }
  });
});

describe.skipIf(!RUN_TABLE_TESTS)('llm-cost report: formats', () => {
  it('csv: the same figures, one row per group and a total row', async () => {
    const r = await runCli(['report', SAMPLE, '--by', 'service', '--format', 'csv'], { env });
    expect(r.code).toBe(0);
    const rows = r.stdout
      .trimEnd()
      .split('\r\n')
      .map((l) => l.split(','));
    const header = rows[0] as string[];
    expect(header.slice(0, 3)).toEqual(['service', 'calls', 'priced_calls']);
    const groups = groupCalls((c) => c.service);
    for (const row of rows.slice(1, -1)) {
      const record = Object.fromEntries(header.map((h, i) => [h, row[i] === '' ? null : Number(row[i])]));
      const { cache_hit_rate, ...figures } = expectedFigures(groups.get(row[0] as string) as SampleCall[]);
      expectFiguresMatch(record, figures, `csv ${row[0]}`);
      if (cache_hit_rate === null) expect(record.cache_hit_rate).toBeNull();
      else expect(record.cache_hit_rate).toBeCloseTo(cache_hit_rate, 9);
    }
    expect((rows.at(-1) as string[])[0]).toBe('(total)');
  });

  it('table: one line per group with the cost to the micro-dollar, and the unpriced list', async () => {
    const r = await runCli(['report', SAMPLE, '--format', 'table'], { env });
    expect(r.code).toBe(0);
    const total = expectedFigures(SAMPLE_CALLS);
    expect(r.stdout).toMatch(
      new RegExp(`^total\\s+${SAMPLE_CALLS.length}\\s.*\\s${total.cost_usd.toFixed(6).replace('.', '\\.')}\\s`, 'm'),
    );
    expect(r.stdout).toContain('ft:acme-support-7: unknown_model, 1 calls');
  });
});

describe.skipIf(!RUN_TABLE_TESTS)('llm-cost report: what-if repricing', () => {
  it('--reprice prices every call from its tokens and shows both figures and the difference', async () => {
    const report = await reportJson([SAMPLE, '--reprice']);
    expect(report.reprice).toEqual({ prices: 'default', as_model: null });
    const repriced = (c: SampleCall): number | null => (c.unpriced ? null : costAt(c, ratesOf(litellmEntry(c.model))));
    for (const g of report.groups) {
      const calls = SAMPLE_CALLS.filter((c) => c.model === g.key.model);
      const first = calls.reduce((s, c) => s + (expectedCost(c) ?? 0), 0);
      const second = calls.reduce((s, c) => s + (repriced(c) ?? 0), 0);
      expect(g.cost_usd).toBeCloseTo(first, 12);
      expect(g.repriced_cost_usd).toBeCloseTo(second, 12);
      expect(g.difference_usd).toBeCloseTo(second - first, 12);
    }
    // Only the negotiated calls differ.
    expect(report.groups.filter((g: any) => Math.abs(g.difference_usd) > 1e-12).map((g: any) => g.key.model)).toEqual([
      'gpt-4o-mini',
    ]);
  });

  it('--as-model prices the same usage on another model', async () => {
    const report = await reportJson([SAMPLE, '--as-model', 'gpt-4.1-mini', '--by', 'service']);
    expect(report.reprice).toEqual({ prices: 'default', as_model: 'gpt-4.1-mini' });
    // Only the call without any usage stays unpriced on the other model.
    expect(report.total.repriced_unpriced_calls).toBe(SAMPLE_CALLS.filter((c) => c.unpriced === 'no_usage').length);
    const target = ratesOf(litellmEntry('gpt-4.1-mini'));
    for (const g of report.groups) {
      const calls = SAMPLE_CALLS.filter((c) => c.service === g.key.service && c.unpriced !== 'no_usage');
      const expected = calls.reduce((s, c) => s + costAt(c, target), 0);
      expect(g.repriced_cost_usd).toBeCloseTo(expected, 12);
      expect(g.difference_usd).toBeCloseTo(expected - g.cost_usd, 12);
    }
  });

  it('--prices reprices with another table', async () => {
    const table = JSON.parse(readFileSync(SHARED_TABLE, 'utf8'));
    const doubled = { ...table['gpt-4o-2024-08-06'] };
    doubled.input_cost_per_token *= 2;
    doubled.output_cost_per_token *= 2;
    const other = join(dir, 'other-prices.json');
    writeFileSync(other, JSON.stringify({ ...table, 'gpt-4o-2024-08-06': doubled }));
    const report = await reportJson([SAMPLE, '--prices', other]);
    expect(report.reprice.prices).toContain('other-prices.json');
    const g = report.groups.find((x: any) => x.key.model === 'gpt-4o-2024-08-06');
    const calls = SAMPLE_CALLS.filter((c) => c.model === 'gpt-4o-2024-08-06');
    expect(g.repriced_cost_usd).toBeCloseTo(
      calls.reduce((s, c) => s + costAt(c, ratesOf(doubled)), 0),
      12,
    );
    expect(g.difference_usd).toBeCloseTo(g.cost_usd, 12);
  });
});
