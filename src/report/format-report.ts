import type { ReportFigures, ReportResult } from './report-aggregator.js';

export type ReportFormat = 'table' | 'csv' | 'json';
export const REPORT_FORMATS: readonly ReportFormat[] = ['table', 'csv', 'json'];

/** The report in the given format, ending with a newline. */
export function formatReport(report: ReportResult, by: readonly string[], format: ReportFormat): string {
  if (format === 'json') return `${JSON.stringify(report)}\n`;
  if (format === 'csv') return toCsv(report, by);
  return toTable(report, by);
}

/** Figure columns of the CSV and the table, in order. */
function figureColumns(report: ReportResult): (keyof ReportFigures)[] {
  const columns: (keyof ReportFigures)[] = [
    'calls',
    'priced_calls',
    'unpriced_calls',
    'input_tokens',
    'output_tokens',
    'cache_read_tokens',
    'cache_write_tokens',
    'reasoning_tokens',
    'cost_usd',
    'cache_hit_rate',
    'cache_net_savings_usd',
  ];
  if (report.total.repriced_cost_usd !== undefined)
    columns.push('repriced_cost_usd', 'repriced_unpriced_calls', 'difference_usd');
  return columns;
}

/**
 * CSV (RFC 4180): one row per group, the `--by` dimensions first, then the figures with their
 * JSON names; a last row holds the total, with `(total)` in the first dimension column.
 */
function toCsv(report: ReportResult, by: readonly string[]): string {
  const columns = figureColumns(report);
  const rows: string[] = [[...by, ...columns].map(csvCell).join(',')];
  for (const g of report.groups)
    rows.push([...by.map((d) => g.key[d] ?? ''), ...columns.map((c) => g[c] ?? '')].map(csvCell).join(','));
  rows.push(
    [...by.map((_, i) => (i === 0 ? '(total)' : '')), ...columns.map((c) => report.total[c] ?? '')]
      .map(csvCell)
      .join(','),
  );
  return `${rows.join('\r\n')}\r\n`;
}

function csvCell(v: string | number | null): string {
  const s = v === null ? '' : String(v);
  return /[",\r\n]/.test(s) ? `"${s.replace(/"/g, '""')}"` : s;
}

const TABLE_HEADERS: Partial<Record<keyof ReportFigures, string>> = {
  calls: 'calls',
  unpriced_calls: 'unpriced',
  input_tokens: 'input',
  output_tokens: 'output',
  cache_read_tokens: 'cache read',
  cache_write_tokens: 'cache write',
  reasoning_tokens: 'reasoning',
  cost_usd: 'cost USD',
  cache_hit_rate: 'cache hit',
  cache_net_savings_usd: 'cache net USD',
  repriced_cost_usd: 'repriced USD',
  difference_usd: 'difference USD',
};

/** A plain-text table for a terminal: one line per group, then the total, unpriced and top traces. */
function toTable(report: ReportResult, by: readonly string[]): string {
  const columns = figureColumns(report).filter((c) => TABLE_HEADERS[c] !== undefined);
  const cell = (f: ReportFigures, c: keyof ReportFigures): string => {
    const v = f[c];
    if (v === null || v === undefined) return '—';
    if (c === 'cache_hit_rate') return `${(v * 100).toFixed(1)}%`;
    if (c.endsWith('_usd')) return money(v);
    return v.toLocaleString('en-US');
  };
  const header = [...by, ...columns.map((c) => TABLE_HEADERS[c] as string)];
  const body = report.groups.map((g) => [...by.map((d) => g.key[d] ?? '(none)'), ...columns.map((c) => cell(g, c))]);
  const total = [...by.map((_, i) => (i === 0 ? 'total' : '')), ...columns.map((c) => cell(report.total, c))];
  const all = [header, ...body, total];
  const widths = header.map((_, i) => Math.max(...all.map((r) => (r[i] as string).length)));
  const line = (r: string[]): string =>
    r
      .map((v, i) => (i < by.length ? v.padEnd(widths[i] as number) : v.padStart(widths[i] as number)))
      .join('  ')
      .trimEnd();
  const rule = widths.map((w) => '─'.repeat(w)).join('  ');
  const out = [`window: ${report.from ?? '—'} … ${report.to ?? '—'}`];
  if (report.reprice !== undefined) {
    const as = report.reprice.as_model !== null ? ` as ${report.reprice.as_model}` : '';
    out.push(
      `repriced${as} with ${report.reprice.prices === 'default' ? 'the default prices' : report.reprice.prices}; ` +
        'cost USD is the cost on the spans (or the default prices)',
    );
  }
  out.push('', line(header), rule, ...body.map(line), rule, line(total));
  if (report.unpriced.length > 0) {
    out.push('', 'not priced (left out of cost):');
    for (const u of report.unpriced)
      out.push(`  ${u.model ?? '(no model)'}: ${u.reason}, ${u.calls.toLocaleString('en-US')} calls`);
  }
  if (report.top_traces !== undefined) {
    out.push('', 'most expensive traces:');
    for (const t of report.top_traces) {
      out.push(
        `  ${t.trace_id}  ${money(t.cost_usd)}  ${t.calls} calls  ${t.service ?? ''}  ${t.start ?? ''}`.trimEnd(),
      );
    }
  }
  return `${out.join('\n')}\n`;
}

/** Dollars to a millionth: a single small call still shows. */
function money(v: number): string {
  return v.toFixed(6);
}
