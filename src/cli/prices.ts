import { diag, DiagLogLevel, type DiagLogger } from '@opentelemetry/api';
import { redactUrl, ENV_PRICES_PATH, ENV_PRICES_URL } from '../sources/config.js';
import { describeRejected } from '../sources/litellm.js';
import { openPriceSourceAt, PriceSource, type OpenedPriceSource } from '../sources/price-source.js';
import { errorExcerpt } from '../sources/log-text.js';

/** The `--prices` option, shared by every command that prices. */
export const PRICES_HELP = `  --prices FILE|URL      a LiteLLM-format price table (a file, or an https URL); default:
                         ${ENV_PRICES_PATH} / ${ENV_PRICES_URL}, else the embedded prices`;

/** Thrown when `--prices` cannot be loaded: printed as one line, exit status 1. */
export class PricesError extends Error {}

/** Sends `diag` warnings (e.g. an unreachable `OTEL_LLM_COST_PRICES_URL`) to stderr. */
const stderrLogger: DiagLogger = {
  error: (message, ...args) =>
    process.stderr.write(`llm-cost: ${message}${args.length ? ` ${args.map(String).join(' ')}` : ''}\n`),
  warn: (message) => process.stderr.write(`llm-cost: ${message}\n`),
  info: () => undefined,
  debug: () => undefined,
  verbose: () => undefined,
};

/**
 * The price sources of a command: with `--prices`, that table, which must load (for the CLI a
 * table that fails to load is an error, not a fallback), with overrides and aliases from the
 * environment; without it, the same sources as the library (`OTEL_LLM_COST_*`, else embedded).
 * The caller shuts it down.
 */
export async function openPrices(location: string | undefined): Promise<PriceSource> {
  diag.setLogger(stderrLogger, DiagLogLevel.WARN);
  if (location === undefined) {
    const source = new PriceSource({}, process.env);
    await source.ready();
    return source;
  }
  let opened: OpenedPriceSource;
  try {
    opened = await openPriceSourceAt(location, {}, process.env);
  } catch (err) {
    throw new PricesError(`cannot load prices from ${redactUrl(location)}: ${errorExcerpt(err, 300)}`);
  }
  const { table, rejected } = opened.loaded;
  if (rejected.length > 0) process.stderr.write(`llm-cost: ${table.source}: ${describeRejected(rejected)}\n`);
  return opened.source;
}
