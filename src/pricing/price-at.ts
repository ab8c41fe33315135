import type { PriceEntry, Resolution } from './types.js';

/**
 * Prices in time: which of a model's prices applies to a call made at a given instant.
 *
 * Two things make a price depend on the time of the call:
 * - dated periods of one entry (`PriceEntry.periods`, genai-prices' `start_date` constraints):
 *   the last period that began at or before the call, else the first (genai-prices' own rule);
 * - an entry with an effective date (`PriceEntry.effectiveFrom`, an override's
 *   `effective_date`): before that date the model is priced by the next source that knows it
 *   (`Resolution.before`), as if the entry did not exist.
 * An entry with neither is returned as is: two property reads, nothing else on the hot path.
 */

/** The entry's prices in force at `at` (milliseconds since the epoch). */
export function entryAt(entry: PriceEntry, at: number): PriceEntry {
  const periods = entry.periods;
  if (periods === undefined || periods.length === 0) return entry;
  for (let i = periods.length - 1; i > 0; i--) {
    const period = periods[i]!;
    if (at >= period.from) return period.entry;
  }
  return periods[0]!.entry;
}

/** The resolution in force at `at`: `undefined` when only a source that begins later knows the
 * model. */
export function resolutionAt(resolution: Resolution, at: number): Resolution | undefined {
  let r: Resolution | undefined = resolution;
  while (r !== undefined && r.entry.effectiveFrom !== undefined && at < r.entry.effectiveFrom) r = r.before;
  if (r === undefined) return undefined;
  const entry = entryAt(r.entry, at);
  return entry === r.entry ? r : { entry, match: r.match };
}

/** Whether the price of `entry` may depend on the time of the call. */
export function isDated(entry: PriceEntry): boolean {
  return entry.periods !== undefined || entry.effectiveFrom !== undefined;
}

/** The time of a call: `at` when it is a finite number of milliseconds, else now. */
export function callTime(at: unknown): number {
  return typeof at === 'number' && Number.isFinite(at) ? at : Date.now();
}

const DATE_ONLY = /^\d{4}-\d{2}-\d{2}$/;
const DATE_TIME = /^(\d{4}-\d{2}-\d{2})[T ](\d{2}:\d{2}(?::\d{2}(?:\.\d{1,9})?)?)(Z|[+-]\d{2}:\d{2})?$/i;

/**
 * An ISO date (`2026-09-01`, midnight UTC, as genai-prices reads its `start_date`) or date-time
 * (`2026-09-01T12:00:00Z`, `2026-09-01T14:00+02:00`; without an offset it is UTC, so the
 * machine's time zone never changes a price) → milliseconds since the epoch, or `undefined`.
 */
export function parseInstant(text: unknown): number | undefined {
  if (typeof text !== 'string') return undefined;
  const t = text.trim();
  let iso: string;
  if (DATE_ONLY.test(t)) iso = `${t}T00:00:00Z`;
  else {
    const m = DATE_TIME.exec(t);
    if (m === null) return undefined;
    iso = `${m[1]}T${m[2]}${(m[3] ?? 'Z').toUpperCase()}`;
  }
  // Refuse a day that is not on the calendar (2026-02-30) rather than roll it over.
  const [y, mo, d] = t.slice(0, 10).split('-').map(Number) as [number, number, number];
  if (new Date(Date.UTC(y, mo - 1, d)).getUTCDate() !== d) return undefined;
  const ms = Date.parse(iso);
  return Number.isNaN(ms) ? undefined : ms;
}
