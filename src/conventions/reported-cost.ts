import type { Attributes } from '@opentelemetry/api';
import { readNonNegative } from './read-attribute.js';
import { readOpenRouterBilledCost, VERCEL_PROVIDER_METADATA_KEY } from './vercel-provider-metadata.js';

/**
 * A cost already on a span is taken as the call's cost (`gen_ai.cost.source = reported`) only
 * when its provenance says the provider billed it. Accepted sources, first match wins:
 *
 * 1. attributes the user chose to trust (`trustedCostAttributes`), in the order given;
 * 2. `gen_ai.usage.cost` (or `gen_ai.usage.cost.amount`) beside `gen_ai.usage.cost.source =
 *    "provider"`: the open GenAI semantic-conventions proposal for a cost attribute
 *    (semantic-conventions-genai PR #443) marks a cost received from upstream — the provider or a
 *    gateway that billed it — with `cost.source = provider`, and one computed by the emitter
 *    from a pricing table with another value. A currency other than USD is not taken;
 * 3. OpenRouter's `usage.cost`, "the total amount charged to your account" (OpenRouter's usage
 *    accounting docs), which `@openrouter/ai-sdk-provider` puts in the Vercel AI SDK's provider
 *    metadata (`providerMetadata.openrouter.usage.cost`, plus `costDetails.upstreamInferenceCost`
 *    for a bring-your-own-key call, billed by the upstream provider on top).
 *
 * Any other cost on the span is an estimate and is ignored here (the call is priced from its
 * usage; the attribute stays as it is): OpenLIT writes its own table-based estimate to
 * `gen_ai.usage.cost`, and OpenInference's `llm.cost.*` are whatever the emitter computed.
 */
export const SEMCONV_COST_KEYS = ['gen_ai.usage.cost', 'gen_ai.usage.cost.amount'] as const;
export const SEMCONV_COST_SOURCE_KEY = 'gen_ai.usage.cost.source';
export const SEMCONV_COST_CURRENCY_KEY = 'gen_ai.usage.cost.currency';

/** OpenInference's prompt/completion parts, kept as the split when `llm.cost.total` is trusted. */
const OPENINFERENCE_TOTAL = 'llm.cost.total';
const OPENINFERENCE_PARTS = ['llm.cost.prompt', 'llm.cost.completion'] as const;

/** The value of `gen_ai.cost.source` on a call whose cost was reported, not priced. */
export const REPORTED_SOURCE = 'reported';

/** A cost larger than this for one call is not believed (corrupted or hostile attribute). */
export const MAX_REPORTED_COST_USD = 100_000;

export interface ReportedCost {
  totalUsd: number;
  /** The attribute it was read from (`gen_ai.usage.cost`, `ai.response.providerMetadata`, or a trusted one). */
  from: string;
  /** Prompt-side part (`llm.cost.prompt`), when reported. */
  inputUsd?: number;
  /** Completion-side part (`llm.cost.completion`), when reported. */
  outputUsd?: number;
}

/**
 * The billed cost on the span, when one of the accepted sources carries a non-zero one. A zero
 * is not proof that a call was free: such spans are priced.
 *
 * @param trusted attribute names the user trusts as billed costs in USD (checked first)
 */
export function readReportedCost(attributes: Attributes, trusted?: readonly string[]): ReportedCost | undefined {
  if (trusted !== undefined) {
    for (const key of trusted) {
      const totalUsd = readNonNegative(attributes, [key], MAX_REPORTED_COST_USD);
      if (totalUsd === undefined || totalUsd === 0) continue;
      const reported: ReportedCost = { totalUsd, from: key };
      if (key === OPENINFERENCE_TOTAL) addOpenInferenceParts(attributes, reported);
      return reported;
    }
  }

  // The two keys every span is checked for are written out (`satisfies` keeps them equal to the
  // constants): a bundler turns a constant into a variable, and a read by a variable key costs
  // ~30 ns on a span's attribute object against a few by a literal one (BENCHMARKS.md).
  const source = attributes['gen_ai.usage.cost.source' satisfies typeof SEMCONV_COST_SOURCE_KEY];
  if (typeof source === 'string' && source.toLowerCase() === 'provider') {
    const currency = attributes[SEMCONV_COST_CURRENCY_KEY];
    if (currency === undefined || (typeof currency === 'string' && currency.toUpperCase() === 'USD')) {
      for (const key of SEMCONV_COST_KEYS) {
        const totalUsd = readNonNegative(attributes, [key], MAX_REPORTED_COST_USD);
        if (totalUsd !== undefined && totalUsd > 0) return { totalUsd, from: key };
      }
    }
  }

  if (attributes['ai.response.providerMetadata' satisfies typeof VERCEL_PROVIDER_METADATA_KEY] !== undefined) {
    const billed = readOpenRouterBilledCost(attributes);
    if (billed !== undefined && billed > 0 && billed <= MAX_REPORTED_COST_USD) {
      return { totalUsd: billed, from: VERCEL_PROVIDER_METADATA_KEY };
    }
  }
  return undefined;
}

function addOpenInferenceParts(attributes: Attributes, reported: ReportedCost): void {
  const inputUsd = readNonNegative(attributes, [OPENINFERENCE_PARTS[0]], MAX_REPORTED_COST_USD);
  const outputUsd = readNonNegative(attributes, [OPENINFERENCE_PARTS[1]], MAX_REPORTED_COST_USD);
  if (inputUsd !== undefined) reported.inputUsd = inputUsd;
  if (outputUsd !== undefined) reported.outputUsd = outputUsd;
}
