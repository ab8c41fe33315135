/**
 * What a provider module needs to answer one request: the parsed body, the resolved usage and
 * model, and helpers that write JSON or Server-Sent Events. node:http only.
 */
import type { ServerResponse } from 'node:http';
import type { MockUsage } from './usage.js';

export interface MockCall {
  /** The parsed JSON request body. */
  body: Record<string, unknown>;
  /** Model to report in the response (the requested one, or its configured dated variant). */
  responseModel: string;
  usage: MockUsage;
  /** Service tier named by the directive, if any. */
  serviceTier: string | undefined;
  /** Reply text split into the chunks a stream sends (their concatenation is the full text). */
  chunks: string[];
  firstChunkDelayMs: number;
  chunkDelayMs: number;
  /** Unique per server, for ids such as `chatcmpl-mock-3`. */
  seq: number;
  /** Unix seconds at request time. */
  created: number;
}

export const sleep = (ms: number): Promise<void> =>
  ms > 0 ? new Promise((resolve) => setTimeout(resolve, ms)) : Promise.resolve();

export function sendJson(
  res: ServerResponse,
  status: number,
  payload: unknown,
  headers: Record<string, string> = {},
): void {
  const text = JSON.stringify(payload);
  res.writeHead(status, {
    'content-type': 'application/json',
    'content-length': Buffer.byteLength(text).toString(),
    ...headers,
  });
  res.end(text);
}

/** An open SSE response. `send` resolves false once the client has gone away. */
export interface SseWriter {
  send(data: unknown, event?: string): boolean;
  /** Raw `data:` line, e.g. OpenAI's `[DONE]`. */
  sendRaw(data: string): boolean;
  end(): void;
}

export function openSse(res: ServerResponse, headers: Record<string, string> = {}): SseWriter {
  res.writeHead(200, {
    'content-type': 'text/event-stream; charset=utf-8',
    'cache-control': 'no-cache',
    connection: 'keep-alive',
    ...headers,
  });
  // Headers go out now, so the client's "response received" time precedes the first chunk and
  // time-to-first-chunk is measurable.
  res.flushHeaders();
  const alive = (): boolean => !res.destroyed && !res.writableEnded;
  return {
    send(data, event) {
      if (!alive()) return false;
      res.write(`${event ? `event: ${event}\n` : ''}data: ${JSON.stringify(data)}\n\n`);
      return true;
    },
    sendRaw(data) {
      if (!alive()) return false;
      res.write(`data: ${data}\n\n`);
      return true;
    },
    end() {
      if (alive()) res.end();
    },
  };
}
