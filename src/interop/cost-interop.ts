import { type Attributes } from '@opentelemetry/api';
import {
  ATTR_LANGFUSE_COST_DETAILS,
  ATTR_OPENINFERENCE_COST_COMPLETION,
  ATTR_OPENINFERENCE_COST_PROMPT,
  ATTR_OPENINFERENCE_COST_PROMPT_CACHE_READ,
  ATTR_OPENINFERENCE_COST_PROMPT_CACHE_WRITE,
  ATTR_OPENINFERENCE_COST_PROMPT_INPUT,
  ATTR_OPENINFERENCE_COST_TOTAL,
  ATTR_SEMCONV_COST_AMOUNT,
  ATTR_SEMCONV_COST_CURRENCY,
  ATTR_SEMCONV_COST_SOURCE,
} from '../attributes.js';
import { round12 } from '../pricing/price.js';
import type { PricedCallCost, ReportedCallCost } from '../pricing/call-cost.js';
import { warn } from '../diag.js';

/**
 * Also write each priced call's cost under the attribute names other tools read, one switch per
 * tool. Every switch is off by default: our own `gen_ai.usage.cost_usd` and `gen_ai.cost.*` are
 * always written. Names and sources: docs/interop.md.
 */
export interface CostInteropOptions {
  /**
   * Langfuse's OpenTelemetry ingestion: `langfuse.observation.cost_details`, a JSON object of USD
   * per usage type (`input`, `input_cache_read`, `input_cache_creation`, `output`, `total`), which
   * Langfuse takes as the observation's cost instead of inferring one. Default: `false`.
   */
  langfuse?: boolean;
  /**
   * OpenInference / Arize Phoenix: `llm.cost.total`, `llm.cost.prompt`, `llm.cost.completion` and
   * `llm.cost.prompt_details.{input,cache_read,cache_write}`. Default: `false`.
   */
  openInference?: boolean;
  /**
   * The open GenAI semantic-conventions proposal for cost: `gen_ai.usage.cost.amount`,
   * `gen_ai.usage.cost.currency` (`USD`), `gen_ai.usage.cost.source` (`local` when priced from the
   * table, `provider` when the instrumentation recorded a cost the provider returned).
   * Default: `false`.
   */
  semconvProposal?: boolean;
}

const TARGETS = ['langfuse', 'openInference', 'semconvProposal'] as const;

/** The switches that are on, corrected: an unknown key or a non-boolean value is warned about and ignored. */
export function validInterop(options: unknown): CostInteropOptions | undefined {
  if (options === undefined) return undefined;
  if (options === null || typeof options !== 'object' || Array.isArray(options)) {
    warn('interop must be an object such as { openInference: true }; ignored');
    return undefined;
  }
  const result: CostInteropOptions = {};
  for (const [key, value] of Object.entries(options)) {
    if (!(TARGETS as readonly string[]).includes(key)) {
      warn(`unknown interop target '${key}' (known: ${TARGETS.join(', ')}); ignored`);
    } else if (typeof value !== 'boolean') {
      warn(`interop.${key} must be true or false, got ${String(value)}; ignored`);
    } else if (value) {
      result[key as (typeof TARGETS)[number]] = true;
    }
  }
  return result.langfuse || result.openInference || result.semconvProposal ? result : undefined;
}

/**
 * The attributes the enabled targets want for a call with a cost, leaving out any key the span
 * already carries (an instrumentation's own reported cost is never overwritten). A reported cost
 * (the provider's figure, not a table's) has its parts written only when the span's own parts
 * added up.
 */
export function interopAttributes(
  cost: PricedCallCost | ReportedCallCost,
  options: CostInteropOptions,
  existing: Attributes,
): Attributes {
  const reported = cost.kind === 'reported';
  const b = cost.breakdown;
  const out: Attributes = {};
  const put = (key: string, value: string | number): void => {
    if (existing[key] === undefined) out[key] = value;
  };

  if (options.semconvProposal) {
    put(ATTR_SEMCONV_COST_AMOUNT, cost.costUsd);
    put(ATTR_SEMCONV_COST_CURRENCY, 'USD');
    put(ATTR_SEMCONV_COST_SOURCE, reported ? 'provider' : 'local');
  }
  if (options.openInference) {
    put(ATTR_OPENINFERENCE_COST_TOTAL, cost.costUsd);
    if (b !== undefined) {
      put(ATTR_OPENINFERENCE_COST_PROMPT, round12(b.input + b.cacheRead + b.cacheWrite));
      put(ATTR_OPENINFERENCE_COST_COMPLETION, b.output);
      put(ATTR_OPENINFERENCE_COST_PROMPT_INPUT, b.input);
      put(ATTR_OPENINFERENCE_COST_PROMPT_CACHE_READ, b.cacheRead);
      put(ATTR_OPENINFERENCE_COST_PROMPT_CACHE_WRITE, b.cacheWrite);
    }
  }
  if (options.langfuse) {
    const details: Record<string, number> =
      b !== undefined
        ? {
            input: b.input,
            input_cache_read: b.cacheRead,
            input_cache_creation: b.cacheWrite,
            output: b.output,
            total: cost.costUsd,
          }
        : { total: cost.costUsd };
    put(ATTR_LANGFUSE_COST_DETAILS, JSON.stringify(details));
  }
  return out;
}
