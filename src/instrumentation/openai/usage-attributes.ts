import type { Attributes } from '@opentelemetry/api';

/** Semconv usage keys written onto a call span (GenAI conventions; kept local, see attributes.ts). */
export const ATTR_USAGE_INPUT_TOKENS = 'gen_ai.usage.input_tokens';
export const ATTR_USAGE_OUTPUT_TOKENS = 'gen_ai.usage.output_tokens';
export const ATTR_USAGE_CACHE_READ_INPUT_TOKENS = 'gen_ai.usage.cache_read.input_tokens';
export const ATTR_USAGE_REASONING_OUTPUT_TOKENS = 'gen_ai.usage.reasoning.output_tokens';

/**
 * The `usage` object of an OpenAI response as semconv attributes. Both shapes are read:
 *
 * - Chat Completions: `prompt_tokens` (cache reads included), `completion_tokens` (reasoning
 *   included), `prompt_tokens_details.cached_tokens`, `completion_tokens_details.reasoning_tokens`;
 * - Responses API: `input_tokens`, `output_tokens`, `input_tokens_details.cached_tokens`,
 *   `output_tokens_details.reasoning_tokens`.
 *
 * Both totals are inclusive, as semconv's are, so they are copied as they are. A count that is
 * absent or not a non-negative integer is left out (never guessed, never 0 by default): a span
 * without `gen_ai.usage.cache_read.input_tokens` means "not reported", one with 0 means "none".
 * Only these numbers are read; nothing else of the response is looked at.
 */
export function usageAttributes(usage: unknown): Attributes {
  const attributes: Attributes = {};
  if (usage === null || typeof usage !== 'object') return attributes;
  const u = usage as Record<string, unknown>;
  const chat = u.prompt_tokens !== undefined || u.completion_tokens !== undefined;
  put(attributes, ATTR_USAGE_INPUT_TOKENS, chat ? u.prompt_tokens : u.input_tokens);
  put(attributes, ATTR_USAGE_OUTPUT_TOKENS, chat ? u.completion_tokens : u.output_tokens);
  put(
    attributes,
    ATTR_USAGE_CACHE_READ_INPUT_TOKENS,
    detail(chat ? u.prompt_tokens_details : u.input_tokens_details, 'cached_tokens'),
  );
  put(
    attributes,
    ATTR_USAGE_REASONING_OUTPUT_TOKENS,
    detail(chat ? u.completion_tokens_details : u.output_tokens_details, 'reasoning_tokens'),
  );
  return attributes;
}

function detail(details: unknown, key: string): unknown {
  return details !== null && typeof details === 'object' ? (details as Record<string, unknown>)[key] : undefined;
}

function put(attributes: Attributes, key: string, value: unknown): void {
  if (typeof value === 'number' && Number.isSafeInteger(value) && value >= 0) attributes[key] = value;
}
