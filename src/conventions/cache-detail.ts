import type { CostResult, NormalizedUsage } from '../pricing/types.js';

/**
 * Instrumentations that never record cache reads, whatever the provider reported (observed
 * against the mock, docs/instrumentations.md): the contrib OpenAI instrumentation (0.21, 0.22)
 * writes only `gen_ai.usage.input_tokens` / `output_tokens`; Traceloop's OpenAI one (0.27)
 * likewise. On their spans a missing cache count means "not recorded", not "none".
 * `OpenAIUsageInstrumentation` adds the count to these spans when it is enabled.
 */
export const CACHE_UNRECORDING_SCOPES: ReadonlySet<string> = new Set([
  '@opentelemetry/instrumentation-openai',
  '@traceloop/instrumentation-openai',
]);

/**
 * Whether a priced call's cost is only an upper bound because its cache reads are unknown:
 * the span comes from an instrumentation that never records them, carries no cache-read count,
 * and its model prices cache reads below uncached input. The last part is asked of the pricer
 * itself (the same usage with every input token read from cache costs less), so it holds for
 * any table, tier or long-context cliff without looking into price entries.
 */
export function isCacheDetailUnreported(
  scopeName: string,
  usage: NormalizedUsage,
  costUsd: number,
  price: (usage: NormalizedUsage) => CostResult,
): boolean {
  if (!CACHE_UNRECORDING_SCOPES.has(scopeName)) return false;
  if (usage.cacheReadTokens !== undefined || usage.cacheWriteTokens !== undefined) return false;
  const input = usage.inputTokens;
  if (input === undefined || input <= 0) return false;
  const allCached = price({ ...usage, cacheReadTokens: input });
  return allCached.costUsd !== null && allCached.costUsd < costUsd;
}
