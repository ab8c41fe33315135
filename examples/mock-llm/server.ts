/**
 * A local stand-in for the OpenAI and Anthropic HTTP APIs, good enough for their real SDKs:
 * deterministic usage per request, streamed replies with a measurable first-chunk delay, and a
 * record of what was asked (never the prompt text). node:http only, 127.0.0.1, a free port.
 *
 *   const llm = await startMockLLM();
 *   new OpenAI({ baseURL: llm.openaiBaseURL, apiKey: 'test' });
 *   new Anthropic({ baseURL: llm.anthropicBaseURL, apiKey: 'test' });
 *   createAnthropic({ baseURL: llm.anthropicV1BaseURL, apiKey: 'test' });   // @ai-sdk/anthropic
 *   await llm.close();
 */
import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { anthropicError, messages } from './anthropic.js';
import { chatCompletions, openaiError, responses } from './openai.js';
import { DEFAULT_USAGE, findDirective, resolveUsage, type MockUsage } from './usage.js';
import { sendJson, sleep, type MockCall } from './wire.js';

export type MockApi = 'openai.chat' | 'openai.responses' | 'anthropic.messages';

/** Response models as the real APIs report them for an undated request (snapshots of late 2025). */
export const DATED_MODELS: Readonly<Record<string, string>> = {
  'gpt-4o': 'gpt-4o-2024-08-06',
  'gpt-4o-mini': 'gpt-4o-mini-2024-07-18',
  'gpt-4.1': 'gpt-4.1-2025-04-14',
  'gpt-4.1-mini': 'gpt-4.1-mini-2025-04-14',
  'gpt-5': 'gpt-5-2025-08-07',
  'gpt-5-mini': 'gpt-5-mini-2025-08-07',
  o3: 'o3-2025-04-16',
  'o4-mini': 'o4-mini-2025-04-16',
  'claude-sonnet-4-5': 'claude-sonnet-4-5-20250929',
  'claude-haiku-4-5': 'claude-haiku-4-5-20251001',
  'claude-opus-4-1': 'claude-opus-4-1-20250805',
  'claude-sonnet-4-0': 'claude-sonnet-4-20250514',
  'claude-3-7-sonnet-latest': 'claude-3-7-sonnet-20250219',
};

export interface MockLLMOptions {
  /** Delay before the first streamed event, in ms (per request: directive `firstChunkDelayMs`). Default 20. */
  firstChunkDelayMs?: number;
  /** Delay between later streamed text chunks, in ms. Default 0. */
  chunkDelayMs?: number;
  /** Delay before a non-streamed body, in ms. Default 0. */
  responseDelayMs?: number;
  /**
   * Model reported in responses, keyed by requested model; unlisted models are echoed as sent.
   * Pass `DATED_MODELS` to answer like the real APIs (`gpt-4o` → `gpt-4o-2024-08-06`). Default `{}`.
   */
  responseModels?: Readonly<Record<string, string>>;
  /** Usage reported when a request carries no directive. Default `DEFAULT_USAGE` (100 in, 20 out). */
  defaultUsage?: Partial<MockUsage>;
  /** Reply text; streamed word by word. Default `'Hello from the mock LLM.'`. */
  replyText?: string;
  /** Port to listen on. Default 0 (a free port). */
  port?: number;
}

/** One request as the server saw it. Prompt text is never kept. */
export interface RecordedRequest {
  method: string;
  path: string;
  api: MockApi | undefined;
  /** The model the client asked for. */
  model: string | undefined;
  /** The model the response reported. */
  responseModel: string | undefined;
  stream: boolean;
  /** Chat Completions `stream_options.include_usage`. */
  includeUsage: boolean;
  /** Semconv-style usage the response reported (undefined for errors). */
  usage: MockUsage | undefined;
  status: number;
}

export interface MockLLM {
  /** `http://127.0.0.1:PORT` */
  url: string;
  /** `${url}/v1` — for `openai` (`new OpenAI({ baseURL })`) and `@ai-sdk/openai` (`createOpenAI({ baseURL })`). */
  openaiBaseURL: string;
  /** `${url}` — for `@anthropic-ai/sdk` (`new Anthropic({ baseURL })`), which appends `/v1/messages`. */
  anthropicBaseURL: string;
  /** `${url}/v1` — for `@ai-sdk/anthropic` (`createAnthropic({ baseURL })`), which appends `/messages`. */
  anthropicV1BaseURL: string;
  /** Every request so far, in arrival order. Clear with `requests.length = 0`. */
  requests: RecordedRequest[];
  close(): Promise<void>;
}

const ROUTES: Record<string, MockApi> = {
  '/v1/chat/completions': 'openai.chat',
  '/v1/responses': 'openai.responses',
  '/v1/messages': 'anthropic.messages',
};

async function readJson(req: IncomingMessage): Promise<Record<string, unknown> | undefined> {
  const parts: Buffer[] = [];
  for await (const part of req) parts.push(part as Buffer);
  try {
    const value: unknown = JSON.parse(Buffer.concat(parts).toString('utf8'));
    return value !== null && typeof value === 'object' && !Array.isArray(value)
      ? (value as Record<string, unknown>)
      : undefined;
  } catch {
    return undefined;
  }
}

/** `Hello from the mock LLM.` → `['Hello', ' from', ' the', ' mock', ' LLM.']` */
function splitWords(text: string): string[] {
  const words = text.match(/\s*\S+/g);
  return words && words.length > 0 ? words : [text];
}

export async function startMockLLM(options: MockLLMOptions = {}): Promise<MockLLM> {
  const firstChunkDelayMs = options.firstChunkDelayMs ?? 20;
  const chunkDelayMs = options.chunkDelayMs ?? 0;
  const responseDelayMs = options.responseDelayMs ?? 0;
  const responseModels = options.responseModels ?? {};
  const defaults: MockUsage = { ...DEFAULT_USAGE, ...options.defaultUsage };
  const chunks = splitWords(options.replyText ?? 'Hello from the mock LLM.');
  const requests: RecordedRequest[] = [];
  let seq = 0;

  async function handle(req: IncomingMessage, res: ServerResponse): Promise<void> {
    const path = (req.url ?? '/').split('?')[0] ?? '/';
    const api = req.method === 'POST' ? ROUTES[path] : undefined;
    const record: RecordedRequest = {
      method: req.method ?? 'GET',
      path,
      api,
      model: undefined,
      responseModel: undefined,
      stream: false,
      includeUsage: false,
      usage: undefined,
      status: 404,
    };
    requests.push(record);
    const fail = (status: number, message: string): void => {
      record.status = status;
      if (api === 'anthropic.messages') anthropicError(res, status, message);
      else openaiError(res, status, message);
    };

    if (!api) {
      sendJson(res, 404, {
        error: {
          message: `mock-llm: no route for ${record.method} ${path}`,
          type: 'not_found_error',
          param: null,
          code: 'not_found',
        },
      });
      return;
    }
    const body = await readJson(req);
    if (!body) return fail(400, 'mock-llm: request body is not a JSON object');
    const model = typeof body.model === 'string' ? body.model : undefined;
    record.model = model;
    record.stream = body.stream === true;
    const streamOptions = body.stream_options as { include_usage?: unknown } | undefined;
    record.includeUsage = streamOptions?.include_usage === true;
    if (!model) return fail(400, 'mock-llm: `model` is required');

    const header = req.headers['x-mock-usage'];
    const directive = findDirective(body, Array.isArray(header) ? header[0] : header);
    if (directive.status !== undefined && directive.status >= 400) {
      return fail(directive.status, `mock-llm: error ${directive.status} requested by directive`);
    }
    const usage = resolveUsage(directive, defaults);
    if (typeof usage === 'string') return fail(400, usage);

    const call: MockCall = {
      body,
      responseModel: directive.model ?? responseModels[model] ?? model,
      usage,
      serviceTier: directive.serviceTier,
      chunks,
      firstChunkDelayMs: directive.firstChunkDelayMs ?? firstChunkDelayMs,
      chunkDelayMs,
      seq: ++seq,
      created: Math.floor(Date.now() / 1000),
    };
    record.responseModel = call.responseModel;
    record.usage = usage;
    record.status = 200;
    if (!record.stream) await sleep(responseDelayMs);
    if (api === 'openai.chat') await chatCompletions(res, call);
    else if (api === 'openai.responses') await responses(res, call);
    else await messages(res, call);
  }

  const server = createServer((req, res) => {
    handle(req, res).catch((err: unknown) => {
      // Only reachable on a bug in the mock; the prompt is never part of the message.
      if (!res.headersSent)
        sendJson(res, 500, { error: { message: `mock-llm: ${String(err)}`, type: 'server_error' } });
      else res.destroy();
    });
  });
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(options.port ?? 0, '127.0.0.1', () => resolve());
  });
  const { port } = server.address() as AddressInfo;
  const url = `http://127.0.0.1:${port}`;

  let closing: Promise<void> | undefined;
  return {
    url,
    openaiBaseURL: `${url}/v1`,
    anthropicBaseURL: url,
    anthropicV1BaseURL: `${url}/v1`,
    requests,
    close() {
      closing ??= new Promise<void>((resolve) => {
        server.close(() => resolve());
        // SDK clients keep connections alive; without this, close() waits for their idle timeout.
        server.closeAllConnections();
      });
      return closing;
    },
  };
}
