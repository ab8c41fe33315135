import type { Attributes, HrTime } from '@opentelemetry/api';
import { readNonNegative } from './read-attribute.js';

/** The semconv attribute, in seconds. */
const SECONDS_KEYS = ['gen_ai.response.time_to_first_chunk'] as const;

/**
 * AI SDK 7 (`@ai-sdk/otel`), in seconds, on streamed `chat …` spans: named after the semconv
 * metric, not the span attribute, so the processor still writes the semconv attribute.
 */
const OTHER_SECONDS_KEYS = ['gen_ai.client.operation.time_to_first_chunk'] as const;

/**
 * Vercel AI SDK, in milliseconds: `ai.response.msToFirstChunk` on `doStream` spans of
 * `streamText`, `ai.stream.msToFirstChunk` on those of `streamObject`.
 */
const MILLISECOND_KEYS = ['ai.response.msToFirstChunk', 'ai.stream.msToFirstChunk'] as const;

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
  const seconds = readNonNegative(attributes, SECONDS_KEYS, MAX_TTFT_SECONDS);
  if (seconds !== undefined) return { seconds, alreadySet: true };

  const other = readNonNegative(attributes, OTHER_SECONDS_KEYS, MAX_TTFT_SECONDS);
  if (other !== undefined) return { seconds: other, alreadySet: false };

  const ms = readNonNegative(attributes, MILLISECOND_KEYS, MAX_TTFT_SECONDS * 1000);
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
