/**
 * The one-call setup as a user meets it, against a real OTLP receiver on loopback:
 * 1. the README quick start, run as written in a child process (`otel-llm-cost` mapped to src/),
 *    exports annotated spans and cost metrics when the app simply ends, with each OTLP protocol
 *    (http/protobuf, http/json, gRPC) and exporter name the SDK knows, on Ctrl-C and SIGTERM, and
 *    without hanging when the Collector is down; its warnings reach stderr once;
 * 2. the README's "wiring it yourself" block registers its providers and exports spans and metrics;
 * 3. in-process, the same helper with a price book: span cost and metric cost agree.
 * test/compat/ runs the same blocks from the npm tarball on both OpenTelemetry JS lines.
 */
import { spawn } from 'node:child_process';
import { mkdirSync, rmSync, writeFileSync } from 'node:fs';
import { createServer, type Server, type Socket } from 'node:net';
import { join, relative } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { context, diag, DiagLogLevel, metrics, propagation, trace, type DiagLogger } from '@opentelemetry/api';
import { NodeSDK } from '@opentelemetry/sdk-node';
import { calcPrice } from '@pydantic/genai-prices';
import { ATTR_COST_UNPRICED_REASON, ATTR_COST_USD } from '../src/attributes.js';
import { llmCostNodeSDKOptions } from '../src/setup.js';
import type { CostResult, NormalizedUsage } from '../src/pricing/types.js';
import { startOtlpReceiver, type OtlpReceiver, type ReceivedMetric } from './support/otlp-receiver.js';
import { markedBlock, REPO_ROOT as ROOT } from './support/readme-blocks.js';

const quickStart = (): string => markedBlock('quickstart');

/** $3/M input, $0.30/M cache read, $15/M output; only `gpt-4o` is known. */
const testPricer = {
  price(usage: NormalizedUsage): CostResult {
    if (usage.model !== 'gpt-4o') return { costUsd: null, reason: 'unknown_model' };
    const cacheRead = usage.cacheReadTokens ?? 0;
    const input = ((usage.inputTokens ?? 0) - cacheRead) * 3e-6;
    const read = cacheRead * 0.3e-6;
    const output = (usage.outputTokens ?? 0) * 15e-6;
    return {
      costUsd: input + read + output,
      breakdown: { input, cacheRead: read, cacheWrite: 0, output },
      pricingKey: 'gpt-4o',
      match: 'exact',
      source: 'test',
    };
  },
};

const LLM_ATTRIBUTES = {
  'gen_ai.operation.name': 'chat',
  'gen_ai.provider.name': 'openai',
  'gen_ai.request.model': 'gpt-4o',
  'gen_ai.usage.input_tokens': 1000,
  'gen_ai.usage.output_tokens': 200,
};

/** What genai-prices' own calculator says the LLM span costs: the independent oracle. */
function oracleCost(): number {
  const oracle = calcPrice({ input_tokens: 1000, output_tokens: 200 }, 'gpt-4o', { providerId: 'openai' });
  expect(oracle).not.toBeNull();
  return oracle!.total_price;
}

const metricNamed = (r: OtlpReceiver, name: string): ReceivedMetric[] => r.metrics().filter((m) => m.name === name);

interface ChildResult {
  code: number | null;
  signal: NodeJS.Signals | null;
  stdout: string;
  stderr: string;
  millis: number;
}

interface RunOptions {
  env?: Record<string, string | undefined>;
  /** Sent once the script printed `ready`. */
  signal?: NodeJS.Signals;
}

/**
 * Runs `block` as written (only where `otel-llm-cost` resolves from changes) followed by
 * `workload`, in a child Node with tsx, and resolves when it has exited on its own.
 */
async function runBlock(block: string, workload: string, options: RunOptions = {}): Promise<ChildResult> {
  const dir = join(ROOT, 'node_modules', '.cache', 'otel-llm-cost-quickstart');
  mkdirSync(dir, { recursive: true });
  const file = join(dir, `block-${process.pid}-${Math.random().toString(36).slice(2)}.mts`);
  const src = relative(dir, join(ROOT, 'src', 'index.js')).replaceAll('\\', '/');
  writeFileSync(file, block.replace("from 'otel-llm-cost'", `from '${src}'`) + '\n' + workload);
  const started = Date.now();
  try {
    return await new Promise<ChildResult>((resolve, reject) => {
      const child = spawn(process.execPath, ['--import', 'tsx', file], {
        cwd: ROOT,
        env: { ...process.env, OTEL_LOG_LEVEL: 'error', ...options.env },
        stdio: ['ignore', 'pipe', 'pipe'],
      });
      let stdout = '';
      let stderr = '';
      let signalled = false;
      child.stdout.on('data', (d: Buffer) => {
        stdout += d.toString();
        if (options.signal && !signalled && stdout.includes('ready')) {
          signalled = true;
          child.kill(options.signal);
        }
      });
      child.stderr.on('data', (d: Buffer) => (stderr += d.toString()));
      const timer = setTimeout(() => {
        child.kill('SIGKILL');
        reject(new Error(`child did not exit within 45 s\n${stdout}\n${stderr}`));
      }, 45_000);
      child.on('error', reject);
      child.on('exit', (code, signal) => {
        clearTimeout(timer);
        resolve({ code, signal, stdout, stderr, millis: Date.now() - started });
      });
    });
  } finally {
    rmSync(file, { force: true });
  }
}

/** One LLM span; then the script ends by itself (no shutdown call): flushOnExit must export. */
const ONE_CALL = `
import { trace as __trace } from '@opentelemetry/api';
__trace.getTracer('quickstart-test').startSpan('chat gpt-4o', { attributes: ${JSON.stringify(LLM_ATTRIBUTES)} }).end();
`;
/** The same, then a wait long enough for periodic metric exports. */
const ONE_CALL_THEN_WAIT = `${ONE_CALL}await new Promise((r) => setTimeout(r, 700));\n`;
/** The same, then it runs until stopped by a signal. */
const ONE_CALL_THEN_SERVE = `${ONE_CALL}setInterval(() => {}, 1000);\nconsole.log('ready');\n`;

function expectPricedSpanAndMetrics(
  r: OtlpReceiver,
  out: ChildResult,
  serviceName: string | null = 'my-llm-app',
): void {
  expect(r.rejected).toEqual([]);
  const span = r.spans().find((s) => s.name === 'chat gpt-4o');
  expect(span, `spans: ${JSON.stringify(r.spans().map((s) => s.name))}\n${out.stderr}`).toBeDefined();
  if (serviceName !== null) expect(span!.resource['service.name']).toBe(serviceName);
  expect(span!.attributes[ATTR_COST_UNPRICED_REASON]).toBeUndefined();
  expect(span!.attributes[ATTR_COST_USD]).toBeCloseTo(oracleCost(), 12);
  const cost = metricNamed(r, 'gen_ai.usage.cost').at(-1);
  expect(cost, `metrics: ${JSON.stringify(r.metrics().map((m) => m.name))}`).toBeDefined();
  expect(cost!.dataPoints[0]?.sum).toBeCloseTo(oracleCost(), 12);
}

let receiver: OtlpReceiver;
beforeEach(async () => {
  receiver = await startOtlpReceiver({ grpc: true });
});
afterEach(async () => {
  await receiver.close();
});

describe('the README quick start', () => {
  it('is the quick start of docs/metrics.md, line for line, with no shutdown line to copy', () => {
    expect(markedBlock('quickstart', join(ROOT, 'docs', 'metrics.md'))).toBe(quickStart());
    const lines = quickStart()
      .split('\n')
      .filter((l) => l.trim() !== '');
    expect(lines.length).toBeLessThanOrEqual(15);
    expect(quickStart()).toContain('...llmCostNodeSDKOptions()');
    expect(quickStart()).not.toMatch(/process\.on|shutdown/);
    // The CommonJS form is the same setup with require().
    const cjs = markedBlock('quickstart-commonjs');
    expect(cjs.replace(/^const \{ (\w+) \} = require\(('[^']+')\);$/gm, 'import { $1 } from $2;')).toBe(quickStart());
  });

  it('runs as written; an app that ends by itself exports a priced span and cost metrics (http/protobuf)', async () => {
    const out = await runBlock(quickStart(), ONE_CALL_THEN_WAIT, {
      env: { OTEL_EXPORTER_OTLP_ENDPOINT: receiver.url, OTEL_METRIC_EXPORT_INTERVAL: '200' },
    });
    expect(out.code, out.stderr).toBe(0);
    expectPricedSpanAndMetrics(receiver, out);
    expect(new Set(receiver.arrivals.map((a) => a.protocol))).toEqual(new Set(['http/protobuf']));
    // A periodic export happened before the exit flush (OTEL_METRIC_EXPORT_INTERVAL was honoured).
    expect(receiver.metricRequests.length).toBeGreaterThanOrEqual(2);
    const tokens = metricNamed(receiver, 'gen_ai.cost.tokens').at(-1);
    expect(tokens?.dataPoints.map((p) => [p.attributes['gen_ai.token.type'], p.value]).sort()).toEqual([
      ['input', 1000],
      ['output', 200],
    ]);
    expect(metricNamed(receiver, 'gen_ai.cost.call.duration').at(-1)?.dataPoints[0]?.count).toBe(1);
  });

  describe.each(['http/protobuf', 'http/json', 'grpc'] as const)('with OTEL_EXPORTER_OTLP_PROTOCOL=%s', (protocol) => {
    it('sends both signals in that protocol', async () => {
      const out = await runBlock(quickStart(), ONE_CALL, {
        env: {
          OTEL_EXPORTER_OTLP_PROTOCOL: protocol,
          OTEL_EXPORTER_OTLP_ENDPOINT: protocol === 'grpc' ? receiver.grpcUrl : receiver.url,
        },
      });
      expect(out.code, out.stderr).toBe(0);
      expectPricedSpanAndMetrics(receiver, out);
      expect(receiver.arrivals.filter((a) => a.protocol !== protocol)).toEqual([]);
      expect(new Set(receiver.arrivals.map((a) => a.signal))).toEqual(new Set(['traces', 'metrics']));
    });
  });

  it('honours the per-signal protocol variables over the general one', async () => {
    const out = await runBlock(quickStart(), ONE_CALL, {
      env: {
        OTEL_EXPORTER_OTLP_ENDPOINT: receiver.url,
        OTEL_EXPORTER_OTLP_PROTOCOL: 'grpc',
        OTEL_EXPORTER_OTLP_TRACES_PROTOCOL: 'http/json',
        OTEL_EXPORTER_OTLP_METRICS_PROTOCOL: 'http/protobuf',
      },
    });
    expect(out.code, out.stderr).toBe(0);
    expectPricedSpanAndMetrics(receiver, out);
    expect(new Set(receiver.arrivals.map((a) => `${a.signal} ${a.protocol}`))).toEqual(
      new Set(['traces http/json', 'metrics http/protobuf']),
    );
  });

  it('prints spans with OTEL_TRACES_EXPORTER=console and metrics with OTEL_METRICS_EXPORTER=console', async () => {
    const out = await runBlock(quickStart(), ONE_CALL, {
      env: {
        OTEL_EXPORTER_OTLP_ENDPOINT: receiver.url,
        OTEL_TRACES_EXPORTER: 'console',
        OTEL_METRICS_EXPORTER: 'console',
      },
    });
    expect(out.code, out.stderr).toBe(0);
    expect(receiver.arrivals).toEqual([]);
    expect(out.stdout).toContain("name: 'chat gpt-4o'");
    const printed = new RegExp(`'${ATTR_COST_USD}': ([0-9.e-]+)`).exec(out.stdout);
    expect(Number(printed?.[1]), out.stdout).toBeCloseTo(oracleCost(), 12);
    expect(out.stdout).toContain("name: 'gen_ai.usage.cost'");
  });

  it('exports nothing with OTEL_TRACES_EXPORTER=none and OTEL_METRICS_EXPORTER=none, still exits cleanly', async () => {
    const out = await runBlock(quickStart(), ONE_CALL, {
      env: { OTEL_EXPORTER_OTLP_ENDPOINT: receiver.url, OTEL_TRACES_EXPORTER: 'none', OTEL_METRICS_EXPORTER: 'none' },
    });
    expect(out.code, out.stderr).toBe(0);
    expect(receiver.arrivals).toEqual([]);
  });

  it('sends traces only with OTEL_METRICS_EXPORTER=none', async () => {
    const out = await runBlock(quickStart(), ONE_CALL, {
      env: { OTEL_EXPORTER_OTLP_ENDPOINT: receiver.url, OTEL_METRICS_EXPORTER: 'none' },
    });
    expect(out.code, out.stderr).toBe(0);
    expect(receiver.spans().find((s) => s.name === 'chat gpt-4o')?.attributes[ATTR_COST_USD]).toBeCloseTo(
      oracleCost(),
      12,
    );
    expect(receiver.metricRequests).toEqual([]);
  });

  describe.each(['SIGINT', 'SIGTERM'] as const)('stopped with %s', (signal) => {
    it('exports what it buffered, then ends by that signal', async () => {
      const out = await runBlock(quickStart(), ONE_CALL_THEN_SERVE, {
        env: { OTEL_EXPORTER_OTLP_ENDPOINT: receiver.url },
        signal,
      });
      expect(out.signal, `code ${out.code}\n${out.stderr}`).toBe(signal);
      expectPricedSpanAndMetrics(receiver, out);
    });
  });

  it("leaves the exit to the app's own SIGTERM listener, after flushing", async () => {
    const ownListener = `process.once('SIGTERM', () => setTimeout(() => process.exit(3), 300));\n`;
    const out = await runBlock(quickStart(), ownListener + ONE_CALL_THEN_SERVE, {
      env: { OTEL_EXPORTER_OTLP_ENDPOINT: receiver.url },
      signal: 'SIGTERM',
    });
    expect(out.code, out.stderr).toBe(3);
    expectPricedSpanAndMetrics(receiver, out);
  });

  it('stays quiet on exit when the app shut the SDK down itself', async () => {
    const out = await runBlock(quickStart(), `${ONE_CALL}await sdk.shutdown();\n`, {
      env: { OTEL_EXPORTER_OTLP_ENDPOINT: receiver.url, OTEL_LOG_LEVEL: 'warn' },
    });
    expect(out.code, out.stderr).toBe(0);
    expectPricedSpanAndMetrics(receiver, out);
    // The exit hook has nothing left to flush: no SDK warning about flushing a shut-down provider.
    expect(out.stderr).not.toMatch(/after MeterProvider shutdown|force ?flush/i);
  });

  it('does not hang when the Collector refuses connections', async () => {
    const port = await freePort();
    const out = await runBlock(quickStart(), ONE_CALL, {
      env: { OTEL_EXPORTER_OTLP_ENDPOINT: `http://127.0.0.1:${port}` },
    });
    expect(out.code, out.stderr).toBe(0);
    expect(out.millis).toBeLessThan(20_000);
  });

  it('does not hang when the Collector accepts connections and never answers', async () => {
    const silent = await startSilentServer();
    try {
      const out = await runBlock(quickStart(), ONE_CALL, { env: { OTEL_EXPORTER_OTLP_ENDPOINT: silent.url } });
      expect(out.code, out.stderr).toBe(0);
      // flushOnExit gives up after 5 s; exporters alone would wait 10 s and more.
      expect(out.millis).toBeLessThan(9_000 + 10_000);
      expect(silent.connections()).toBeGreaterThan(0);
    } finally {
      await silent.close();
    }
  });

  describe('warnings raised while the helper builds its parts', () => {
    // One raised while the options are read (a bad alias), one by the first load of the price
    // sources (an overrides file that is not there).
    const warnings = ['OTEL_LLM_COST_ALIASES: ignored "not-an-alias"', 'could not load price overrides from'];
    it.each([
      ['unset', undefined, 1],
      ['warn', 'warn', 1],
      ['info', 'info', 1],
      ['error', 'error', 0],
    ] as const)('with OTEL_LOG_LEVEL %s (%s), each is printed %i time(s)', async (_label, level, times) => {
      const out = await runBlock(quickStart(), ONE_CALL, {
        env: {
          OTEL_EXPORTER_OTLP_ENDPOINT: receiver.url,
          OTEL_LLM_COST_ALIASES: 'not-an-alias',
          OTEL_LLM_COST_OVERRIDES_PATH: join(ROOT, 'no-such-overrides.json'),
          OTEL_LOG_LEVEL: level,
        },
      });
      expect(out.code, out.stderr).toBe(0);
      for (const warning of warnings) expect(out.stderr.split(warning).length - 1, out.stderr).toBe(times);
    });
  });
});

describe('the README "wiring it yourself" block', () => {
  it('registers its providers, prices the span and exports spans and cost metrics, as written', async () => {
    const out = await runBlock(markedBlock('wiring-yourself'), ONE_CALL, {
      env: { OTEL_EXPORTER_OTLP_ENDPOINT: receiver.url },
    });
    expect(out.code, out.stderr).toBe(0);
    // The block gives its TracerProvider no resource (sdk-trace reads no OTEL_SERVICE_NAME).
    expectPricedSpanAndMetrics(receiver, out, null);
  });
});

function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = createServer();
    server.on('error', reject);
    server.listen(0, '127.0.0.1', () => {
      const { port } = server.address() as { port: number };
      server.close(() => resolve(port));
    });
  });
}

/** A TCP server that accepts connections and never answers: a Collector that hangs. */
async function startSilentServer(): Promise<{ url: string; connections: () => number; close: () => Promise<void> }> {
  const sockets: Socket[] = [];
  let count = 0;
  const server: Server = createServer((socket) => {
    count++;
    sockets.push(socket);
    socket.on('error', () => {});
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as { port: number };
  return {
    url: `http://127.0.0.1:${port}`,
    connections: () => count,
    close: () =>
      new Promise<void>((resolve) => {
        for (const s of sockets) s.destroy();
        server.close(() => resolve());
      }),
  };
}

describe('llmCostNodeSDKOptions in process', () => {
  let sdk: NodeSDK | undefined;
  const savedEnv = { ...process.env };

  afterEach(async () => {
    await sdk?.shutdown();
    sdk = undefined;
    // NodeSDK does not unregister globals on shutdown: clear them for the next test.
    trace.disable();
    metrics.disable();
    context.disable();
    propagation.disable();
    diag.disable();
    process.env = { ...savedEnv };
  });

  it('prices through the processor and reports the same cost on the span and the metric', async () => {
    process.env.OTEL_EXPORTER_OTLP_ENDPOINT = receiver.url;
    sdk = new NodeSDK({
      serviceName: 'setup-test',
      ...llmCostNodeSDKOptions({
        processor: { priceBook: testPricer },
        metrics: { dimensions: ['app.feature'] },
        metricExportIntervalMillis: 100,
        flushOnExit: false,
      }),
    });
    sdk.start();
    const tracer = trace.getTracer('setup-test');
    tracer
      .startSpan('chat gpt-4o', {
        attributes: { ...LLM_ATTRIBUTES, 'gen_ai.usage.cache_read.input_tokens': 400, 'app.feature': 'search' },
      })
      .end();
    tracer
      .startSpan('chat mystery', { attributes: { ...LLM_ATTRIBUTES, 'gen_ai.request.model': 'mystery-model' } })
      .end();
    await receiver.waitFor((r) => metricNamed(r, 'gen_ai.cost.unpriced_calls').length > 0);
    await sdk.shutdown();
    sdk = undefined;

    // 600 uncached × $3/M + 400 read × $0.30/M + 200 out × $15/M
    const expected = 600 * 3e-6 + 400 * 0.3e-6 + 200 * 15e-6;
    const span = receiver.spans().find((s) => s.name === 'chat gpt-4o')!;
    expect(span.attributes[ATTR_COST_USD]).toBeCloseTo(expected, 12);
    expect(receiver.spans().find((s) => s.name === 'chat mystery')!.attributes[ATTR_COST_UNPRICED_REASON]).toBe(
      'unknown_model',
    );

    const cost = metricNamed(receiver, 'gen_ai.usage.cost').at(-1)!;
    expect(cost.unit).toBe('USD');
    expect(cost.resource['service.name']).toBe('setup-test');
    expect(cost.dataPoints).toHaveLength(1);
    expect(cost.dataPoints[0]!.sum).toBeCloseTo(expected, 12);
    expect(cost.dataPoints[0]!.explicitBounds?.[0]).toBe(0.00001);
    expect(cost.dataPoints[0]!.attributes).toEqual({
      'gen_ai.provider.name': 'openai',
      'gen_ai.request.model': 'gpt-4o',
      'gen_ai.operation.name': 'chat',
      'app.feature': 'search',
    });
    const savings = metricNamed(receiver, 'gen_ai.cost.cache_savings').at(-1)!;
    expect(savings.dataPoints[0]!.value).toBeCloseTo(400 * (3e-6 - 0.3e-6), 12);
    const unpriced = metricNamed(receiver, 'gen_ai.cost.unpriced_calls').at(-1)!;
    expect(unpriced.dataPoints[0]!.attributes['gen_ai.request.model']).toBe('mystery-model');
  });

  it('returns the cost processor before the export processor, and no reader when metrics are off', () => {
    const withMetrics = llmCostNodeSDKOptions({ flushOnExit: false });
    expect(withMetrics.spanProcessors.map((p) => p.constructor.name)).toEqual([
      'CostSpanProcessor',
      'BatchSpanProcessor',
    ]);
    expect(withMetrics.metricReaders?.map((r) => r.constructor.name)).toEqual(['PeriodicExportingMetricReader']);
    const off = llmCostNodeSDKOptions({ metrics: false, flushOnExit: false });
    expect(off).not.toHaveProperty('metricReaders');
    expect(off.spanProcessors).toHaveLength(2);
    void Promise.all([...withMetrics.spanProcessors, ...off.spanProcessors].map((p) => p.shutdown()));
    void Promise.all(withMetrics.metricReaders!.map((r) => r.shutdown()));
  });

  it('warns about an unsupported protocol or exporter name and falls back as NodeSDK does', async () => {
    const warnings: string[] = [];
    diag.setLogger(
      { error() {}, warn: (m: string) => void warnings.push(m), info() {}, debug() {}, verbose() {} },
      DiagLogLevel.WARN,
    );
    process.env.OTEL_EXPORTER_OTLP_TRACES_PROTOCOL = 'http/xml';
    process.env.OTEL_TRACES_EXPORTER = 'otlp,zipkin';
    process.env.OTEL_METRICS_EXPORTER = 'prometheus';
    const { spanProcessors, metricReaders } = llmCostNodeSDKOptions({ flushOnExit: false });
    expect(warnings.filter((w) => w.includes('"http/xml"'))).toHaveLength(1);
    expect(warnings.filter((w) => w.includes('"zipkin"'))).toHaveLength(1);
    // otlp (over the fallback http/protobuf) is still built; zipkin is not.
    expect(spanProcessors.map((p) => p.constructor.name)).toEqual(['CostSpanProcessor', 'BatchSpanProcessor']);
    // prometheus: no reader here, NodeSDK builds its own from the same variable.
    expect(metricReaders).toBeUndefined();
    await Promise.all(spanProcessors.map((p) => p.shutdown()));
  });

  it('corrects an invalid export interval with a warning', async () => {
    const warnings: string[] = [];
    const logger: DiagLogger = {
      error() {},
      warn: (m: string) => void warnings.push(m),
      info() {},
      debug() {},
      verbose() {},
    };
    diag.setLogger(logger, DiagLogLevel.WARN);
    const { spanProcessors, metricReaders } = llmCostNodeSDKOptions({
      metricExportIntervalMillis: -5,
      flushOnExit: false,
    });
    expect(warnings.some((w) => w.includes('metricExportIntervalMillis'))).toBe(true);
    await Promise.all([...spanProcessors.map((p) => p.shutdown()), ...metricReaders!.map((r) => r.shutdown())]);
  });
});
