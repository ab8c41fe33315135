/**
 * The usage a mock response reports, and how a request chooses it.
 *
 * Scheme (documented in docs/instrumentations.md): the LAST `usage:{…}` directive found in the
 * request's message text wins, else the `x-mock-usage` header (same JSON), else the server default.
 *
 *   usage:{"input":1000,"cached":400,"cacheWrite":100,"cacheWrite1h":50,"output":200,"reasoning":50}
 *
 * All numbers use OpenTelemetry GenAI semconv meaning, whatever the provider:
 *   input        — every prompt token, cache reads and cache writes INCLUDED
 *   cached       — the part of `input` read from the prompt cache
 *   cacheWrite   — the part of `input` written to the prompt cache (all TTLs)
 *   cacheWrite1h — the part of `cacheWrite` written with a one-hour TTL (Anthropic)
 *   output       — every generated token, reasoning INCLUDED
 *   reasoning    — the part of `output` spent on reasoning/thinking
 * Optional extras in the same object: `serviceTier` (string echoed as the response's tier),
 * `model` (force the response model), `firstChunkDelayMs` (stream TTFT), `status` (reply with
 * that HTTP error status in the provider's error shape instead of a completion).
 *
 * Each provider module converts this to its own raw wire convention (Anthropic's `input_tokens`
 * excludes cache tokens; OpenAI's `prompt_tokens` includes cached tokens).
 */
export interface MockUsage {
  input: number;
  cached: number;
  cacheWrite: number;
  cacheWrite1h: number;
  output: number;
  reasoning: number;
}

/** Per-request controls parsed from a directive; every field optional. */
export interface MockDirective extends Partial<MockUsage> {
  serviceTier?: string;
  model?: string;
  firstChunkDelayMs?: number;
  status?: number;
}

export const DEFAULT_USAGE: MockUsage = {
  input: 100,
  cached: 0,
  cacheWrite: 0,
  cacheWrite1h: 0,
  output: 20,
  reasoning: 0,
};

const DIRECTIVE = /usage:(\{[^{}]*\})/g;
const NUMBER_KEYS = ['input', 'cached', 'cacheWrite', 'cacheWrite1h', 'output', 'reasoning'] as const;

/** Formats a directive to paste into a prompt: `usageDirective({ input: 1000, cached: 400 })`. */
export function usageDirective(d: MockDirective): string {
  return `usage:${JSON.stringify(d)}`;
}

/** Every string inside `value`, depth first, in document order. */
function collectStrings(value: unknown, out: string[]): void {
  if (typeof value === 'string') out.push(value);
  else if (Array.isArray(value)) for (const v of value) collectStrings(v, out);
  else if (value !== null && typeof value === 'object') {
    for (const v of Object.values(value)) collectStrings(v, out);
  }
}

function parseDirectiveJson(json: string): MockDirective | undefined {
  let parsed: unknown;
  try {
    parsed = JSON.parse(json);
  } catch {
    return undefined;
  }
  if (parsed === null || typeof parsed !== 'object' || Array.isArray(parsed)) return undefined;
  const src = parsed as Record<string, unknown>;
  const d: MockDirective = {};
  for (const key of NUMBER_KEYS) {
    const v = src[key];
    if (typeof v === 'number' && Number.isFinite(v) && v >= 0) d[key] = Math.floor(v);
  }
  if (typeof src.serviceTier === 'string') d.serviceTier = src.serviceTier;
  if (typeof src.model === 'string') d.model = src.model;
  if (typeof src.firstChunkDelayMs === 'number') d.firstChunkDelayMs = src.firstChunkDelayMs;
  if (typeof src.status === 'number') d.status = src.status;
  return d;
}

/**
 * Finds the directive of a request: the last `usage:{…}` in the conversation (`messages` for
 * Chat Completions and Anthropic, `input` for Responses, plus `system`/`instructions`), else the
 * `x-mock-usage` header.
 */
export function findDirective(body: Record<string, unknown>, header: string | undefined): MockDirective {
  const strings: string[] = [];
  for (const key of ['system', 'instructions', 'messages', 'input', 'prompt']) collectStrings(body[key], strings);
  for (let i = strings.length - 1; i >= 0; i--) {
    const matches = [...(strings[i] ?? '').matchAll(DIRECTIVE)];
    for (let j = matches.length - 1; j >= 0; j--) {
      const d = parseDirectiveJson(matches[j]?.[1] ?? '');
      if (d) return d;
    }
  }
  if (header) return parseDirectiveJson(header) ?? {};
  return {};
}

/** Fills a directive with defaults; returns an error message when the numbers contradict. */
export function resolveUsage(d: MockDirective, defaults: MockUsage): MockUsage | string {
  const u: MockUsage = {
    input: d.input ?? defaults.input,
    cached: d.cached ?? defaults.cached,
    cacheWrite: d.cacheWrite ?? defaults.cacheWrite,
    cacheWrite1h: d.cacheWrite1h ?? defaults.cacheWrite1h,
    output: d.output ?? defaults.output,
    reasoning: d.reasoning ?? defaults.reasoning,
  };
  if (u.cached + u.cacheWrite > u.input) {
    return (
      `mock usage: cached (${u.cached}) + cacheWrite (${u.cacheWrite}) exceed input (${u.input}); ` +
      'input includes cache tokens'
    );
  }
  if (u.cacheWrite1h > u.cacheWrite)
    return `mock usage: cacheWrite1h (${u.cacheWrite1h}) exceeds cacheWrite (${u.cacheWrite})`;
  if (u.reasoning > u.output)
    return `mock usage: reasoning (${u.reasoning}) exceeds output (${u.output}); output includes reasoning`;
  return u;
}
