import type { HrTime, Span, TimeInput } from '@opentelemetry/api';
import { hrTime, millisToHrTime, timeInputToHrTime } from '@opentelemetry/core';

/**
 * First-chunk times recorded by manual instrumentation, keyed by the span object. A WeakMap:
 * nothing is written on the span, nothing outlives it.
 */
const firstChunkTimes = new WeakMap<object, HrTime>();
/**
 * Whether any time was ever recorded: until then the processor's lookup per span is skipped (a
 * WeakMap lookup on every LLM span for a helper most apps never call).
 */
let anyMarked = false;

/**
 * Records that the first chunk of a streamed response arrived, for manual instrumentation.
 * The `CostSpanProcessor` (or `CostSpanExporter`) turns it into
 * `gen_ai.response.time_to_first_chunk` in seconds from the span's start. Only the first call
 * per span counts; a call on a non-recording span does nothing.
 *
 * @param span the span of the LLM call (as returned by `tracer.startSpan`)
 * @param time when the chunk arrived; default: now
 */
export function markFirstChunk(span: Span, time?: TimeInput): void {
  try {
    if (firstChunkTimes.has(span) || !span.isRecording()) return;
    firstChunkTimes.set(span, time === undefined ? hrTime() : toHrTime(time));
    anyMarked = true;
  } catch {
    // A helper called on the hot path of a stream must never throw into user code.
  }
}

/** The time recorded by {@link markFirstChunk}, if any. */
export function markedFirstChunk(span: object): HrTime | undefined {
  return anyMarked ? firstChunkTimes.get(span) : undefined;
}

function toHrTime(time: TimeInput): HrTime {
  // Numbers are epoch milliseconds here (the SDK's performance-timestamp case is ambiguous).
  return typeof time === 'number' ? millisToHrTime(time) : timeInputToHrTime(time);
}
