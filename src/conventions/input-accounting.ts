/**
 * Whether a span's input token count already includes its cache reads and writes.
 *
 * Semconv says `gen_ai.usage.input_tokens` is inclusive, OpenAI's `prompt_tokens` is inclusive,
 * but Anthropic's raw `input_tokens` excludes cache, and some instrumentations copy it verbatim
 * (docs/instrumentations.md, docs/processor.md "Input accounting"). So the answer depends on the
 * instrumentation (and its version), not only on the provider.
 */
export type InputAccounting = 'inclusive' | 'additive';

/**
 * Why a rule was chosen, written as `gen_ai.cost.input_accounting_reason` (low cardinality):
 * - `override`: the user configured it for this scope or provider;
 * - `reported_breakdown`: the span itself reports uncached input (Vercel AI SDK 6
 *   `ai.usage.inputTokenDetails.noCacheTokens`) and it settles the question;
 * - `profile`: a known instrumentation (scope and version);
 * - `heuristic`: cache parts larger than the input cannot be part of it, so they are added;
 * - `semconv`: nothing else applied; the semantic-convention meaning (inclusive).
 */
export type InputAccountingReason = 'override' | 'reported_breakdown' | 'profile' | 'heuristic' | 'semconv';

export interface InputAccountingDecision {
  accounting: InputAccounting;
  reason: InputAccountingReason;
}

/** User overrides; a scope match wins over a provider match. */
export interface InputAccountingOverrides {
  /** By instrumentation scope name, e.g. `{ '@traceloop/instrumentation-anthropic': 'additive' }`. Default: none. */
  scopes?: Record<string, InputAccounting>;
  /** By normalized provider id, e.g. `{ anthropic: 'additive' }`. Default: none. */
  providers?: Record<string, InputAccounting>;
}

/** What is known about one instrumentation's input token count. */
export interface InstrumentationProfile {
  /** Instrumentation scope name, exactly as the instrumentation registers its tracer. */
  scope: string;
  accounting: InputAccounting;
  /** The rule applies to scope versions strictly below this one; later entries cover the rest. */
  below?: string;
}

/**
 * Known instrumentations, first match wins. Evidence:
 * - Traceloop Anthropic copies Anthropic's raw `input_tokens` (cache excluded): 0.27 as
 *   `gen_ai.usage.input_tokens` beside `…cache_read.input_tokens`/`…cache_creation.input_tokens`,
 *   older versions as `gen_ai.usage.prompt_tokens` (observed, docs/instrumentations.md; openllmetry-js source).
 * - Traceloop OpenAI, contrib OpenAI and OpenInference OpenAI copy OpenAI's `prompt_tokens`,
 *   which includes `prompt_tokens_details.cached_tokens`.
 * - OpenInference Anthropic below 0.2 reported the raw count; later versions add the cache in.
 */
export const INSTRUMENTATION_PROFILES: readonly InstrumentationProfile[] = [
  { scope: '@traceloop/instrumentation-anthropic', accounting: 'additive' },
  { scope: '@traceloop/instrumentation-openai', accounting: 'inclusive' },
  { scope: '@opentelemetry/instrumentation-openai', accounting: 'inclusive' },
  { scope: '@arizeai/openinference-instrumentation-openai', accounting: 'inclusive' },
  { scope: '@arizeai/openinference-instrumentation-anthropic', accounting: 'additive', below: '0.2.0' },
  { scope: '@arizeai/openinference-instrumentation-anthropic', accounting: 'inclusive' },
];

/** The counts the decision looks at, as the span reported them. */
export interface InputCounts {
  input: number;
  cacheRead: number;
  cacheWrite: number;
  /** Uncached input, when the span reports it separately. */
  uncached?: number;
}

/** Where the counts came from. */
export interface InputSource {
  scopeName?: string;
  scopeVersion?: string;
  /** Normalized provider id. */
  provider?: string;
}

/**
 * Decides how to read `input` when cache parts are present. Order: user override, the span's
 * own breakdown, the instrumentation profile (unless the numbers contradict it), the heuristic,
 * semconv.
 */
export function decideInputAccounting(
  counts: InputCounts,
  source: InputSource,
  overrides?: InputAccountingOverrides,
  profiles: readonly InstrumentationProfile[] = INSTRUMENTATION_PROFILES,
): InputAccountingDecision {
  const overridden = lookup(overrides?.scopes, source.scopeName) ?? lookup(overrides?.providers, source.provider);
  if (overridden !== undefined) return { accounting: overridden, reason: 'override' };

  const cache = counts.cacheRead + counts.cacheWrite;
  if (counts.uncached !== undefined) {
    if (counts.uncached + cache === counts.input) return { accounting: 'inclusive', reason: 'reported_breakdown' };
    if (counts.uncached === counts.input) return { accounting: 'additive', reason: 'reported_breakdown' };
  }

  const contradictsInclusive = cache > counts.input;
  const profile = findProfile(profiles, source.scopeName, source.scopeVersion);
  if (profile !== undefined && !(profile.accounting === 'inclusive' && contradictsInclusive)) {
    return { accounting: profile.accounting, reason: 'profile' };
  }
  if (contradictsInclusive) return { accounting: 'additive', reason: 'heuristic' };
  return { accounting: 'inclusive', reason: 'semconv' };
}

function lookup(
  table: Record<string, InputAccounting> | undefined,
  key: string | undefined,
): InputAccounting | undefined {
  if (table === undefined || key === undefined || !Object.hasOwn(table, key)) return undefined;
  return table[key];
}

function findProfile(
  profiles: readonly InstrumentationProfile[],
  scopeName: string | undefined,
  scopeVersion: string | undefined,
): InstrumentationProfile | undefined {
  if (scopeName === undefined) return undefined;
  for (const profile of profiles) {
    if (profile.scope !== scopeName) continue;
    if (profile.below === undefined) return profile;
    // An unknown version cannot be shown to be old: skip the "below" entry.
    if (scopeVersion !== undefined && compareVersions(scopeVersion, profile.below) < 0) return profile;
  }
  return undefined;
}

/** Compares dotted numeric versions (`0.1.9` < `0.2.0`); pre-release suffixes are ignored. */
export function compareVersions(a: string, b: string): number {
  const pa = a.split(/[.+-]/, 3).map((p) => Number.parseInt(p, 10) || 0);
  const pb = b.split(/[.+-]/, 3).map((p) => Number.parseInt(p, 10) || 0);
  for (let i = 0; i < 3; i++) {
    const d = (pa[i] ?? 0) - (pb[i] ?? 0);
    if (d !== 0) return d;
  }
  return 0;
}
