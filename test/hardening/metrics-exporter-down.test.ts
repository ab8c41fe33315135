import { createServer, type Server, type Socket } from 'node:net';
import type { AddressInfo } from 'node:net';
import { OTLPMetricExporter } from '@opentelemetry/exporter-metrics-otlp-http';
import type { ExportResult } from '@opentelemetry/core';
import {
  MeterProvider,
  PeriodicExportingMetricReader,
  type AggregationTemporality,
  type InstrumentType,
  type PushMetricExporter,
  type ResourceMetrics,
} from '@opentelemetry/sdk-metrics';
import { BasicTracerProvider, InMemorySpanExporter, SimpleSpanProcessor } from '@opentelemetry/sdk-trace-base';
import { describe, expect, it } from 'vitest';
import { CostMetrics } from '../../src/metrics/cost-metrics.js';
import { PriceBook } from '../../src/pricing/price-book.js';
import { PriceTable } from '../../src/pricing/price-table.js';
import { CostSpanProcessor } from '../../src/processor/cost-span-processor.js';

/**
 * The metrics pipeline being down (nothing listening, or a Collector that accepts and hangs)
 * never reaches the app's span path: `span.end()` does not throw and does not wait for an export.
 *
 * Proved by causality, not by wall-clock limits (which flake on a loaded machine): the exporter
 * is wrapped to count the exports that start while a `span.end()` is running (must be none: no
 * export work on the span path) and the exports still in flight when the last span has ended
 * (with a Collector that never answers, at least one: the spans ended while an export hung).
 * The export timeout is longer than the test's own timeout, so a hung export cannot have
 * finished by timing out before the loop ends.
 */

const EXPORT_TIMEOUT_MS = 120_000;
const SPANS = 2_000;

/** Delegates to the OTLP exporter, counting what the assertions need. */
class CountingExporter implements PushMetricExporter {
  started = 0;
  startedInsideSpanEnd = 0;
  inFlight = 0;
  insideSpanEnd = false;
  constructor(private readonly _inner: OTLPMetricExporter) {}
  export(metrics: ResourceMetrics, done: (result: ExportResult) => void): void {
    this.started++;
    if (this.insideSpanEnd) this.startedInsideSpanEnd++;
    this.inFlight++;
    this._inner.export(metrics, (result) => {
      this.inFlight--;
      done(result);
    });
  }
  selectAggregationTemporality(kind: InstrumentType): AggregationTemporality {
    return this._inner.selectAggregationTemporality(kind);
  }
  forceFlush(): Promise<void> {
    return this._inner.forceFlush();
  }
  shutdown(): Promise<void> {
    return this._inner.shutdown();
  }
}

const book = new PriceBook({
  table: new PriceTable([{ key: 'm', rates: { input: 1e-6, output: 2e-6 }, source: 'test@1' }], 'test@1'),
  embedded: false,
});

async function closedPort(): Promise<number> {
  const s = createServer();
  await new Promise<void>((r) => s.listen(0, '127.0.0.1', r));
  const port = (s.address() as AddressInfo).port;
  await new Promise<void>((r) => s.close(() => r()));
  return port;
}

/** A TCP server that accepts every connection and never answers (a hung Collector). */
async function hangingServer(): Promise<{ port: number; connections: () => number; close: () => Promise<void> }> {
  const sockets = new Set<Socket>();
  let count = 0;
  const s: Server = createServer((sock) => {
    count++;
    sockets.add(sock);
    sock.on('close', () => sockets.delete(sock));
    sock.on('error', () => undefined);
  });
  await new Promise<void>((r) => s.listen(0, '127.0.0.1', r));
  return {
    port: (s.address() as AddressInfo).port,
    connections: () => count,
    close: async () => {
      for (const sock of sockets) sock.destroy();
      await new Promise<void>((r) => s.close(() => r()));
    },
  };
}

async function runSpans(
  port: number,
): Promise<{ exports: number; exportsInsideSpanEnd: number; inFlightAtEnd: number; priced: number }> {
  const exporter = new CountingExporter(
    new OTLPMetricExporter({ url: `http://127.0.0.1:${port}/v1/metrics`, timeoutMillis: EXPORT_TIMEOUT_MS }),
  );
  const meterProvider = new MeterProvider({
    readers: [
      new PeriodicExportingMetricReader({
        exporter,
        // The reader needs interval >= timeout; the HTTP exporter's own timeout stays long.
        exportIntervalMillis: 150,
        exportTimeoutMillis: 150,
      }),
    ],
  });
  const spanExporter = new InMemorySpanExporter();
  const tracerProvider = new BasicTracerProvider({
    spanProcessors: [
      new CostSpanProcessor({ priceBook: book, recorder: new CostMetrics({ meterProvider }) }),
      new SimpleSpanProcessor(spanExporter),
    ],
  });
  const tracer = tracerProvider.getTracer('app');
  for (let i = 0; i < SPANS; i++) {
    const span = tracer.startSpan('chat', {
      attributes: {
        'gen_ai.request.model': 'm',
        'gen_ai.usage.input_tokens': 100 + i,
        'gen_ai.usage.output_tokens': 10,
        'gen_ai.operation.name': 'chat',
      },
    });
    exporter.insideSpanEnd = true;
    span.end();
    exporter.insideSpanEnd = false;
    // Yield now and then, so the periodic reader's exports run (and fail or hang) in between.
    if (i % 100 === 99) await new Promise((r) => setTimeout(r, 30));
    // And ask for an export explicitly, without waiting for it, as an app's flush would.
    if (i % 500 === 0) void meterProvider.forceFlush().catch(() => undefined);
  }
  const inFlightAtEnd = exporter.inFlight;
  const priced = spanExporter
    .getFinishedSpans()
    .filter((s) => s.attributes['gen_ai.usage.cost_usd'] !== undefined).length;
  // Shutdown would wait for the hung export: do not let the test wait on it either.
  void meterProvider.shutdown().catch(() => undefined);
  await tracerProvider.shutdown();
  return { exports: exporter.started, exportsInsideSpanEnd: exporter.startedInsideSpanEnd, inFlightAtEnd, priced };
}

describe('a metrics exporter or Collector that is down never slows or breaks span.end()', () => {
  it('nothing listening on the OTLP port', async () => {
    const r = await runSpans(await closedPort());
    expect(r.priced).toBe(SPANS);
    // Exports were attempted (and failed) while the spans ended, never from inside span.end().
    expect(r.exports).toBeGreaterThan(0);
    expect(r.exportsInsideSpanEnd).toBe(0);
  });

  it('a Collector that accepts connections and never answers', async () => {
    const server = await hangingServer();
    try {
      const r = await runSpans(server.port);
      expect(r.priced).toBe(SPANS);
      // Exports really were attempted, and hung, while the spans ended.
      expect(server.connections()).toBeGreaterThan(0);
      expect(r.exportsInsideSpanEnd).toBe(0);
      // The last span ended while an export was still hanging: span.end() did not wait for it.
      expect(r.inFlightAtEnd).toBeGreaterThan(0);
    } finally {
      await server.close();
    }
  });
});
