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
 * Reads a token count from the first of `keys` that is present. Span attributes are untrusted:
 * a present value that is not a non-negative integer no larger than {@link MAX_TOKEN_COUNT}
 * (a string, an array, NaN, a negative or a fraction) is recorded in `problems` and read as absent.
 * A later key never rescues an invalid earlier one: the instrumentation said something wrong.
 */
export function readCount(attributes: Attributes, keys: readonly string[], problems: ReadProblems): number | undefined {
  for (let i = 0; i < keys.length; i++) {
    const key = keys[i] as string;
    const value = attributes[key];
    if (value === undefined || value === null) continue;
    if (typeof value === 'number' && Number.isInteger(value) && value >= 0 && value <= MAX_TOKEN_COUNT) {
      return value;
    }
    problems.invalidKey ??= key;
    return undefined;
  }
  return undefined;
}

/** Reads the first of `keys` holding a non-empty string (other types are ignored). */
export function readString(attributes: Attributes, keys: readonly string[]): string | undefined {
  for (let i = 0; i < keys.length; i++) {
    const value = attributes[keys[i] as string];
    if (typeof value === 'string' && value.length > 0) return value;
  }
  return undefined;
}

/**
 * Reads a finite, non-negative number no larger than `max` from the first of `keys` that is
 * present; anything else is read as absent.
 */
export function readNonNegative(attributes: Attributes, keys: readonly string[], max: number): number | undefined {
  for (let i = 0; i < keys.length; i++) {
    const value = attributes[keys[i] as string];
    if (value === undefined || value === null) continue;
    if (typeof value === 'number' && Number.isFinite(value) && value >= 0 && value <= max) return value;
    return undefined;
  }
  return undefined;
}
