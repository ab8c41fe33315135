import type { Attributes } from '@opentelemetry/api';
import type { ServiceTier } from '../pricing/types.js';
import { normalizeServiceTier } from './service-tier.js';

/**
 * Vercel AI SDK 6 records two billing facts only inside the JSON string attribute
 * `ai.response.providerMetadata` of its `ai.*.doGenerate` / `ai.*.doStream` spans (and only when
 * `recordOutputs` is on, the default):
 * - OpenAI Responses API: `{"openai":{"responseId":"…","serviceTier":"priority"}}`;
 * - Anthropic's raw usage: `{"anthropic":{"usage":{…,"cache_creation_input_tokens":100,
 *   "cache_creation":{"ephemeral_5m_input_tokens":50,"ephemeral_1h_input_tokens":50},
 *   "service_tier":"priority"},…}}`.
 * See docs/instrumentations.md.
 */
export const VERCEL_PROVIDER_METADATA_KEY = 'ai.response.providerMetadata';

/** Larger values are not parsed (untrusted input: bounds the work done on `span.end()`). */
export const MAX_PROVIDER_METADATA_BYTES = 64 * 1024;

/** What the provider metadata adds to the usage read from the `ai.usage.*` attributes. */
export interface ProviderMetadataFacts {
  /** Anthropic cache writes with a one-hour TTL (part of the span's cache writes). */
  cacheWrite1hTokens?: number;
  /** The tier the provider answered with. */
  serviceTier?: ServiceTier;
}

/**
 * Reads the 1-hour cache-write count and the service tier from a Vercel inference span's
 * `ai.response.providerMetadata`, only when they can change the price: a 1-hour split when the
 * span reports cache writes (`cacheWriteTokens` > 0), a tier when none is known yet
 * (`knownTier` undefined). Otherwise, on any other span, or when the value is not a string of at
 * most {@link MAX_PROVIDER_METADATA_BYTES}, nothing is parsed.
 *
 * Only numeric and enum fields are looked at; ids and any other content in the metadata are
 * never read or copied. Numbers that are not non-negative integers, or contradict the span's
 * cache-write count, are ignored; so is a tier spelling the normalizer does not know, or two
 * providers naming different tiers. Pure and total: never throws, never logs.
 */
export function readVercelProviderMetadata(
  attributes: Attributes,
  cacheWriteTokens: number | undefined,
  knownTier: ServiceTier | undefined,
): ProviderMetadataFacts | undefined {
  const wantSplit = cacheWriteTokens !== undefined && cacheWriteTokens > 0;
  const wantTier = knownTier === undefined;
  if (!wantSplit && !wantTier) return undefined;

  const raw = attributes[VERCEL_PROVIDER_METADATA_KEY];
  if (typeof raw !== 'string' || !withinByteLimit(raw)) return undefined;
  if (!isVercelInferenceSpan(attributes)) return undefined;

  let parsed: unknown;
  try {
    parsed = JSON.parse(raw);
  } catch {
    return undefined;
  }
  if (!isRecord(parsed)) return undefined;

  const anthropic = field(parsed, 'anthropic');
  const anthropicUsage = anthropic === undefined ? undefined : field(anthropic, 'usage');
  const facts: ProviderMetadataFacts = {};

  if (wantSplit && anthropicUsage !== undefined) {
    const oneHour = oneHourWrites(anthropicUsage, cacheWriteTokens as number);
    if (oneHour !== undefined && oneHour > 0) facts.cacheWrite1hTokens = oneHour;
  }

  if (wantTier) {
    const openai = field(parsed, 'openai');
    const fromAnthropic = anthropicUsage === undefined ? undefined : normalizeServiceTier(anthropicUsage.service_tier);
    const fromOpenAI = openai === undefined ? undefined : normalizeServiceTier(openai.serviceTier);
    if (fromAnthropic === undefined || fromOpenAI === undefined || fromAnthropic === fromOpenAI) {
      const tier = fromAnthropic ?? fromOpenAI;
      if (tier !== undefined) facts.serviceTier = tier;
    }
  }

  return facts.cacheWrite1hTokens === undefined && facts.serviceTier === undefined ? undefined : facts;
}

/**
 * `cache_creation.ephemeral_1h_input_tokens` when it fits the span's cache writes: a
 * non-negative integer ≤ the writes, and, where Anthropic's own total
 * (`cache_creation_input_tokens`) or the 5-minute part is given, consistent with them.
 */
function oneHourWrites(usage: Record<string, unknown>, cacheWrites: number): number | undefined {
  const split = field(usage, 'cache_creation');
  if (split === undefined) return undefined;
  const oneHour = split.ephemeral_1h_input_tokens;
  if (!isCount(oneHour) || oneHour > cacheWrites) return undefined;
  const total = usage.cache_creation_input_tokens;
  if (total !== undefined && total !== cacheWrites) return undefined;
  const fiveMinutes = split.ephemeral_5m_input_tokens;
  if (fiveMinutes !== undefined && (!isCount(fiveMinutes) || fiveMinutes + oneHour !== cacheWrites)) return undefined;
  return oneHour;
}

/** `ai.operationId` names one provider call that generates text (not an embedding or rerank). */
function isVercelInferenceSpan(attributes: Attributes): boolean {
  const operation = attributes['ai.operationId'];
  return typeof operation === 'string' && (operation.endsWith('.doGenerate') || operation.endsWith('.doStream'));
}

/** UTF-8 size ≤ the limit, counted only when the length alone cannot decide. */
function withinByteLimit(s: string): boolean {
  if (s.length > MAX_PROVIDER_METADATA_BYTES) return false; // ≥ 1 byte per UTF-16 unit
  if (s.length * 3 <= MAX_PROVIDER_METADATA_BYTES) return true; // ≤ 3 bytes per UTF-16 unit
  let bytes = 0;
  for (let i = 0; i < s.length; i++) {
    const c = s.charCodeAt(i);
    // A surrogate pair is 4 bytes in UTF-8: 2 per unit.
    bytes += c < 0x80 ? 1 : c < 0x800 ? 2 : c >= 0xd800 && c <= 0xdfff ? 2 : 3;
  }
  return bytes <= MAX_PROVIDER_METADATA_BYTES;
}

function isCount(v: unknown): v is number {
  return typeof v === 'number' && Number.isSafeInteger(v) && v >= 0;
}

function isRecord(v: unknown): v is Record<string, unknown> {
  return typeof v === 'object' && v !== null && !Array.isArray(v);
}

/** An own object-valued field (never one inherited from `Object.prototype`). */
function field(o: Record<string, unknown>, key: string): Record<string, unknown> | undefined {
  if (!Object.prototype.hasOwnProperty.call(o, key)) return undefined;
  const v = o[key];
  return isRecord(v) ? v : undefined;
}

/**
 * What OpenRouter billed for a Vercel AI SDK inference span, from
 * `ai.response.providerMetadata` → `openrouter.usage.cost` (USD; `@openrouter/ai-sdk-provider`
 * copies OpenRouter's `usage.cost`, "the total amount charged to your account"), plus
 * `openrouter.usage.costDetails.upstreamInferenceCost` when present (a bring-your-own-key call:
 * the upstream provider bills that on top). Parsed only when the string names `openrouter`, on a
 * `doGenerate` / `doStream` span, within {@link MAX_PROVIDER_METADATA_BYTES}. Undefined when absent
 * or not a finite non-negative number. Never throws.
 */
export function readOpenRouterBilledCost(attributes: Attributes): number | undefined {
  const raw = attributes[VERCEL_PROVIDER_METADATA_KEY];
  if (typeof raw !== 'string' || !raw.includes('"openrouter"') || !withinByteLimit(raw)) return undefined;
  if (!isVercelInferenceSpan(attributes)) return undefined;
  let parsed: unknown;
  try {
    parsed = JSON.parse(raw);
  } catch {
    return undefined;
  }
  if (!isRecord(parsed)) return undefined;
  const openrouter = field(parsed, 'openrouter');
  const usage = openrouter === undefined ? undefined : field(openrouter, 'usage');
  if (usage === undefined) return undefined;
  const cost = usage.cost;
  if (!isUsd(cost)) return undefined;
  const details = field(usage, 'costDetails');
  const upstream = details?.upstreamInferenceCost;
  if (upstream === undefined || upstream === null) return cost;
  return isUsd(upstream) ? cost + upstream : undefined;
}

function isUsd(v: unknown): v is number {
  return typeof v === 'number' && Number.isFinite(v) && v >= 0;
}
