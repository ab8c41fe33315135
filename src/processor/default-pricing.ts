import type { UsagePricer } from './span-enrichment.js';

/** The pricing a processor builds for itself when no `priceBook` is given. */
export interface PricingHandle {
  pricer: UsagePricer;
  ready(): Promise<void>;
  shutdown(): Promise<void>;
}

/** Placeholder until the configuration layer lands: prices nothing. */
export function createDefaultPricing(): PricingHandle {
  return {
    pricer: { price: () => ({ costUsd: null, reason: 'unknown_model' }) },
    ready: () => Promise.resolve(),
    shutdown: () => Promise.resolve(),
  };
}
