import type { Attributes } from '@opentelemetry/api';

/**
 * What a span is to the processor:
 * - `inference`: one model call, priced on its own;
 * - `aggregate`: an agent, workflow, tool or SDK wrapper span that may repeat its children's
 *   usage (Vercel `ai.generateText` carries the same `ai.usage.*` totals as its `doGenerate`
 *   child): never priced, only rolled up;
 * - `other`: not GenAI at all.
 */
export type SpanRole = 'inference' | 'aggregate' | 'other';

/** `gen_ai.operation.name` values of spans that wrap model calls instead of being one. */
const AGGREGATE_OPERATIONS: ReadonlySet<string> = new Set([
  'invoke_agent',
  'create_agent',
  'execute_tool',
  'invoke_workflow',
]);

/** OpenInference kinds that are a model call. Every other kind (CHAIN, AGENT, TOOL, …) wraps. */
const OPENINFERENCE_INFERENCE_KINDS: ReadonlySet<string> = new Set(['LLM', 'EMBEDDING']);

/** Traceloop decorators (`@workflow`, `@task`, `@agent`, `@tool`) mark wrapper spans. */
const TRACELOOP_AGGREGATE_KINDS: ReadonlySet<string> = new Set(['workflow', 'task', 'agent', 'tool']);

/** Vercel AI SDK operations that are one provider call (`ai.generateText.doGenerate`, …). */
const VERCEL_INFERENCE_OPERATION = /\.do(?:Generate|Stream|Embed|Rerank)$/;

/**
 * Attributes at least one of which every GenAI span of docs/instrumentations.md carries (model, provider,
 * usage or a span-kind marker). Checking them is the processor's whole cost on a plain span.
 */
const GEN_AI_MARKERS: readonly string[] = [
  'gen_ai.request.model',
  'gen_ai.response.model',
  'gen_ai.operation.name',
  'gen_ai.system',
  'gen_ai.provider.name',
  'gen_ai.usage.input_tokens',
  'gen_ai.usage.prompt_tokens',
  'llm.model_name',
  'llm.token_count.prompt',
  'llm.usage.total_tokens',
  'openinference.span.kind',
  'traceloop.span.kind',
  'ai.operationId',
];

const GEN_AI_MARKER_SET: ReadonlySet<string> = new Set(GEN_AI_MARKERS);
/** First characters of the markers (`g`, `l`, `o`, `t`, `a`): most plain keys stop here. */
const MARKER_FIRST_CHAR = new Uint8Array(128);
for (const marker of GEN_AI_MARKERS) MARKER_FIRST_CHAR[marker.charCodeAt(0)] = 1;

/**
 * Cheap gate: could this span be GenAI at all? A character test per attribute the span has and
 * a set probe for the few that pass, no allocation. Walking the span's own keys is ~5× faster
 * on a plain span than probing it for every marker, each probe of a missing key being a slow
 * dictionary miss (BENCHMARKS.md).
 */
export function mayBeGenAi(attributes: Attributes): boolean {
  for (const key in attributes) {
    if (isGenAiMarker(key) && attributes[key] !== undefined) return true;
  }
  return false;
}

/**
 * Whether one attribute key marks a possible GenAI span: the gate of {@link mayBeGenAi}, for
 * callers that hold keys in another shape (the gateway walks OTLP key-value lists).
 */
export function isGenAiMarker(key: string): boolean {
  return MARKER_FIRST_CHAR[key.charCodeAt(0)] === 1 && GEN_AI_MARKER_SET.has(key);
}

/**
 * Classifies a span that passed {@link mayBeGenAi}. Wrapper markers win over usage: a wrapper
 * that repeats its children's token counts must not be priced a second time.
 * `hasModelOrUsage` says whether the reader found a model or a token count on the span.
 */
export function spanRole(name: string, attributes: Attributes, hasModelOrUsage: boolean): SpanRole {
  const operation = attributes['gen_ai.operation.name'];
  if (typeof operation === 'string' && AGGREGATE_OPERATIONS.has(operation)) return 'aggregate';

  const oiKind = attributes['openinference.span.kind'];
  if (typeof oiKind === 'string' && !OPENINFERENCE_INFERENCE_KINDS.has(oiKind.toUpperCase())) {
    return 'aggregate';
  }

  const tlKind = attributes['traceloop.span.kind'];
  if (typeof tlKind === 'string' && TRACELOOP_AGGREGATE_KINDS.has(tlKind)) return 'aggregate';

  // Vercel AI SDK: the operation id is the reliable marker; the span name is the fallback
  // (it equals the operation id unless a functionId is appended after a space).
  const aiOperation = attributes['ai.operationId'];
  if (typeof aiOperation === 'string') {
    return VERCEL_INFERENCE_OPERATION.test(aiOperation) ? 'inference' : 'aggregate';
  }
  if (name.startsWith('ai.') && attributes['ai.usage.inputTokens'] !== undefined) {
    const op = name.split(' ', 1)[0] as string;
    return VERCEL_INFERENCE_OPERATION.test(op) ? 'inference' : 'aggregate';
  }

  return hasModelOrUsage ? 'inference' : 'other';
}
