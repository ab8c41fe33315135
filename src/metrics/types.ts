import type { MeterProvider } from '@opentelemetry/api';

export interface CostMetricsOptions {
  /**
   * The MeterProvider to record on.
   * Default: the global one (`metrics.getMeterProvider()`), looked up again on every record, so
   * a recorder built before the SDK registers its provider (e.g. before `NodeSDK.start()`)
   * still records once it is registered. A meter taken from the global API too early would stay
   * a no-op forever.
   */
  meterProvider?: MeterProvider;
  /**
   * Span attribute keys copied onto every metric as extra dimensions, e.g.
   * `['enduser.id', 'app.feature']`. Only string, number and boolean values are copied; a span
   * without the attribute records without it. Each key is capped by `cardinalityLimit`.
   * Default: `[]` (provider, model and operation only).
   */
  dimensions?: string[];
  /**
   * Maximum distinct values per metric attribute (model, provider, operation and each extra
   * dimension). Further values are recorded as `_other` and a warning is logged once per key.
   * Default: `100`.
   */
  cardinalityLimit?: number;
  /**
   * Explicit bucket boundaries of the `gen_ai.usage.cost` histogram, in USD, strictly ascending.
   * Passed as instrument advice, so a View configured by the app still wins.
   * Default: `COST_BUCKETS_USD` ($0.00001 … $10).
   */
  costBucketBoundaries?: number[];
}
