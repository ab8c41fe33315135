import type { CostResult } from '../pricing/types.js';

/**
 * How amounts and rates are printed: a fixed number of significant digits, so that amounts of
 * very different sizes take the same room and line up in a column on the decimal point.
 * JSON output keeps full precision.
 */

/** Significant digits of every printed amount. */
export const SIGNIFICANT_DIGITS = 4;

/** `0.012675` → `0.01268`, `0.0045` → `0.004500`, `2.5` → `2.500`, `0` → `0`. */
export function significant(value: number, digits = SIGNIFICANT_DIGITS): string {
  if (value === 0 || !Number.isFinite(value)) return String(value);
  const magnitude = Math.floor(Math.log10(Math.abs(value)));
  const decimals = Math.min(20, Math.max(0, digits - 1 - magnitude));
  const text = value.toFixed(decimals);
  // Rounding can carry into one more digit (0.0099999 → 0.01000): drop the extra trailing zero.
  const digitsShown = text.replace(/^-?0*\.?0*/, '').replace('.', '').length;
  return digitsShown > digits && decimals > 0 ? value.toFixed(decimals - 1) : text;
}

export function usd(value: number): string {
  return `$${significant(value)}`;
}

/** USD per token → USD per million tokens. */
export function perMillion(rate: number | undefined): number | undefined {
  return rate === undefined ? undefined : Math.round(rate * 1e6 * 1e9) / 1e9;
}

/** Pads a column of numbers so that their decimal points line up (right-aligned integers). */
export function alignDecimals(cells: readonly string[]): string[] {
  const split = cells.map((c) => {
    const dot = c.indexOf('.');
    return dot < 0 ? [c, ''] : [c.slice(0, dot), c.slice(dot)];
  });
  const left = Math.max(0, ...split.map(([l]) => l!.length));
  const right = Math.max(0, ...split.map(([, r]) => r!.length));
  return split.map(([l, r]) => `${l!.padStart(left)}${r!.padEnd(right)}`);
}

/** Lays out rows as columns: every column padded to its widest cell, two spaces between. */
export function columns(rows: readonly (readonly string[])[], rightAligned: ReadonlySet<number> = new Set()): string {
  const widths: number[] = [];
  for (const row of rows) row.forEach((cell, i) => (widths[i] = Math.max(widths[i] ?? 0, cell.length)));
  return (
    rows
      .map((row) =>
        row
          .map((cell, i) =>
            rightAligned.has(i) ? cell.padStart(widths[i]!) : i === row.length - 1 ? cell : cell.padEnd(widths[i]!),
          )
          .join('  ')
          .trimEnd(),
      )
      .join('\n') + '\n'
  );
}

export function tokens(count: number): string {
  return count.toLocaleString('en-US');
}

/**
 * What explains a price book's answer in `--json` output (`price` and `compare`): the table key,
 * how the model matched it, the table, and the parts in USD; all `null` when not priced.
 */
export function pricingJson(result: CostResult): Record<string, unknown> {
  const priced = result.costUsd !== null ? result : undefined;
  return {
    pricing_key: priced?.pricingKey ?? null,
    match: priced?.match ?? null,
    source: priced?.source ?? null,
    breakdown: priced
      ? {
          input_usd: priced.breakdown.input,
          cache_read_usd: priced.breakdown.cacheRead,
          cache_write_usd: priced.breakdown.cacheWrite,
          output_usd: priced.breakdown.output,
        }
      : null,
  };
}
