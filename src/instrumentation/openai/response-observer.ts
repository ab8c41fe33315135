import type { Attributes } from '@opentelemetry/api';
import { usageAttributes } from './usage-attributes.js';

/** What one call's response told us: the usage attributes and the model that answered. */
export interface ObservedResponse {
  usage: Attributes;
  model?: string;
}

/**
 * Reads a parsed, non-streamed response (Chat Completion or Response object): its `usage` and
 * `model`, nothing else.
 */
export function observeBody(body: unknown): ObservedResponse {
  if (body === null || typeof body !== 'object') return { usage: {} };
  const b = body as Record<string, unknown>;
  const observed: ObservedResponse = { usage: usageAttributes(b.usage) };
  if (typeof b.model === 'string' && b.model !== '') observed.model = b.model;
  return observed;
}

/**
 * Reads one streamed event; returns what it carries, or `undefined` when it carries nothing of
 * interest. Chat Completions chunks carry `model` on every chunk and `usage` only on the last
 * one, and only when the request set `stream_options.include_usage`. Responses API events carry
 * the response (with its `model`) on `response.created` and the usage on the terminal event
 * (`response.completed`, `response.incomplete` or `response.failed`).
 */
export function observeEvent(event: unknown): ObservedResponse | undefined {
  if (event === null || typeof event !== 'object') return undefined;
  const e = event as Record<string, unknown>;
  if (typeof e.type === 'string') {
    if (!e.type.startsWith('response.') || e.response === null || typeof e.response !== 'object') return undefined;
    return observeBody(e.response);
  }
  if (e.usage !== undefined && e.usage !== null) return observeBody(e);
  return typeof e.model === 'string' && e.model !== '' ? { usage: {}, model: e.model } : undefined;
}

/** Called for every event before the consumer sees it, then once when the stream is over. */
export interface StreamObserver {
  onEvent(observed: ObservedResponse): void;
  /** `error` is what the stream threw; `undefined` when it finished or the consumer stopped early. */
  onEnd(error: unknown): void;
}

/**
 * Wraps a stream's event iterator: every event is looked at (usage written) before it is handed
 * on, so an instrumentation that consumes the stream after us, and ends its span after the last
 * event, finds the usage already on its span.
 */
export async function* observeStream<T>(source: AsyncIterator<T>, observer: StreamObserver): AsyncGenerator<T> {
  let error: unknown;
  try {
    for await (const event of { [Symbol.asyncIterator]: () => source }) {
      const observed = safeObserveEvent(event);
      if (observed !== undefined) observer.onEvent(observed);
      yield event;
    }
  } catch (err) {
    error = err;
    throw err;
  } finally {
    observer.onEnd(error);
  }
}

function safeObserveEvent(event: unknown): ObservedResponse | undefined {
  try {
    return observeEvent(event);
  } catch {
    return undefined; // a hostile getter on an event must not break the app's stream
  }
}
