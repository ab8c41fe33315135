import type { Attributes, HrTime } from '@opentelemetry/api';
import { nonNegative } from './read-attribute.js';

/** Events that mark the first chunk (Vercel AI SDK). */
const FIRST_CHUNK_EVENTS: ReadonlySet<string> = new Set(['ai.stream.firstChunk']);

/** A first chunk later than this after the request started is not believed. */
const MAX_TTFT_SECONDS = 3600;

export interface TimedEventView {
  readonly name: string;
  readonly time: HrTime;
}

export interface TimeToFirstChunk {
  seconds: number;
  /** The span already carries `gen_ai.response.time_to_first_chunk`: do not write it again. */
  alreadySet: boolean;
}

/**
 * Time to first chunk from what the span recorded: the semconv attribute, Vercel's millisecond
 * attributes, Vercel's first-chunk event, or a time recorded with `markFirstChunk`.
 */
export function readTimeToFirstChunk(
  attributes: Attributes,
  events: readonly TimedEventView[],
  startTime: HrTime,
  markedTime?: HrTime,
): TimeToFirstChunk | undefined {
  // Each key is read by its literal name, not from a key list through `readNonNegative`: a read
  // by a variable key costs ~30 ns on a span's attribute object, a literal one a few, and a chat
  // span has none of these keys (BENCHMARKS.md).
  // The semconv attribute, in seconds.
  const seconds = nonNegative(attributes['gen_ai.response.time_to_first_chunk'], MAX_TTFT_SECONDS);
  if (seconds !== undefined) return { seconds, alreadySet: true };

  // AI SDK 7 (`@ai-sdk/otel`), in seconds, on streamed `chat …` spans: named after the semconv
  // metric, not the span attribute, so the processor still writes the semconv attribute.
  const other = nonNegative(attributes['gen_ai.client.operation.time_to_first_chunk'], MAX_TTFT_SECONDS);
  if (other !== undefined) return { seconds: other, alreadySet: false };

  // Vercel AI SDK, in milliseconds: `ai.response.msToFirstChunk` on `doStream` spans of
  // `streamText`, `ai.stream.msToFirstChunk` on those of `streamObject`; the first present decides.
  const responseMs = attributes['ai.response.msToFirstChunk'];
  const ms = nonNegative(
    responseMs === undefined || responseMs === null ? attributes['ai.stream.msToFirstChunk'] : responseMs,
    MAX_TTFT_SECONDS * 1000,
  );
  if (ms !== undefined) return { seconds: ms / 1000, alreadySet: false };

  for (let i = 0; i < events.length; i++) {
    const event = events[i] as TimedEventView;
    if (FIRST_CHUNK_EVENTS.has(event.name)) return fromTimes(startTime, event.time);
  }
  return markedTime !== undefined ? fromTimes(startTime, markedTime) : undefined;
}

function fromTimes(start: HrTime, at: HrTime): TimeToFirstChunk | undefined {
  const seconds = hrTimeDiffSeconds(start, at);
  return seconds >= 0 && seconds <= MAX_TTFT_SECONDS ? { seconds, alreadySet: false } : undefined;
}

/** `to - from` in seconds. */
export function hrTimeDiffSeconds(from: HrTime, to: HrTime): number {
  return to[0] - from[0] + (to[1] - from[1]) / 1e9;
}
