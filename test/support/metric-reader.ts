/**
 * A pull `MetricReader` for tests (the test decides when to collect) and helpers that look up
 * what one collection holds, by metric name.
 */
import { expect } from 'vitest';
import {
  AggregationTemporality,
  DataPointType,
  MetricReader,
  type HistogramMetricData,
  type MetricData,
  type ResourceMetrics,
  type SumMetricData,
} from '@opentelemetry/sdk-metrics';

export interface TestReaderOptions {
  /** Temporality for every instrument kind; cumulative unless given. */
  temporality?: AggregationTemporality;
}

/** A pull reader: nothing is exported until the test calls `collectMetrics(reader)`. */
export class TestReader extends MetricReader {
  constructor({ temporality = AggregationTemporality.CUMULATIVE }: TestReaderOptions = {}) {
    super({ aggregationTemporalitySelector: () => temporality });
  }
  protected override async onForceFlush(): Promise<void> {}
  protected override async onShutdown(): Promise<void> {}
}

/** The metrics of one collection or export, by descriptor name. */
export function metricsByName(resourceMetrics: ResourceMetrics): Map<string, MetricData> {
  return new Map(resourceMetrics.scopeMetrics.flatMap((s) => s.metrics.map((m) => [m.descriptor.name, m] as const)));
}

/** Collects from `reader`, asserting the collection reported no errors. */
export async function collectMetrics(reader: MetricReader): Promise<Map<string, MetricData>> {
  const { resourceMetrics, errors } = await reader.collect();
  expect(errors).toEqual([]);
  return metricsByName(resourceMetrics);
}

/** The metric `name`, asserted present and a histogram. */
export function histogramMetric(all: Map<string, MetricData>, name: string): HistogramMetricData {
  const m = all.get(name);
  expect(m, `metric ${name}`).toBeDefined();
  expect(m!.dataPointType).toBe(DataPointType.HISTOGRAM);
  return m as HistogramMetricData;
}

/** The metric `name`, asserted present and a sum. */
export function sumMetric(all: Map<string, MetricData>, name: string): SumMetricData {
  const m = all.get(name);
  expect(m, `metric ${name}`).toBeDefined();
  expect(m!.dataPointType).toBe(DataPointType.SUM);
  return m as SumMetricData;
}
