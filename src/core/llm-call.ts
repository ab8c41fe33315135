import type { Attributes } from '@opentelemetry/api';
import type { CallCost } from '../pricing/call-cost.js';
import type { NormalizedUsage } from '../pricing/types.js';

/**
 * What the processor learned about one inference call, handed to the metrics recorder
 * after the span has been annotated. Built once per priced-or-unpriced inference span.
 */
export interface LlmCall {
  /** Normalized usage (semconv meaning: input includes cache, output includes reasoning). */
  usage: NormalizedUsage;
  /**
   * What the call cost: priced from a table (`kind: 'priced'`, with the key and match), the
   * provider's billed cost read from the span (`kind: 'reported'`, with the attribute it came
   * from), or not priced (`kind: 'unpriced'`, with the reason).
   */
  result: CallCost;
  /** `gen_ai.operation.name` when present (e.g. `chat`, `text_completion`, `embeddings`). */
  operation?: string;
  /** Seconds from request start to first chunk, for streaming calls when known. */
  ttftSeconds?: number;
  /** Seconds, from the span's own start and end time. */
  durationSeconds: number;
  /**
   * The instrumentation never records cache reads and the model has a cache-read price: the
   * cost assumes nothing was cached (an upper bound). Absent otherwise.
   */
  cacheDetailUnreported?: boolean;
  /** The span's attributes (read-only), for opt-in metric dimensions. */
  attributes: Attributes;
}

/** Receives every inference call the processor has seen. Must not throw (it is called on the span path). */
export interface LlmCallRecorder {
  record(call: LlmCall): void;
  /**
   * Told how many of the processor's attributes the SDK dropped from one span because it was at
   * its attribute count limit. Optional; must not throw.
   */
  recordDroppedAttributes?(count: number): void;
  /**
   * Span attribute keys this recorder groups by. The processor fills them in on the LLM span from
   * its ancestors or baggage before calling `record` (see `CostSpanProcessorOptions.dimensions`).
   */
  readonly dimensions?: readonly string[];
}
