import type { PriceEntry, Rates, ServiceTier } from '../pricing/types.js';
import { perMillion } from './format.js';

/**
 * The rates of an entry as the CLI shows them: USD per million tokens, for one service tier
 * (a class the tier does not price falls back to the standard rate, as in pricing). Only
 * classes the table prices appear; `null` in JSON means "not priced", never 0.
 */
export interface ShownRates {
  input_per_mtok: number | null;
  output_per_mtok: number | null;
  cache_read_per_mtok: number | null;
  cache_write_per_mtok: number | null;
  cache_write_1h_per_mtok: number | null;
  reasoning_per_mtok: number | null;
}

export function ratesOf(entry: PriceEntry, tier: ServiceTier = 'standard'): ShownRates {
  const special = tier === 'standard' ? undefined : entry.serviceTiers?.[tier];
  return shown(entry.rates, special);
}

/** Long-context cliffs: above `above` input tokens, every class is billed at these rates. */
export function longContextOf(
  entry: PriceEntry,
  tier: ServiceTier = 'standard',
): { above_tokens: number; rates: ShownRates }[] {
  return (entry.longContext ?? []).map((t) => {
    const special = tier === 'standard' ? undefined : t.serviceTiers?.[tier];
    return { above_tokens: t.above, rates: shown({ ...entry.rates, ...defined(t.rates) }, special) };
  });
}

function shown(base: Rates, special: Rates | undefined): ShownRates {
  const pick = (k: keyof Rates): number | null => perMillion(special?.[k] ?? base[k]) ?? null;
  const write5m = pick('cacheWrite5m');
  return {
    input_per_mtok: pick('input'),
    output_per_mtok: pick('output'),
    cache_read_per_mtok: pick('cacheRead'),
    cache_write_per_mtok: write5m,
    cache_write_1h_per_mtok: pick('cacheWrite1h') ?? write5m,
    reasoning_per_mtok: pick('reasoning') ?? pick('output'),
  };
}

function defined(rates: Rates): Rates {
  const out: Rates = {};
  for (const [k, v] of Object.entries(rates)) if (v !== undefined) out[k as keyof Rates] = v;
  return out;
}
