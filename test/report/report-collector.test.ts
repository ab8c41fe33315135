/**
 * `llm-cost report` over what a real Collector's `file` exporter writes, and over a real Jaeger v2
 * through its query API v3: the sample spans (test/report/sample-spans.ts) are sent with the real
 * OTLP/HTTP exporter, the tool stores them, the report reads them back. Every figure is compared
 * with sums computed from the sample's token counts and the LiteLLM entries.
 *
 * Needs the binaries `.ci/tools.sh` builds (test/report/tools.ts); skipped with a message when
 * they are absent, unless CI is set: then it fails.
 */
import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { gzipSync } from 'node:zlib';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { ReadableSpan } from '@opentelemetry/sdk-trace-base';
import { buildSampleSpans, SAMPLE_CALLS, SAMPLE_BASE_MS } from './sample-spans.js';
import { ensureBuilt, expectedFigures, expectFiguresMatch, RUN_TABLE_TESTS, runCli, SHARED_TABLE } from './helpers.js';
import {
  freePort,
  IN_CI,
  sendSpans,
  startTool,
  toolAvailable,
  toolPath,
  waitForHttp,
  type RunningTool,
} from './tools.js';

const env = { OTEL_LLM_COST_PRICES_PATH: SHARED_TABLE };
let batches: ReadableSpan[][];
let dir: string;

beforeAll(async () => {
  ensureBuilt();
  batches = await buildSampleSpans();
  dir = mkdtempSync(join(tmpdir(), 'llm-cost-report-tools-'));
});

function requireTool(name: 'otelcol' | 'jaeger'): boolean {
  if (toolAvailable(name)) return true;
  if (IN_CI) throw new Error(`${toolPath(name)} is missing: .ci/tools.sh ${name} builds it (CI is set, so this fails)`);
  return false;
}

const runOtelcol = toolAvailable('otelcol') || IN_CI;
describe.skipIf(!RUN_TABLE_TESTS || !runOtelcol)(
  "llm-cost report: a real Collector's file exporter output" +
    `${runOtelcol ? '' : ` (skipped: ${toolPath('otelcol')} not found; run .ci/tools.sh otelcol)`}`,
  () => {
    let collector: RunningTool | undefined;
    let output: string;

    beforeAll(async () => {
      requireTool('otelcol');
      const port = await freePort();
      output = join(dir, 'traces.json');
      const config = join(dir, 'otelcol.yaml');
      writeFileSync(
        config,
        [
          'receivers:',
          '  otlp:',
          '    protocols:',
          '      http:',
          `        endpoint: 127.0.0.1:${port}`,
          'exporters:',
          '  file:',
          `    path: ${output}`,
          'service:',
          '  telemetry:',
          '    metrics:',
          '      level: none',
          '  pipelines:',
          '    traces:',
          '      receivers: [otlp]',
          '      exporters: [file]',
          '',
        ].join('\n'),
      );
      collector = startTool(toolPath('otelcol'), ['--config', config]);
      // The build has no health_check extension: any HTTP answer of the receiver means ready.
      await waitForHttp(`http://127.0.0.1:${port}/v1/traces`, collector);
      await sendSpans(`http://127.0.0.1:${port}/v1/traces`, batches);
      await collector.stop(); // flushes and closes the file
    }, 120_000);

    afterAll(async () => {
      await collector?.stop();
    });

    it('the file holds one ExportTraceServiceRequest per line, in the Collector protojson dialect', () => {
      const lines = readFileSync(output, 'utf8').trimEnd().split('\n');
      expect(lines.length).toBeGreaterThanOrEqual(batches.length);
      const first = JSON.parse(lines[0] as string);
      expect(Array.isArray(first.resourceSpans)).toBe(true);
      // Go's protojson writes 64-bit integers as strings: the report must read them.
      expect(lines.join('\n')).toMatch(/"intValue":"\d+"/);
    });

    it('reports every figure of the sample, plain and gzip', async () => {
      for (const file of [output, join(dir, 'traces.json.gz')]) {
        if (file.endsWith('.gz')) writeFileSync(file, gzipSync(readFileSync(output)));
        const r = await runCli(['report', file, '--by', 'model', '--format', 'json'], { env });
        expect(r.code, r.stderr).toBe(0);
        const report = JSON.parse(r.stdout);
        expectFiguresMatch(report.total, expectedFigures(SAMPLE_CALLS), `${file} total`);
        for (const g of report.groups) {
          expectFiguresMatch(
            g,
            expectedFigures(SAMPLE_CALLS.filter((c) => c.model === g.key.model)),
            `${file} ${g.key.model}`,
          );
        }
      }
    });

    it('groups by an attribute set on ancestors (agent, tenant) as in the sample', async () => {
      const r = await runCli(['report', output, '--by', 'agent', '--by', 'attr:tenant', '--format', 'json'], { env });
      const report = JSON.parse(r.stdout);
      for (const g of report.groups) {
        const calls = SAMPLE_CALLS.filter((c) => c.agent === g.key.agent && c.tenant === g.key['attr:tenant']);
        expectFiguresMatch(g, expectedFigures(calls), JSON.stringify(g.key));
      }
    });
  },
);

const runJaeger = toolAvailable('jaeger') || IN_CI;
describe.skipIf(!RUN_TABLE_TESTS || !runJaeger)(
  'llm-cost report --jaeger: a real Jaeger v2' +
    `${runJaeger ? '' : ` (skipped: ${toolPath('jaeger')} not found; run .ci/tools.sh jaeger)`}`,
  () => {
    let jaeger: RunningTool | undefined;
    let queryUrl: string;

    beforeAll(async () => {
      requireTool('jaeger');
      const otlp = await freePort();
      const query = await freePort();
      const queryGrpc = await freePort();
      const config = join(dir, 'jaeger.yaml');
      writeFileSync(
        config,
        [
          'service:',
          '  extensions: [jaeger_storage, jaeger_query]',
          '  pipelines:',
          '    traces:',
          '      receivers: [otlp]',
          '      exporters: [jaeger_storage_exporter]',
          '  telemetry:',
          '    metrics:',
          '      level: none',
          'extensions:',
          '  jaeger_query:',
          '    storage:',
          '      traces: mem',
          '    http:',
          `      endpoint: 127.0.0.1:${query}`,
          '    grpc:',
          `      endpoint: 127.0.0.1:${queryGrpc}`,
          '  jaeger_storage:',
          '    backends:',
          '      mem:',
          '        memory:',
          '          max_traces: 100000',
          'receivers:',
          '  otlp:',
          '    protocols:',
          '      http:',
          `        endpoint: 127.0.0.1:${otlp}`,
          'exporters:',
          '  jaeger_storage_exporter:',
          '    trace_storage: mem',
          '',
        ].join('\n'),
      );
      // Jaeger traces its own queries over OTLP, by default to 127.0.0.1:4317, a fixed port that
      // something else on this machine may own: point it at a port nobody listens on.
      jaeger = startTool(toolPath('jaeger'), ['--config', config], {
        OTEL_EXPORTER_OTLP_ENDPOINT: `http://127.0.0.1:${await freePort()}`,
      });
      queryUrl = `http://127.0.0.1:${query}`;
      await waitForHttp(`${queryUrl}/api/v3/services`, jaeger);
      await waitForHttp(`http://127.0.0.1:${otlp}/v1/traces`, jaeger);
      await sendSpans(`http://127.0.0.1:${otlp}/v1/traces`, batches);
      // Jaeger stores asynchronously: wait until the services are listed.
      const deadline = Date.now() + 30_000;
      for (;;) {
        const services = (await (await fetch(`${queryUrl}/api/v3/services`)).json()) as { services?: string[] };
        if (['chat-api', 'support-agent'].every((s) => services.services?.includes(s))) break;
        if (Date.now() > deadline)
          throw new Error(`Jaeger did not list the services: ${JSON.stringify(services)}\n${jaeger.log()}`);
        await new Promise((r) => setTimeout(r, 200));
      }
    }, 120_000);

    afterAll(async () => {
      await jaeger?.stop();
    });

    const window = [
      '--from',
      new Date(SAMPLE_BASE_MS - 3_600_000).toISOString(),
      '--to',
      new Date(SAMPLE_BASE_MS + 3 * 86_400_000).toISOString(),
    ];

    for (const service of ['chat-api', 'support-agent']) {
      it(`reports the calls of ${service} read through the query API`, async () => {
        const r = await runCli(
          ['report', '--jaeger', queryUrl, '--service', service, ...window, '--by', 'model', '--format', 'json'],
          { env },
        );
        expect(r.code, r.stderr).toBe(0);
        const report = JSON.parse(r.stdout);
        const calls = SAMPLE_CALLS.filter((c) => c.service === service);
        expectFiguresMatch(report.total, expectedFigures(calls), `${service} total`);
        for (const g of report.groups) {
          expectFiguresMatch(
            g,
            expectedFigures(calls.filter((c) => c.model === g.key.model)),
            `${service} ${g.key.model}`,
          );
        }
      });
    }

    it('an empty window gives an empty report, and an unreachable Jaeger an error', async () => {
      const empty = await runCli(
        [
          'report',
          '--jaeger',
          queryUrl,
          '--service',
          'chat-api',
          '--from',
          '2020-01-01',
          '--to',
          '2020-01-02',
          '--format',
          'json',
        ],
        { env },
      );
      expect(empty.code, empty.stderr).toBe(0);
      expect(JSON.parse(empty.stdout).total.calls).toBe(0);
      const down = await runCli(
        ['report', '--jaeger', `http://127.0.0.1:${await freePort()}`, '--service', 'x', '--format', 'json'],
        { env },
      );
      expect(down.code).toBe(1);
      expect(down.stderr).toContain('llm-cost report: http://127.0.0.1:');
    });
  },
);
