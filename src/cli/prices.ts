import { diag, DiagLogLevel, type DiagLogger } from '@opentelemetry/api';
import { redactUrl, resolveConfig, ENV_PRICES_PATH, ENV_PRICES_URL } from '../sources/config.js';
import { fetchTable } from '../sources/fetch-table.js';
import { describeRejected, parseLiteLLMText, type LoadedTable } from '../sources/litellm.js';
import { PriceSource } from '../sources/price-source.js';
import { readRegularFileSync } from '../sources/read-file.js';
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
  let loaded: LoadedTable;
  try {
    loaded = await loadPrices(location);
  } catch (err) {
    throw new PricesError(`cannot load prices from ${redactUrl(location)}: ${errorExcerpt(err, 300)}`);
  }
  if (loaded.rejected.length > 0)
    process.stderr.write(`llm-cost: ${loaded.table.source}: ${describeRejected(loaded.rejected)}\n`);
  const env = { ...process.env, [ENV_PRICES_PATH]: undefined, [ENV_PRICES_URL]: undefined };
  const source = new PriceSource({}, env);
  source.priceBook.setTable(loaded.table);
  return source;
}

async function loadPrices(location: string): Promise<LoadedTable> {
  const config = resolveConfig({}, process.env);
  if (/^[a-z][a-z0-9+.-]*:\/\//i.test(location)) {
    const fetched = await fetchTable(location, {
      timeoutMs: config.fetchTimeoutMs,
      maxBytes: config.maxBytes,
      allowHttpLoopback: false,
    });
    return parseLiteLLMText(fetched.body, location, fetched.lastModified ?? new Date());
  }
  // Only a regular file, at most maxBytes of it: a FIFO or /dev/zero is refused at once.
  const { text, mtime } = readRegularFileSync(location, config.maxBytes);
  return parseLiteLLMText(text, location, mtime);
}
