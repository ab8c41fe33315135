/**
 * `llm-cost report [INPUT…]`: where the money went, from stored spans (docs/report.md).
 *
 * Exit status: 0 report printed (bad input lines, if any, were reported on stderr and skipped);
 * 1 bad arguments, an input that cannot be read, a `--prices` table that cannot be loaded, a
 * Jaeger error, or a bad line with `--strict`.
 */
import { diag, DiagLogLevel } from '@opentelemetry/api';
import { parseArgs } from 'node:util';
import { ENV_PRICES_PATH, ENV_PRICES_URL, redactUrl } from '../sources/config.js';
import { createPriceBook, type PriceBookHandle } from '../sources/price-source.js';
import { openPrices, PricesError } from './prices.js';
import { expandInputs, readLines, totalBytes } from '../report/file-input.js';
import { formatReport, REPORT_FORMATS, type ReportFormat } from '../report/format-report.js';
import { checkDimension } from '../report/group-key.js';
import { countTraces, fetchJaegerTraces } from '../report/jaeger-input.js';
import { SpanPricer, type ReportPricing } from '../report/price-span.js';
import { Progress } from '../report/progress.js';
import { ReportAggregator, type RepriceInfo } from '../report/report-aggregator.js';
import { parseTime, ReportRun } from '../report/report-run.js';

export const REPORT_USAGE = `Usage: llm-cost report [INPUT…] [options]
       llm-cost report --jaeger URL --service S [options]

Sums the cost of the LLM calls in stored spans. INPUT: files written by the Collector's
\`file\` exporter (one OTLP/JSON request per line, plain or gzip), glob patterns, or - for
standard input (the default when no INPUT and no --jaeger is given).

Options:
  --jaeger URL           read from a Jaeger v2 query service (API v3), e.g. http://localhost:16686
  --service S            the service to read from Jaeger (required with --jaeger)
  --jaeger-limit N       most traces Jaeger returns for the window (default: 1000)
  --from T, --to T       window on span start: ISO date/time or a duration back from now
                         (30m, 24h, 7d, 2w); with --jaeger --from defaults to 24h
  --by KEY               group by model, provider, service, operation, agent, day, hour or
                         attr:NAME (repeatable; default: model)
  --top-traces N         also list the N most expensive traces
  --format F             table | csv | json (default: table on a terminal, else json)
  --reprice              price every call again from its token counts, beside the cost on
                         the span, and show the difference
  --prices FILE|URL      reprice with this LiteLLM-format table (implies --reprice)
  --as-model MODEL       reprice as if every call had used MODEL (implies --reprice)
  --strict               stop at the first bad input line instead of skipping it
  -h, --help             show this help

Prices: spans that carry gen_ai.usage.cost_usd keep it; others are priced with
${ENV_PRICES_PATH} / ${ENV_PRICES_URL}, else the embedded prices.
`;

class UsageError extends Error {}

interface ReportCommand {
  inputs: string[];
  jaeger?: { url: string; service: string; limit: number };
  fromMs?: number;
  toMs?: number;
  by: string[];
  topTraces: number;
  format: ReportFormat;
  reprice: boolean;
  prices?: string;
  asModel?: string;
  strict: boolean;
}

function parseCommand(argv: string[], now: number): ReportCommand | 'help' {
  let parsed;
  try {
    parsed = parseArgs({
      args: argv,
      allowPositionals: true,
      strict: true,
      options: {
        jaeger: { type: 'string' },
        service: { type: 'string' },
        'jaeger-limit': { type: 'string' },
        from: { type: 'string' },
        to: { type: 'string' },
        by: { type: 'string', multiple: true },
        'top-traces': { type: 'string' },
        format: { type: 'string' },
        reprice: { type: 'boolean' },
        prices: { type: 'string' },
        'as-model': { type: 'string' },
        strict: { type: 'boolean' },
        help: { type: 'boolean', short: 'h' },
      },
    });
  } catch (err) {
    throw new UsageError((err as Error).message);
  }
  const { values, positionals } = parsed;
  if (values.help) return 'help';
  const whole = (name: string, value: string | undefined, fallback: number, min: number): number => {
    if (value === undefined) return fallback;
    if (!/^\d+$/.test(value) || Number(value) < min)
      throw new UsageError(`--${name} must be a whole number ≥ ${min}, got ${JSON.stringify(value)}`);
    return Number(value);
  };
  const time = (name: string, value: string | undefined): number | undefined => {
    if (value === undefined) return undefined;
    const ms = parseTime(value, now);
    if (typeof ms === 'string') throw new UsageError(`--${name}: ${ms}`);
    return ms;
  };
  const by = values.by ?? ['model'];
  for (const d of by) {
    const problem = checkDimension(d);
    if (problem !== undefined) throw new UsageError(problem);
  }
  const format = values.format ?? (process.stdout.isTTY ? 'table' : 'json');
  if (!(REPORT_FORMATS as readonly string[]).includes(format)) {
    throw new UsageError(`--format must be one of ${REPORT_FORMATS.join(', ')}, got ${JSON.stringify(format)}`);
  }
  const command: ReportCommand = {
    inputs: positionals,
    fromMs: time('from', values.from),
    toMs: time('to', values.to),
    by,
    topTraces: whole('top-traces', values['top-traces'], 0, 1),
    format: format as ReportFormat,
    reprice: values.reprice === true || values.prices !== undefined || values['as-model'] !== undefined,
    strict: values.strict === true,
  };
  if (command.fromMs !== undefined && command.toMs !== undefined && command.fromMs >= command.toMs) {
    throw new UsageError('--from must be before --to');
  }
  if (values.prices !== undefined) {
    if (values.prices.trim() === '') throw new UsageError('--prices needs a file or URL');
    command.prices = values.prices;
  }
  if (values['as-model'] !== undefined) {
    if (values['as-model'].trim() === '') throw new UsageError('--as-model needs a model id');
    command.asModel = values['as-model'].trim();
  }
  if (values.jaeger !== undefined) {
    if (positionals.length > 0) throw new UsageError('give either INPUT files or --jaeger, not both');
    if (values.service === undefined || values.service.trim() === '')
      throw new UsageError('--jaeger needs --service S');
    if (!/^https?:\/\//i.test(values.jaeger))
      throw new UsageError(`--jaeger must be an http(s) URL, got ${JSON.stringify(values.jaeger)}`);
    command.jaeger = {
      url: values.jaeger,
      service: values.service,
      limit: whole('jaeger-limit', values['jaeger-limit'], 1000, 1),
    };
    command.fromMs ??= now - 86_400_000;
  } else if (values.service !== undefined || values['jaeger-limit'] !== undefined) {
    throw new UsageError('--service and --jaeger-limit go with --jaeger');
  }
  if (command.inputs.length === 0 && command.jaeger === undefined) {
    // Standard input by default, unless it is a terminal: nothing would ever arrive.
    if (process.stdin.isTTY)
      throw new UsageError('give INPUT files (- for standard input) or --jaeger URL --service S');
    command.inputs = ['-'];
  }
  return command;
}

const stderr = (message: string): void => {
  process.stderr.write(`llm-cost report: ${message}\n`);
};

/** Runs `llm-cost report`; resolves to the exit status. */
export async function runReport(argv: string[]): Promise<number> {
  const now = Date.now();
  let command: ReportCommand | 'help';
  try {
    command = parseCommand(argv, now);
  } catch (err) {
    if (!(err instanceof UsageError)) throw err;
    process.stderr.write(`llm-cost report: ${err.message}\n\n${REPORT_USAGE}`);
    return 1;
  }
  if (command === 'help') {
    process.stdout.write(REPORT_USAGE);
    return 0;
  }
  diag.setLogger(
    { error: stderr, warn: stderr, info: () => undefined, debug: () => undefined, verbose: () => undefined },
    DiagLogLevel.WARN,
  );

  let files: string[] = [];
  try {
    if (command.jaeger === undefined) files = expandInputs(command.inputs);
  } catch (err) {
    stderr((err as Error).message);
    return 1;
  }

  const sources: PriceBookHandle[] = [];
  try {
    const base = createPriceBook();
    sources.push(base);
    await base.ready();
    const pricing: ReportPricing = { pricer: base.priceBook };
    let repriceInfo: RepriceInfo | undefined;
    if (command.reprice) {
      repriceInfo = { prices: 'default', as_model: command.asModel ?? null };
      pricing.repricer = base.priceBook;
      if (command.prices !== undefined) {
        // The same strict loading as `llm-cost price --prices`: a table that fails to load is an error.
        let other: PriceBookHandle;
        try {
          other = await openPrices(command.prices);
        } catch (err) {
          if (!(err instanceof PricesError)) throw err;
          stderr(err.message);
          return 1;
        }
        sources.push(other);
        pricing.repricer = other.priceBook;
        repriceInfo.prices = other.priceBook.table?.source ?? command.prices;
      }
      if (command.asModel !== undefined) pricing.asModel = command.asModel;
    }

    const aggregator = new ReportAggregator({
      by: command.by,
      fromMs: command.fromMs,
      toMs: command.toMs,
      topTraces: command.topTraces,
      reprice: repriceInfo,
    });
    const run = new ReportRun(new SpanPricer(pricing), aggregator);

    if (command.jaeger !== undefined) {
      const q = { ...command.jaeger, fromMs: command.fromMs ?? now - 86_400_000, toMs: command.toMs ?? now };
      let chunks: unknown[];
      try {
        chunks = await fetchJaegerTraces(q);
      } catch (err) {
        stderr(`${redactUrl(q.url)}: ${(err as Error).message}`);
        return 1;
      }
      for (const chunk of chunks) run.addBatch(chunk);
      if (countTraces(chunks) >= q.limit) {
        stderr(
          `Jaeger returned ${q.limit} traces, the --jaeger-limit: ` +
            'the window may hold more; narrow it or raise the limit',
        );
      }
    } else {
      const bad = await readFiles(files, run, command.strict);
      if (bad < 0) return 1;
      if (bad > 0) stderr(`${bad} bad line${bad === 1 ? '' : 's'} skipped; the report counts the rest`);
    }

    process.stdout.write(formatReport(aggregator.result(), aggregator.by, command.format));
    return 0;
  } finally {
    await Promise.all(sources.map((s) => s.shutdown()));
  }
}

/** Counts every line of every file. Returns the number of bad lines, or -1 when it stopped
 * (`--strict`, or a file that cannot be read). */
async function readFiles(files: string[], run: ReportRun, strict: boolean): Promise<number> {
  const progress = Progress.forStderr(totalBytes(files));
  let bad = 0;
  const reportBad = (where: string, why: string): void => {
    bad++;
    // Every bad line is named up to 20; after that one summary at the end is enough.
    if (bad <= 20 || strict) stderr(`${where}: ${why}`);
    else if (bad === 21) stderr('more bad lines: not listing them one by one');
  };
  let current = '';
  try {
    for await (const { text, file, line } of readLines(files, process.stdin, progress?.update)) {
      current = file;
      if (text.trim() === '') continue;
      const where = `${file}:${line}`;
      let data: unknown;
      try {
        data = JSON.parse(text);
      } catch (err) {
        reportBad(where, `not JSON (${(err as Error).message})`);
        if (strict) return -1;
        continue;
      }
      if (run.addBatch(data) < 0) {
        // Metrics or logs written by a `file` exporter of the same pipeline are not errors.
        const other =
          data !== null && typeof data === 'object' && ('resourceMetrics' in data || 'resourceLogs' in data);
        if (!other) {
          reportBad(where, 'not an OTLP ExportTraceServiceRequest (no resourceSpans)');
          if (strict) return -1;
        }
      }
    }
  } catch (err) {
    progress?.done();
    stderr(`${current || files.join(', ')}: ${(err as Error).message}`);
    return -1;
  }
  progress?.done();
  return bad;
}
