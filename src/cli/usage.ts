import { MAX_TOKEN_COUNT } from '../conventions/read-attribute.js';
import type { NormalizedUsage, ServiceTier } from '../pricing/types.js';
import { UsageError, show, type OptionSpec } from './args.js';

/** The usage flags shared by `price` and `compare` (semconv token meaning). */
export const USAGE_OPTIONS: OptionSpec = {
  provider: 'string',
  input: 'string',
  output: 'string',
  'cache-read': 'string',
  'cache-write': 'string',
  'cache-write-1h': 'string',
  reasoning: 'string',
  'service-tier': 'string',
};

export const USAGE_HELP = `  --provider P           provider of the call (openai, anthropic, aws.bedrock, azure …)
  --input N              input tokens, including cache reads and cache writes
  --output N             output tokens, including reasoning tokens
  --cache-read N         input tokens read from the prompt cache
  --cache-write N        input tokens written to the prompt cache
  --cache-write-1h N     the part of --cache-write written with a one-hour TTL
  --reasoning N          reasoning tokens (part of --output)
  --service-tier T       standard | batch | priority | flex (default: standard)`;

const SERVICE_TIERS: readonly ServiceTier[] = ['standard', 'batch', 'priority', 'flex'];

/**
 * The usage of one call from the flags, model aside. Counts are whole numbers up to the
 * library's own bound on a span's token count (larger ones make a span `invalid_usage`).
 */
export function usageFromFlags(values: Record<string, string | boolean | undefined>): Omit<NormalizedUsage, 'model'> {
  const count = (name: string): number | undefined => {
    const value = values[name];
    if (value === undefined || typeof value !== 'string') return undefined;
    if (!/^\d+$/.test(value)) throw new UsageError(`--${name} must be a whole number of tokens, got "${show(value)}"`);
    const n = Number(value);
    if (n > MAX_TOKEN_COUNT) {
      throw new UsageError(
        `--${name} must be at most ${MAX_TOKEN_COUNT.toLocaleString('en-US')} tokens ` +
          `(the bound the library applies to one call), got ${show(value)}`,
      );
    }
    return n;
  };
  const cacheRead = count('cache-read');
  const cacheWrite = count('cache-write');
  const cacheWrite1h = count('cache-write-1h');
  const reasoning = count('reasoning');
  // Semconv meaning: input includes cache reads and writes, output includes reasoning.
  // An omitted total is the smallest one consistent with its parts.
  const cacheParts = (cacheRead ?? 0) + (cacheWrite ?? 0);
  const input = count('input') ?? (cacheRead !== undefined || cacheWrite !== undefined ? cacheParts : undefined);
  const output = count('output') ?? reasoning;
  if (cacheWrite1h !== undefined && cacheWrite1h > (cacheWrite ?? 0)) {
    throw new UsageError(
      '--cache-write-1h is the part of --cache-write with a one-hour TTL: it cannot exceed --cache-write',
    );
  }
  if (input !== undefined && cacheParts > input) {
    throw new UsageError(
      '--input includes cache reads and writes: it cannot be less than --cache-read + --cache-write',
    );
  }
  if (input !== undefined && input > MAX_TOKEN_COUNT) {
    throw new UsageError(
      `--cache-read + --cache-write must be at most ${MAX_TOKEN_COUNT.toLocaleString('en-US')} tokens`,
    );
  }
  if (reasoning !== undefined && output !== undefined && reasoning > output) {
    throw new UsageError('--output includes reasoning tokens: it cannot be less than --reasoning');
  }
  const tier = values['service-tier'];
  if (tier !== undefined && !(SERVICE_TIERS as readonly unknown[]).includes(tier)) {
    throw new UsageError(`--service-tier must be one of ${SERVICE_TIERS.join(', ')}, got "${show(String(tier))}"`);
  }
  const usage: Omit<NormalizedUsage, 'model'> = {};
  if (typeof values['provider'] === 'string') usage.provider = values['provider'];
  if (input !== undefined) usage.inputTokens = input;
  if (output !== undefined) usage.outputTokens = output;
  if (cacheRead !== undefined) usage.cacheReadTokens = cacheRead;
  if (cacheWrite !== undefined) usage.cacheWriteTokens = cacheWrite;
  if (cacheWrite1h !== undefined) usage.cacheWrite1hTokens = cacheWrite1h;
  if (reasoning !== undefined) usage.reasoningTokens = reasoning;
  if (tier !== undefined) usage.serviceTier = tier as ServiceTier;
  return usage;
}

/** The usage as printed in JSON output. */
export function usageJson(usage: NormalizedUsage): Record<string, unknown> {
  return {
    input_tokens: usage.inputTokens ?? null,
    output_tokens: usage.outputTokens ?? null,
    cache_read_tokens: usage.cacheReadTokens ?? null,
    cache_write_tokens: usage.cacheWriteTokens ?? null,
    cache_write_1h_tokens: usage.cacheWrite1hTokens ?? null,
    reasoning_tokens: usage.reasoningTokens ?? null,
    service_tier: usage.serviceTier ?? 'standard',
  };
}
