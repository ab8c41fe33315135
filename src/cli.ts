/**
 * `llm-cost`: prices one LLM call from the command line, with the same sources and the same
 * engine as the span processor (DESIGN.md §2).
 *
 * Exit status: 0 priced; 2 not priced (unknown model, no usage …); 1 bad arguments, or a
 * `--prices` table that cannot be loaded.
 */
import { diag, DiagLogLevel, type DiagLogger } from '@opentelemetry/api';
import { readFileSync, statSync } from 'node:fs';
import { parseArgs } from 'node:util';
import { redactUrl, resolveConfig, ENV_PRICES_PATH, ENV_PRICES_URL } from './config.js';
import type { CostResult, NormalizedUsage, ServiceTier } from './pricing/types.js';
import { fetchTable } from './sources/fetch-table.js';
import { describeRejected, parseLiteLLMText, type LoadedTable } from './sources/litellm-source.js';
import { PriceSource } from './sources/price-source.js';

const USAGE = `Usage: llm-cost price MODEL [options]

Prices one LLM call from its token counts.

Options:
  --provider P           provider of the call (openai, anthropic, aws.bedrock, azure …)
  --input N              input tokens, including cache reads and cache writes
  --output N             output tokens, including reasoning tokens
  --cache-read N         input tokens read from the prompt cache
  --cache-write N        input tokens written to the prompt cache
  --cache-write-1h N     the part of --cache-write written with a one-hour TTL
  --reasoning N          reasoning tokens (part of --output)
  --service-tier T       standard | batch | priority | flex (default: standard)
  --prices FILE|URL      a LiteLLM-format price table (a file, or an https URL); default:
                         ${ENV_PRICES_PATH} / ${ENV_PRICES_URL}, else the embedded prices
  --json                 print one JSON object instead of a table
  -h, --help             show this help

Exit status: 0 priced, 2 not priced (see unpriced_reason), 1 bad arguments or a --prices
table that cannot be loaded.
`;

const SERVICE_TIERS: readonly ServiceTier[] = ['standard', 'batch', 'priority', 'flex'];

class UsageError extends Error {}

interface PriceCommand {
  usage: NormalizedUsage;
  prices: string | undefined;
  json: boolean;
}

function parseCommand(argv: string[]): PriceCommand | 'help' {
  let parsed;
  try {
    parsed = parseArgs({
      args: argv,
      allowPositionals: true,
      strict: true,
      options: {
        provider: { type: 'string' },
        input: { type: 'string' },
        output: { type: 'string' },
        'cache-read': { type: 'string' },
        'cache-write': { type: 'string' },
        'cache-write-1h': { type: 'string' },
        reasoning: { type: 'string' },
        'service-tier': { type: 'string' },
        prices: { type: 'string' },
        json: { type: 'boolean' },
        help: { type: 'boolean', short: 'h' },
      },
    });
  } catch (err) {
    throw new UsageError((err as Error).message);
  }
  const { values, positionals } = parsed;
  if (values.help || positionals[0] === 'help') return 'help';
  const [command, model, ...extra] = positionals;
  if (command === undefined) throw new UsageError('missing command: llm-cost price MODEL');
  if (command !== 'price') throw new UsageError(`unknown command ${JSON.stringify(command)}`);
  if (model === undefined || model.trim() === '') throw new UsageError('missing MODEL');
  if (extra.length > 0) throw new UsageError(`unexpected argument ${JSON.stringify(extra[0])}`);

  const count = (name: string, value: string | undefined): number | undefined => {
    if (value === undefined) return undefined;
    if (!/^\d+$/.test(value) || !Number.isSafeInteger(Number(value))) {
      throw new UsageError(`--${name} must be a whole number of tokens, got ${JSON.stringify(value)}`);
    }
    return Number(value);
  };
  const cacheRead = count('cache-read', values['cache-read']);
  const cacheWrite = count('cache-write', values['cache-write']);
  const cacheWrite1h = count('cache-write-1h', values['cache-write-1h']);
  const reasoning = count('reasoning', values.reasoning);
  // Semconv meaning: input includes cache reads and writes, output includes reasoning.
  // An omitted total is the smallest one consistent with its parts.
  const cacheParts = (cacheRead ?? 0) + (cacheWrite ?? 0);
  const input = count('input', values.input) ?? (cacheRead !== undefined || cacheWrite !== undefined ? cacheParts : undefined);
  const output = count('output', values.output) ?? reasoning;
  if (cacheWrite1h !== undefined && cacheWrite1h > (cacheWrite ?? 0)) {
    throw new UsageError('--cache-write-1h is the part of --cache-write with a one-hour TTL: it cannot exceed --cache-write');
  }
  if (input !== undefined && cacheParts > input) {
    throw new UsageError('--input includes cache reads and writes: it cannot be less than --cache-read + --cache-write');
  }
  if (reasoning !== undefined && output !== undefined && reasoning > output) {
    throw new UsageError('--output includes reasoning tokens: it cannot be less than --reasoning');
  }
  const tier = values['service-tier'];
  if (tier !== undefined && !(SERVICE_TIERS as readonly string[]).includes(tier)) {
    throw new UsageError(`--service-tier must be one of ${SERVICE_TIERS.join(', ')}, got ${JSON.stringify(tier)}`);
  }
  if (values.prices !== undefined && values.prices.trim() === '') throw new UsageError('--prices needs a file or URL');

  const usage: NormalizedUsage = { model: model.trim() };
  if (values.provider !== undefined) usage.provider = values.provider;
  if (input !== undefined) usage.inputTokens = input;
  if (output !== undefined) usage.outputTokens = output;
  if (cacheRead !== undefined) usage.cacheReadTokens = cacheRead;
  if (cacheWrite !== undefined) usage.cacheWriteTokens = cacheWrite;
  if (cacheWrite1h !== undefined) usage.cacheWrite1hTokens = cacheWrite1h;
  if (reasoning !== undefined) usage.reasoningTokens = reasoning;
  if (tier !== undefined) usage.serviceTier = tier as ServiceTier;
  return { usage, prices: values.prices, json: values.json === true };
}

/** Loads `--prices` strictly: for the CLI a table that fails to load is an error, not a fallback. */
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
  const mtime = statSync(location).mtime;
  return parseLiteLLMText(readFileSync(location, 'utf8'), location, mtime);
}

function toJson(usage: NormalizedUsage, result: CostResult): Record<string, unknown> {
  const priced = result.costUsd !== null ? result : undefined;
  return {
    model: usage.model,
    provider: usage.provider ?? null,
    cost_usd: result.costUsd,
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
    unpriced_reason: result.costUsd === null ? result.reason : null,
    usage: {
      input_tokens: usage.inputTokens ?? null,
      output_tokens: usage.outputTokens ?? null,
      cache_read_tokens: usage.cacheReadTokens ?? null,
      cache_write_tokens: usage.cacheWriteTokens ?? null,
      cache_write_1h_tokens: usage.cacheWrite1hTokens ?? null,
      reasoning_tokens: usage.reasoningTokens ?? null,
      service_tier: usage.serviceTier ?? 'standard',
    },
  };
}

function toTable(usage: NormalizedUsage, result: CostResult): string {
  const rows: [string, string][] = [['model', usage.provider ? `${usage.model} (provider ${usage.provider})` : usage.model!]];
  if (result.costUsd === null) {
    rows.push(['cost', `not priced: ${result.reason}`]);
    if (result.reason === 'unknown_model') {
      rows.push(['', 'no price table knows this model: give its prices with an override, or map it to a known model with an alias (docs/price-sources.md)']);
    }
  } else {
    const uncached = (usage.inputTokens ?? 0) - (usage.cacheReadTokens ?? 0) - (usage.cacheWriteTokens ?? 0);
    const write1h = usage.cacheWrite1hTokens ? `, ${count(usage.cacheWrite1hTokens)} with 1h TTL` : '';
    const reasoning = usage.reasoningTokens ? `, ${count(usage.reasoningTokens)} reasoning` : '';
    rows.push(
      ['pricing key', `${result.pricingKey} (${result.match} match)`],
      ['source', result.source],
      ['service tier', usage.serviceTier ?? 'standard'],
    );
    // Amounts right-aligned in one column, token counts beside them.
    const money: [string, number, string][] = [
      ['input', result.breakdown.input, `${count(uncached)} uncached tokens`],
      ['cache read', result.breakdown.cacheRead, `${count(usage.cacheReadTokens ?? 0)} tokens`],
      ['cache write', result.breakdown.cacheWrite, `${count(usage.cacheWriteTokens ?? 0)} tokens${write1h}`],
      ['output', result.breakdown.output, `${count(usage.outputTokens ?? 0)} tokens${reasoning}`],
    ];
    const amountWidth = Math.max(usd(result.costUsd).length, ...money.map(([, v]) => usd(v).length));
    for (const [label, value, detail] of money) rows.push([label, `${usd(value).padStart(amountWidth)}  ${detail}`]);
    rows.push(['total', usd(result.costUsd).padStart(amountWidth)]);
  }
  const width = Math.max(...rows.map(([k]) => k.length));
  return rows.map(([k, v]) => `${k.padEnd(width)}  ${v}`).join('\n') + '\n';
}

function usd(value: number): string {
  return `$${String(value)}`;
}

function count(tokens: number): string {
  return tokens.toLocaleString('en-US');
}

/** Sends `diag` warnings (e.g. an unreachable `OTEL_LLM_COST_PRICES_URL`) to stderr. */
const stderrLogger: DiagLogger = {
  error: (message, ...args) => process.stderr.write(`llm-cost: ${message}${args.length ? ` ${args.map(String).join(' ')}` : ''}\n`),
  warn: (message) => process.stderr.write(`llm-cost: ${message}\n`),
  info: () => undefined,
  debug: () => undefined,
  verbose: () => undefined,
};

async function main(argv: string[]): Promise<number> {
  // `llm-cost serve` lives in its own module (loaded only when used: it brings gRPC and protobuf).
  if (argv[0] === 'serve') return (await import('./gateway/serve-command.js')).runServe(argv.slice(1));
  let command: PriceCommand | 'help';
  try {
    command = parseCommand(argv);
  } catch (err) {
    if (!(err instanceof UsageError)) throw err;
    process.stderr.write(`llm-cost: ${err.message}\n\n${USAGE}`);
    return 1;
  }
  if (command === 'help') {
    process.stdout.write(USAGE);
    return 0;
  }
  diag.setLogger(stderrLogger, DiagLogLevel.WARN);

  let source: PriceSource;
  if (command.prices !== undefined) {
    let loaded: LoadedTable;
    try {
      loaded = await loadPrices(command.prices);
    } catch (err) {
      process.stderr.write(`llm-cost: cannot load prices from ${redactUrl(command.prices)}: ${(err as Error).message}\n`);
      return 1;
    }
    if (loaded.rejected.length > 0) process.stderr.write(`llm-cost: ${loaded.table.source}: ${describeRejected(loaded.rejected)}\n`);
    // Overrides and aliases from the environment still apply; the table is the one given.
    const env = { ...process.env, [ENV_PRICES_PATH]: undefined, [ENV_PRICES_URL]: undefined };
    source = new PriceSource({}, env);
    source.priceBook.setTable(loaded.table);
  } else {
    source = new PriceSource({}, process.env);
    await source.ready();
  }
  const result = source.priceBook.price(command.usage);
  await source.shutdown();

  process.stdout.write(command.json ? `${JSON.stringify(toJson(command.usage, result))}\n` : toTable(command.usage, result));
  return result.costUsd === null ? 2 : 0;
}

main(process.argv.slice(2)).then(
  (code) => {
    process.exitCode = code;
  },
  (err: unknown) => {
    process.stderr.write(`llm-cost: ${(err as Error).stack ?? String(err)}\n`);
    process.exitCode = 1;
  },
);
