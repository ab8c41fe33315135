import type { Counter, Histogram } from '@opentelemetry/api';
import { warn } from '../diag.js';
import { ExportResultCode, type ExportResult } from '@opentelemetry/core';
import { JsonMetricsSerializer, ProtobufMetricsSerializer } from '@opentelemetry/otlp-transformer';
import { resourceFromAttributes } from '@opentelemetry/resources';
import {
  AggregationTemporality,
  MeterProvider,
  PeriodicExportingMetricReader,
  type PushMetricExporter,
  type ResourceMetrics,
} from '@opentelemetry/sdk-metrics';
import { CostMetrics } from '../metrics/cost-metrics.js';
import type { LlmCallRecorder } from '../core/llm-call.js';
import type { ExportQueue } from './export-queue.js';

/** `service.name` of the gateway's own metrics. */
export const GATEWAY_SERVICE_NAME = 'llm-cost-gateway';
/** Metrics of services beyond `maxServices` are recorded under this `service.name`. */
export const OTHER_SERVICES = '_other';

/**
 * Hands collected metrics to the gateway's own queue, so they reach the upstream the same way
 * (and with the same protocol) as the spans.
 */
class QueueMetricExporter implements PushMetricExporter {
  constructor(
    private readonly _queue: ExportQueue,
    private readonly _encoding: 'protobuf' | 'json',
  ) {}

  export(metrics: ResourceMetrics, resultCallback: (result: ExportResult) => void): void {
    const serializer = this._encoding === 'json' ? JsonMetricsSerializer : ProtobufMetricsSerializer;
    const body = serializer.serializeRequest(metrics as never);
    const accepted = body !== undefined && this._queue.hasRoom();
    if (accepted)
      this._queue.push({ signal: 'metrics', encoding: this._encoding, body, spans: 0, acceptedAt: Date.now() });
    resultCallback(
      accepted ? { code: ExportResultCode.SUCCESS } : { code: ExportResultCode.FAILED, error: new Error('queue full') },
    );
  }

  selectAggregationTemporality(): AggregationTemporality {
    return AggregationTemporality.CUMULATIVE;
  }

  forceFlush(): Promise<void> {
    return Promise.resolve();
  }

  shutdown(): Promise<void> {
    return Promise.resolve();
  }
}

export interface GatewayMetricsOptions {
  queue: ExportQueue;
  encoding: 'protobuf' | 'json';
  exportIntervalMs: number;
  /** Distinct originating services that get their own metrics resource. */
  maxServices: number;
  /** Extra attributes of the gateway's own resource (e.g. `service.instance.id`). */
  resource?: Record<string, string>;
}

/**
 * The gateway's metrics: the cost metrics of `CostMetrics`, one MeterProvider per originating
 * `service.name` (so they land under the same service as the app's own telemetry, as if the app
 * had run the processor), and the gateway's own counters under `llm-cost-gateway`.
 */
export class GatewayMetrics {
  private readonly _providers: MeterProvider[] = [];
  private readonly _recorders = new Map<string, LlmCallRecorder>();
  private _overflowWarned = false;
  readonly received: Counter;
  readonly forwarded: Counter;
  readonly dropped: Counter;
  readonly refused: Counter;
  readonly upstreamErrors: Counter;
  readonly enrichDuration: Histogram;

  constructor(private readonly _options: GatewayMetricsOptions) {
    const own = this._provider({ 'service.name': GATEWAY_SERVICE_NAME, ...(_options.resource ?? {}) });
    const meter = own.getMeter('otel-llm-cost/gateway');
    this.received = meter.createCounter('llm_cost.gateway.spans.received', {
      description: 'Spans accepted (queued)',
      unit: '{span}',
    });
    this.forwarded = meter.createCounter('llm_cost.gateway.spans.forwarded', {
      description: 'Spans the upstream took',
      unit: '{span}',
    });
    this.dropped = meter.createCounter('llm_cost.gateway.spans.dropped', {
      description: 'Accepted spans given up (by reason)',
      unit: '{span}',
    });
    this.refused = meter.createCounter('llm_cost.gateway.requests.refused', {
      description: 'Requests refused (queue full, invalid, unauthorized, shutting down), by reason',
      unit: '{request}',
    });
    this.upstreamErrors = meter.createCounter('llm_cost.gateway.upstream.errors', {
      description: 'Failed sends to the upstream',
      unit: '{request}',
    });
    this.enrichDuration = meter.createHistogram('llm_cost.gateway.enrich.duration', {
      description: 'Time to decode, enrich and re-encode one trace request',
      unit: 's',
    });
    const queue = _options.queue;
    meter
      .createObservableGauge('llm_cost.gateway.queue.spans', {
        description: 'Spans accepted and not yet forwarded',
        unit: '{span}',
      })
      .addCallback((result) => result.observe(queue.spans));
    meter
      .createObservableGauge('llm_cost.gateway.queue.capacity', { description: 'The queue bound', unit: '{span}' })
      .addCallback((result) => result.observe(queue.maxSpans));
  }

  /** The cost recorder of one originating service. */
  recorderFor(serviceName: string): LlmCallRecorder {
    let recorder = this._recorders.get(serviceName);
    if (recorder !== undefined) return recorder;
    if (this._recorders.size >= this._options.maxServices && serviceName !== OTHER_SERVICES) {
      if (!this._overflowWarned) {
        this._overflowWarned = true;
        warn(
          `llm-cost serve: more than ${this._options.maxServices} services; ` +
            `further ones are recorded as service.name=${OTHER_SERVICES}`,
        );
      }
      return this.recorderFor(OTHER_SERVICES);
    }
    recorder = new CostMetrics({ meterProvider: this._provider({ 'service.name': serviceName }) });
    this._recorders.set(serviceName, recorder);
    return recorder;
  }

  /** Collects every provider once more (into the queue) and stops them. */
  async shutdown(): Promise<void> {
    await Promise.all(this._providers.map((p) => p.shutdown().catch(() => undefined)));
  }

  private _provider(attributes: Record<string, string>): MeterProvider {
    const provider = new MeterProvider({
      resource: resourceFromAttributes(attributes),
      readers: [
        new PeriodicExportingMetricReader({
          exporter: new QueueMetricExporter(this._options.queue, this._options.encoding),
          exportIntervalMillis: this._options.exportIntervalMs,
          exportTimeoutMillis: Math.min(30_000, this._options.exportIntervalMs),
        }),
      ],
    });
    this._providers.push(provider);
    return provider;
  }
}
