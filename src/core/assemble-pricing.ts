import type { InputAccounting, InputAccountingOverrides } from '../conventions/input-accounting.js';
import { validInterop } from '../interop/cost-interop.js';
import { PriceBook } from '../pricing/price-book.js';
import { normalizeProvider } from '../pricing/providers.js';
import { createPriceBook, type PriceBookHandle } from '../sources/price-source.js';
import type { CostEnrichmentOptions } from './enrichment-options.js';
import type { EnrichmentSettings } from './span-enrichment.js';
import { error, warn } from '../diag.js';

/**
 * How a span is priced, assembled one way for every caller: the processor, the exporter wrapper,
 * the gateway and the report. Words: the *price book* prices a call (option `priceBook`, any
 * `UsagePricer`); *pricing* (option `pricing`) says where its prices come from; a
 * `PriceBookHandle` is a price book kept up to date from those sources, owned by whoever
 * assembled it (it has to be shut down).
 */
export interface AssembledPricing {
  /** What `computeSpanEnrichment` needs, bad option values corrected. */
  settings: EnrichmentSettings;
  /** The price book built from `pricing` and the environment; absent when `priceBook` was given. */
  priceBook?: PriceBookHandle;
}

/**
 * The price book the options name (`priceBook`), else one the caller owns (built from `pricing`
 * and the environment), with the settings shared by the processor, the exporter wrapper, the
 * gateway and the report. Never throws.
 */
export function assemblePricing(options: CostEnrichmentOptions): AssembledPricing {
  if (options.priceBook !== undefined) return { settings: enrichmentSettings(options, options.priceBook) };
  const priceBook = ownedPriceBook(options.pricing);
  return { settings: enrichmentSettings(options, priceBook.priceBook), priceBook };
}

/**
 * A price book kept up to date by the configuration layer (options, then
 * `OTEL_LLM_COST_PRICES_PATH` / `OTEL_LLM_COST_PRICES_URL`, else the embedded table). If it cannot
 * be built, an empty book reports every call unpriced and `diag` says why once.
 */
function ownedPriceBook(options: CostEnrichmentOptions['pricing']): PriceBookHandle {
  try {
    return createPriceBook(options);
  } catch (err) {
    error('could not create the price book; calls will be reported unpriced', err);
    const done = (): Promise<void> => Promise.resolve();
    return { priceBook: new PriceBook({ embedded: false }), ready: done, refresh: done, shutdown: done };
  }
}

/** Builds the settings shared with the exporter wrapper, correcting bad override values. */
export function enrichmentSettings(
  options: CostEnrichmentOptions,
  pricer: EnrichmentSettings['pricer'],
): EnrichmentSettings {
  const settings: EnrichmentSettings = { pricer, normalizeProvider };
  const overrides = validOverrides(options.inputAccounting);
  if (overrides !== undefined) settings.inputAccounting = overrides;
  const trusted = validTrusted(options.trustedCostAttributes);
  if (trusted !== undefined) settings.trustedCostAttributes = trusted;
  const interop = validInterop(options.interop);
  if (interop !== undefined) settings.interop = interop;
  return settings;
}

function validTrusted(value: unknown): string[] | undefined {
  if (value === undefined) return undefined;
  if (!Array.isArray(value)) {
    warn(`trustedCostAttributes must be an array of attribute names, got ${String(value)}; ignored`);
    return undefined;
  }
  const names: string[] = [];
  for (const name of value) {
    if (typeof name === 'string' && name.length > 0) names.push(name);
    else warn(`trustedCostAttributes entry ${String(name)} is not an attribute name; ignored`);
  }
  return names.length > 0 ? names : undefined;
}

function validOverrides(overrides: InputAccountingOverrides | undefined): InputAccountingOverrides | undefined {
  if (overrides === undefined) return undefined;
  const result: InputAccountingOverrides = {};
  for (const field of ['scopes', 'providers'] as const) {
    const table = overrides[field];
    if (table === undefined) continue;
    const clean: Record<string, InputAccounting> = {};
    for (const [key, value] of Object.entries(table)) {
      if (value === 'inclusive' || value === 'additive') clean[key] = value;
      else warn(`inputAccounting.${field}['${key}'] must be 'inclusive' or 'additive', got ${String(value)}; ignored`);
    }
    result[field] = clean;
  }
  return result;
}
