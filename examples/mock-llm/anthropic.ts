/**
 * Anthropic Messages wire format (`POST /v1/messages`), plain JSON and streamed (SSE with
 * `event:`/`data:` pairs: message_start, content_block_start, ping, content_block_delta…,
 * content_block_stop, message_delta, message_stop).
 *
 * Usage: Anthropic's raw `input_tokens` EXCLUDES cache reads and writes, so the semconv totals of
 * the directive are split: input_tokens = input − cached − cacheWrite. The cache write is broken
 * down by TTL in `cache_creation.ephemeral_5m_input_tokens` / `ephemeral_1h_input_tokens`.
 * `output_tokens` includes thinking; `output_tokens_details.thinking_tokens` (read by
 * @ai-sdk/anthropic 3) is only sent when the directive names reasoning tokens.
 */
import type { ServerResponse } from 'node:http';
import { openSse, sendJson, sleep, type MockCall } from './wire.js';

function inputUsage(call: MockCall): Record<string, unknown> {
  const u = call.usage;
  return {
    input_tokens: u.input - u.cached - u.cacheWrite,
    cache_creation_input_tokens: u.cacheWrite,
    cache_read_input_tokens: u.cached,
    cache_creation: {
      ephemeral_5m_input_tokens: u.cacheWrite - u.cacheWrite1h,
      ephemeral_1h_input_tokens: u.cacheWrite1h,
    },
    service_tier: call.serviceTier ?? 'standard',
  };
}

function outputUsage(call: MockCall): Record<string, unknown> {
  const u = call.usage;
  return {
    output_tokens: u.output,
    ...(u.reasoning > 0 ? { output_tokens_details: { thinking_tokens: u.reasoning } } : {}),
  };
}

export async function messages(res: ServerResponse, call: MockCall): Promise<void> {
  const id = `msg_mock_${call.seq}`;
  const text = call.chunks.join('');
  if (call.body.stream !== true) {
    sendJson(res, 200, {
      id,
      type: 'message',
      role: 'assistant',
      model: call.responseModel,
      content: [{ type: 'text', text }],
      stop_reason: 'end_turn',
      stop_sequence: null,
      usage: { ...inputUsage(call), ...outputUsage(call) },
    });
    return;
  }

  const sse = openSse(res);
  const send = (type: string, payload: Record<string, unknown>): boolean => sse.send({ type, ...payload }, type);
  await sleep(call.firstChunkDelayMs);
  // Like the real API, message_start carries the input side and a provisional output count of 1;
  // the final output count arrives in message_delta.
  const started = send('message_start', {
    message: {
      id,
      type: 'message',
      role: 'assistant',
      model: call.responseModel,
      content: [],
      stop_reason: null,
      stop_sequence: null,
      usage: { ...inputUsage(call), output_tokens: Math.min(1, call.usage.output) },
    },
  });
  if (!started) return;
  send('content_block_start', { index: 0, content_block: { type: 'text', text: '' } });
  send('ping', {});
  for (const [i, chunk] of call.chunks.entries()) {
    if (i > 0) await sleep(call.chunkDelayMs);
    if (!send('content_block_delta', { index: 0, delta: { type: 'text_delta', text: chunk } })) return;
  }
  send('content_block_stop', { index: 0 });
  send('message_delta', { delta: { stop_reason: 'end_turn', stop_sequence: null }, usage: outputUsage(call) });
  send('message_stop', {});
  sse.end();
}

export function anthropicError(res: ServerResponse, status: number, message: string): void {
  const type =
    status === 429
      ? 'rate_limit_error'
      : status === 529
        ? 'overloaded_error'
        : status >= 500
          ? 'api_error'
          : 'invalid_request_error';
  sendJson(res, status, { type: 'error', error: { type, message } });
}
