import type { PriceSourceOptions } from '../config.js';
import { createPriceBook } from '../sources/price-source.js';
import type { UsagePricer } from './span-enrichment.js';
import { error } from '../diag.js';

/** The pricing a processor builds for itself when no `priceBook` is given. */
export interface PricingHandle {
  pricer: UsagePricer;
  ready(): Promise<void>;
  shutdown(): Promise<void>;
}

/**
 * A price book kept up to date by the configuration layer (options, then
 * `OTEL_LLM_COST_PRICES_PATH` / `OTEL_LLM_COST_PRICES_URL`, else the embedded table). Never
 * throws: if it cannot be built, every call is reported unpriced and `diag` says why once.
 */
export function createDefaultPricing(options?: PriceSourceOptions): PricingHandle {
  try {
    const source = createPriceBook(options);
    return { pricer: source.priceBook, ready: () => source.ready(), shutdown: () => source.shutdown() };
  } catch (err) {
    error('could not create the price book; calls will be reported unpriced', err);
    return {
      pricer: { price: () => ({ costUsd: null, reason: 'unknown_model' }) },
      ready: () => Promise.resolve(),
      shutdown: () => Promise.resolve(),
    };
  }
}
