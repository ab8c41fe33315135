import type { Attributes } from '@opentelemetry/api';

/**
 * The largest token count accepted from a span. No model takes more than a few million tokens in
 * one call; anything above this is a corrupted or hostile attribute, not usage.
 */
export const MAX_TOKEN_COUNT = 1_000_000_000;

/** Collects the first attribute that was present but unusable while reading a span. */
export interface ReadProblems {
  /** Key of the first present attribute whose value could not be used as a count. */
  invalidKey?: string;
}

/**
 * Whether a present attribute value is usable as a token count. Span attributes are untrusted:
 * a value that is not a non-negative integer no larger than {@link MAX_TOKEN_COUNT} (a string,
 * an array, NaN, a negative or a fraction) is not.
 */
export function isTokenCount(value: unknown): value is number {
  return typeof value === 'number' && Number.isInteger(value) && value >= 0 && value <= MAX_TOKEN_COUNT;
}

/**
 * Reads a finite, non-negative number no larger than `max` from the first of `keys` that is
 * present; anything else is read as absent.
 */
export function readNonNegative(attributes: Attributes, keys: readonly string[], max: number): number | undefined {
  for (let i = 0; i < keys.length; i++) {
    const value = attributes[keys[i] as string];
    if (value === undefined || value === null) continue;
    return nonNegative(value, max);
  }
  return undefined;
}

/** `value` when it is a finite, non-negative number no larger than `max`; else `undefined`. */
export function nonNegative(value: unknown, max: number): number | undefined {
  return typeof value === 'number' && Number.isFinite(value) && value >= 0 && value <= max ? value : undefined;
}
