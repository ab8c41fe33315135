/**
 * OpenAI wire formats: Chat Completions (`POST /v1/chat/completions`) and Responses
 * (`POST /v1/responses`), plain JSON and streamed.
 *
 * Field shapes follow what the real API sends and what the clients parse: the `openai` 6 SDK
 * (lenient) and `@ai-sdk/openai` 3 (zod schemas `openaiChatResponseSchema`,
 * `openaiChatChunkSchema`, `openaiResponsesResponseSchema`, `openaiResponsesChunkSchema`; e.g.
 * `output_text.annotations` and `usage.input_tokens`/`output_tokens` are required there).
 *
 * Usage: OpenAI counts are already semconv-shaped — `prompt_tokens`/`input_tokens` include the
 * cached tokens, `completion_tokens`/`output_tokens` include reasoning tokens.
 */
import type { ServerResponse } from 'node:http';
import { openSse, sendJson, sleep, type MockCall } from './wire.js';

/** What OpenAI reports back: `auto` (or nothing) is served on the `default` tier. */
function serviceTierOf(call: MockCall): string {
  const requested = call.serviceTier ?? call.body.service_tier;
  return typeof requested === 'string' && requested !== 'auto' ? requested : 'default';
}

function chatUsage(call: MockCall): Record<string, unknown> {
  const u = call.usage;
  return {
    prompt_tokens: u.input,
    completion_tokens: u.output,
    total_tokens: u.input + u.output,
    prompt_tokens_details: {
      cached_tokens: u.cached,
      audio_tokens: 0,
      // Not sent by api.openai.com; some OpenAI-compatible gateways do, and @ai-sdk/openai reads it.
      ...(u.cacheWrite > 0 ? { cache_write_tokens: u.cacheWrite } : {}),
    },
    completion_tokens_details: {
      reasoning_tokens: u.reasoning,
      audio_tokens: 0,
      accepted_prediction_tokens: 0,
      rejected_prediction_tokens: 0,
    },
  };
}

export async function chatCompletions(res: ServerResponse, call: MockCall): Promise<void> {
  const id = `chatcmpl-mock-${call.seq}`;
  const common = {
    id,
    created: call.created,
    model: call.responseModel,
    service_tier: serviceTierOf(call),
    system_fingerprint: 'fp_mock',
  };
  if (call.body.stream !== true) {
    sendJson(res, 200, {
      ...common,
      object: 'chat.completion',
      choices: [
        {
          index: 0,
          message: { role: 'assistant', content: call.chunks.join(''), refusal: null, annotations: [] },
          logprobs: null,
          finish_reason: 'stop',
        },
      ],
      usage: chatUsage(call),
    });
    return;
  }

  const streamOptions = call.body.stream_options as { include_usage?: unknown } | undefined;
  const includeUsage = streamOptions?.include_usage === true;
  // With include_usage the real API puts `usage: null` on every chunk, then one extra chunk
  // with empty `choices` and the totals.
  const usageField = includeUsage ? { usage: null } : {};
  const chunk = (choice: Record<string, unknown>): Record<string, unknown> => ({
    ...common,
    object: 'chat.completion.chunk',
    choices: [{ index: 0, logprobs: null, finish_reason: null, ...choice }],
    ...usageField,
  });

  const sse = openSse(res);
  await sleep(call.firstChunkDelayMs);
  if (!sse.send(chunk({ delta: { role: 'assistant', content: '', refusal: null } }))) return;
  for (const [i, text] of call.chunks.entries()) {
    if (i > 0) await sleep(call.chunkDelayMs);
    if (!sse.send(chunk({ delta: { content: text } }))) return;
  }
  sse.send(chunk({ delta: {}, finish_reason: 'stop' }));
  if (includeUsage) {
    sse.send({ ...common, object: 'chat.completion.chunk', choices: [], usage: chatUsage(call) });
  }
  sse.sendRaw('[DONE]');
  sse.end();
}

function responsesUsage(call: MockCall): Record<string, unknown> {
  const u = call.usage;
  return {
    input_tokens: u.input,
    input_tokens_details: { cached_tokens: u.cached },
    output_tokens: u.output,
    output_tokens_details: { reasoning_tokens: u.reasoning },
    total_tokens: u.input + u.output,
  };
}

export async function responses(res: ServerResponse, call: MockCall): Promise<void> {
  const id = `resp_mock_${call.seq}`;
  const msgId = `msg_mock_${call.seq}`;
  const text = call.chunks.join('');
  const body = call.body;
  const response = (status: 'in_progress' | 'completed', done: boolean): Record<string, unknown> => ({
    id,
    object: 'response',
    created_at: call.created,
    status,
    error: null,
    incomplete_details: null,
    instructions: body.instructions ?? null,
    max_output_tokens: body.max_output_tokens ?? null,
    model: call.responseModel,
    output: done
      ? [
          {
            type: 'message',
            id: msgId,
            status: 'completed',
            role: 'assistant',
            content: [{ type: 'output_text', text, annotations: [], logprobs: [] }],
          },
        ]
      : [],
    parallel_tool_calls: true,
    previous_response_id: null,
    reasoning: { effort: null, summary: null },
    service_tier: serviceTierOf(call),
    store: body.store ?? true,
    temperature: body.temperature ?? 1,
    text: { format: { type: 'text' } },
    tool_choice: 'auto',
    tools: [],
    top_p: body.top_p ?? 1,
    truncation: 'disabled',
    usage: done ? responsesUsage(call) : null,
    metadata: {},
  });

  if (body.stream !== true) {
    sendJson(res, 200, response('completed', true));
    return;
  }

  const sse = openSse(res);
  let seq = 0;
  const send = (type: string, payload: Record<string, unknown>): boolean =>
    sse.send({ type, sequence_number: seq++, ...payload }, type);

  await sleep(call.firstChunkDelayMs);
  if (!send('response.created', { response: response('in_progress', false) })) return;
  send('response.in_progress', { response: response('in_progress', false) });
  send('response.output_item.added', {
    output_index: 0,
    item: { type: 'message', id: msgId, status: 'in_progress', role: 'assistant', content: [] },
  });
  send('response.content_part.added', {
    item_id: msgId,
    output_index: 0,
    content_index: 0,
    part: { type: 'output_text', text: '', annotations: [], logprobs: [] },
  });
  for (const [i, delta] of call.chunks.entries()) {
    if (i > 0) await sleep(call.chunkDelayMs);
    const ok = send('response.output_text.delta', {
      item_id: msgId,
      output_index: 0,
      content_index: 0,
      delta,
      logprobs: [],
    });
    if (!ok) return;
  }
  send('response.output_text.done', { item_id: msgId, output_index: 0, content_index: 0, text, logprobs: [] });
  send('response.content_part.done', {
    item_id: msgId,
    output_index: 0,
    content_index: 0,
    part: { type: 'output_text', text, annotations: [], logprobs: [] },
  });
  send('response.output_item.done', {
    output_index: 0,
    item: {
      type: 'message',
      id: msgId,
      status: 'completed',
      role: 'assistant',
      content: [{ type: 'output_text', text, annotations: [], logprobs: [] }],
    },
  });
  send('response.completed', { response: response('completed', true) });
  sse.end();
}

export function openaiError(res: ServerResponse, status: number, message: string): void {
  const type = status === 429 ? 'rate_limit_exceeded' : status >= 500 ? 'server_error' : 'invalid_request_error';
  sendJson(res, status, { error: { message, type, param: null, code: type } });
}
