import type { Attributes } from '@opentelemetry/api';
import { readNonNegative } from './read-attribute.js';

/**
 * Attributes on which a cost in USD is found in the wild, first match wins:
 * - `llm.cost.total`: OpenInference semantic conventions (`LLM_COST_TOTAL`, "total cost of the
 *   LLM call in USD"), with `llm.cost.prompt` / `llm.cost.completion` as its parts;
 * - `gen_ai.usage.cost`: the attribute Langfuse reads as the call's cost, set by gateways and
 *   SDKs that receive a billed cost from the provider (e.g. OpenRouter's `usage.cost`).
 */
const REPORTED_TOTAL_KEYS = ['llm.cost.total', 'gen_ai.usage.cost'] as const;

/** A cost larger than this for one call is not believed (corrupted or hostile attribute). */
export const MAX_REPORTED_COST_USD = 100_000;

export interface ReportedCost {
  totalUsd: number;
  /** Prompt-side part (`llm.cost.prompt`), when reported. */
  inputUsd?: number;
  /** Completion-side part (`llm.cost.completion`), when reported. */
  outputUsd?: number;
}

/**
 * The cost the provider (or the instrumentation, from the provider's answer) put on the span,
 * when it is there and non-zero. A zero is not proof that a call was free: such spans are priced.
 */
export function readReportedCost(attributes: Attributes): ReportedCost | undefined {
  const totalUsd = readNonNegative(attributes, REPORTED_TOTAL_KEYS, MAX_REPORTED_COST_USD);
  if (totalUsd === undefined || totalUsd === 0) return undefined;
  const reported: ReportedCost = { totalUsd };
  const inputUsd = readNonNegative(attributes, ['llm.cost.prompt'], MAX_REPORTED_COST_USD);
  const outputUsd = readNonNegative(attributes, ['llm.cost.completion'], MAX_REPORTED_COST_USD);
  if (inputUsd !== undefined) reported.inputUsd = inputUsd;
  if (outputUsd !== undefined) reported.outputUsd = outputUsd;
  return reported;
}
