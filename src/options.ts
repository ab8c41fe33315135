import { warn } from './diag.js';

/**
 * Option checks shared by every constructor: a bad value is corrected to the default with one
 * `diag.warn` naming the option, never thrown (docs/architecture.md, "Options").
 */

/** An integer from `min` to `max` (default: a positive integer), else `fallback` with a warning. */
export function integerOption(
  value: unknown,
  name: string,
  fallback: number,
  min = 1,
  max = Number.MAX_SAFE_INTEGER,
): number {
  if (value === undefined) return fallback;
  if (typeof value === 'number' && Number.isSafeInteger(value) && value >= min && value <= max) return value;
  warnInvalid(name, value, integerRange(min, max), fallback);
  return fallback;
}

/** How an integer range is named in warnings. */
export function integerRange(min: number, max = Number.MAX_SAFE_INTEGER): string {
  return min === 1 && max === Number.MAX_SAFE_INTEGER ? 'a positive integer' : `an integer from ${min} to ${max}`;
}

/** A finite number above 0, else `fallback` (`undefined`: the caller's own default) with a warning. */
export function positiveNumberOption<F extends number | undefined>(
  value: unknown,
  name: string,
  fallback: F,
): number | F {
  if (value === undefined) return fallback;
  if (isPositiveNumber(value)) return value;
  warnInvalid(name, value, 'a positive number', fallback);
  return fallback;
}

export function isPositiveNumber(value: unknown): value is number {
  return typeof value === 'number' && Number.isFinite(value) && value > 0;
}

/** `option NAME=VALUE is invalid (EXPECTED is expected); using FALLBACK`: the one wording. */
export function warnInvalid(name: string, value: unknown, expected: string, fallback: unknown): void {
  const using = fallback === undefined ? 'the default' : String(fallback);
  warn(`option ${name}=${String(value)} is invalid (${expected} is expected); using ${using}`);
}
