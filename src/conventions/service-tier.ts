import type { Attributes } from '@opentelemetry/api';
import type { ServiceTier } from '../pricing/types.js';

/**
 * Service-tier attributes, the tier the provider answered with first (a request for `auto`
 * is resolved in the response): semconv `openai.*` names, their deprecated `gen_ai.openai.*`
 * forms, then a generic request attribute.
 */
export const SERVICE_TIER_KEYS: readonly string[] = [
  'openai.response.service_tier',
  'gen_ai.openai.response.service_tier',
  'gen_ai.response.service_tier',
  'openai.request.service_tier',
  'gen_ai.openai.request.service_tier',
  'gen_ai.request.service_tier',
];

/**
 * Provider spellings of a tier. OpenAI answers `default` (standard), `flex`, `priority` or
 * `scale` (reserved capacity, billed by contract: priced as standard); Anthropic answers
 * `standard`, `priority` or `batch`. `auto` (a request that was never resolved) is standard.
 */
const TIERS: ReadonlyMap<string, ServiceTier> = new Map([
  ['default', 'standard'],
  ['standard', 'standard'],
  ['auto', 'standard'],
  ['scale', 'standard'],
  ['flex', 'flex'],
  ['priority', 'priority'],
  ['batch', 'batch'],
]);

/** A provider's tier spelling as a {@link ServiceTier}; undefined for anything else (non-strings too). */
export function normalizeServiceTier(value: unknown): ServiceTier | undefined {
  return typeof value === 'string' ? TIERS.get(value.toLowerCase()) : undefined;
}

/** The service tier of a call, or undefined when the span does not say or says something unknown. */
export function readServiceTier(attributes: Attributes): ServiceTier | undefined {
  for (const key of SERVICE_TIER_KEYS) {
    const value = attributes[key];
    if (value === undefined) continue;
    return normalizeServiceTier(value);
  }
  return undefined;
}
