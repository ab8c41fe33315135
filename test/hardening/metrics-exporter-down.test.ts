import { createServer, type Server, type Socket } from 'node:net';
import type { AddressInfo } from 'node:net';
import { OTLPMetricExporter } from '@opentelemetry/exporter-metrics-otlp-http';
import { MeterProvider, PeriodicExportingMetricReader } from '@opentelemetry/sdk-metrics';
import { BasicTracerProvider, InMemorySpanExporter, SimpleSpanProcessor } from '@opentelemetry/sdk-trace-base';
import { describe, expect, it } from 'vitest';
import { CostMetrics } from '../../src/metrics/cost-metrics.js';
import { PriceBook } from '../../src/pricing/price-book.js';
import { PriceTable } from '../../src/pricing/price-table.js';
import { CostSpanProcessor } from '../../src/processor/cost-span-processor.js';

/**
 * The metrics pipeline being down (nothing listening, or a Collector that accepts and hangs)
 * never reaches the app's span path: `span.end()` does not throw and does not wait for an export.
 */

const EXPORT_TIMEOUT_MS = 3_000;
const SPANS = 2_000;

const book = new PriceBook({
  table: new PriceTable([{ key: 'm', rates: { input: 1e-6, output: 2e-6 }, source: 'test@1' }], 'test@1'),
  embedded: false,
});

async function closedPort(): Promise<number> {
  const s = createServer();
  await new Promise<void>(r => s.listen(0, '127.0.0.1', r));
  const port = (s.address() as AddressInfo).port;
  await new Promise<void>(r => s.close(() => r()));
  return port;
}

/** A TCP server that accepts every connection and never answers (a hung Collector). */
async function hangingServer(): Promise<{ port: number; connections: () => number; close: () => Promise<void> }> {
  const sockets = new Set<Socket>();
  let count = 0;
  const s: Server = createServer(sock => {
    count++;
    sockets.add(sock);
    sock.on('close', () => sockets.delete(sock));
    sock.on('error', () => undefined);
  });
  await new Promise<void>(r => s.listen(0, '127.0.0.1', r));
  return {
    port: (s.address() as AddressInfo).port,
    connections: () => count,
    close: async () => {
      for (const sock of sockets) sock.destroy();
      await new Promise<void>(r => s.close(() => r()));
    },
  };
}

async function runSpans(port: number): Promise<{ totalEndMs: number; maxEndMs: number; wallMs: number; priced: number }> {
  const meterProvider = new MeterProvider({
    readers: [
      new PeriodicExportingMetricReader({
        exporter: new OTLPMetricExporter({ url: `http://127.0.0.1:${port}/v1/metrics`, timeoutMillis: EXPORT_TIMEOUT_MS }),
        // The reader needs interval >= timeout; the HTTP exporter's own timeout stays long.
        exportIntervalMillis: 150,
        exportTimeoutMillis: 150,
      }),
    ],
  });
  const exporter = new InMemorySpanExporter();
  const tracerProvider = new BasicTracerProvider({
    spanProcessors: [
      new CostSpanProcessor({ priceBook: book, recorder: new CostMetrics({ meterProvider }) }),
      new SimpleSpanProcessor(exporter),
    ],
  });
  const tracer = tracerProvider.getTracer('app');
  let totalEndMs = 0;
  let maxEndMs = 0;
  const wall0 = performance.now();
  for (let i = 0; i < SPANS; i++) {
    const span = tracer.startSpan('chat', {
      attributes: { 'gen_ai.request.model': 'm', 'gen_ai.usage.input_tokens': 100 + i, 'gen_ai.usage.output_tokens': 10, 'gen_ai.operation.name': 'chat' },
    });
    const t0 = performance.now();
    span.end();
    const ms = performance.now() - t0;
    totalEndMs += ms;
    maxEndMs = Math.max(maxEndMs, ms);
    // Yield now and then, so the periodic reader's exports run (and fail or hang) in between.
    if (i % 100 === 99) await new Promise(r => setTimeout(r, 30));
    // And ask for an export explicitly, without waiting for it, as an app's flush would.
    if (i % 500 === 0) void meterProvider.forceFlush().catch(() => undefined);
  }
  const wallMs = performance.now() - wall0;
  const priced = exporter.getFinishedSpans().filter(s => s.attributes['gen_ai.usage.cost_usd'] !== undefined).length;
  // Shutdown would wait for the hung export: do not let the test wait on it either.
  void meterProvider.shutdown().catch(() => undefined);
  await tracerProvider.shutdown();
  return { totalEndMs, maxEndMs, wallMs, priced };
}

describe('a metrics exporter or Collector that is down never slows or breaks span.end()', () => {
  it('nothing listening on the OTLP port', async () => {
    const r = await runSpans(await closedPort());
    expect(r.priced).toBe(SPANS);
    // 2000 spans of span-path work in far less than one export timeout.
    expect(r.totalEndMs).toBeLessThan(EXPORT_TIMEOUT_MS / 3);
    expect(r.maxEndMs).toBeLessThan(EXPORT_TIMEOUT_MS / 10);
  });

  it('a Collector that accepts connections and never answers', async () => {
    const server = await hangingServer();
    try {
      const r = await runSpans(server.port);
      expect(r.priced).toBe(SPANS);
      // Exports really were attempted, and hung, while the spans ended.
      expect(server.connections()).toBeGreaterThan(0);
      expect(r.totalEndMs).toBeLessThan(EXPORT_TIMEOUT_MS / 3);
      expect(r.maxEndMs).toBeLessThan(EXPORT_TIMEOUT_MS / 10);
      // The whole run (with its pauses) finished before the first hung export could even time out.
      expect(r.wallMs).toBeLessThan(EXPORT_TIMEOUT_MS);
    } finally {
      await server.close();
    }
  });
});
