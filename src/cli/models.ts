import { normalizeProvider } from '../pricing/providers.js';
import { embeddedPriceTable } from '../pricing/price-book.js';
import type { PriceEntry } from '../pricing/types.js';
import { parseArguments, UsageError } from './args.js';
import type { Command } from './command.js';
import { alignDecimals, columns, significant, tokens } from './format.js';
import { openPrices, PRICES_HELP } from './prices.js';
import { ratesOf } from './rates.js';

const USAGE = `Usage: llm-cost models [--provider P] [--search TEXT] [options]

Lists the models a price table knows, with their rates in USD per million tokens and their
context window: the --prices table, else the configured one (OTEL_LLM_COST_PRICES_PATH /
OTEL_LLM_COST_PRICES_URL), else the embedded prices.

Options:
  --provider P           only models of this provider (openai, anthropic, aws.bedrock …)
  --search TEXT          only models whose key contains TEXT (case-insensitive)
${PRICES_HELP}
  --json                 print one JSON object instead of a table
  -h, --help             show this help

Exit status: 0 some model listed, 2 none matched, 1 bad arguments or a --prices table that
cannot be loaded.
`;

export const modelsCommand: Command = {
  name: 'models',
  summary: 'list the models a table knows, with per-million rates and context window',
  usage: USAGE,
  async run(argv) {
    const { values, positionals } = parseArguments(argv, {
      provider: 'string',
      search: 'string',
      prices: 'string',
      json: 'boolean',
      help: 'boolean',
    });
    if (values['help']) {
      process.stdout.write(USAGE);
      return 0;
    }
    if (positionals.length > 0)
      throw new UsageError(`unexpected argument "${positionals[0]}" (filter with --search TEXT)`);
    const provider = typeof values['provider'] === 'string' ? normalizeProvider(values['provider']) : undefined;
    if (values['provider'] !== undefined && provider === undefined)
      throw new UsageError('--provider needs a provider name');
    const search = typeof values['search'] === 'string' ? values['search'].toLowerCase() : undefined;

    const source = await openPrices(typeof values['prices'] === 'string' ? values['prices'] : undefined);
    const table = source.priceBook.table ?? embeddedPriceTable();
    await source.shutdown();
    const matches = (e: PriceEntry): boolean =>
      (provider === undefined || e.provider === provider) &&
      (search === undefined || e.key.toLowerCase().includes(search));
    const entries = table.entries().filter(matches);

    if (values['json']) {
      const models = entries.map((e) => ({
        key: e.key,
        provider: e.provider ?? null,
        ...ratesOf(e),
        context_window: e.contextWindow ?? null,
      }));
      process.stdout.write(`${JSON.stringify({ source: table.source, count: models.length, models })}\n`);
    } else if (entries.length === 0) {
      process.stdout.write(`no model of ${table.source} matches\n`);
    } else {
      process.stdout.write(toTable(entries, table.source));
    }
    return entries.length === 0 ? 2 : 0;
  },
};

function toTable(entries: readonly PriceEntry[], source: string): string {
  const rates = entries.map((e) => ratesOf(e));
  const money = (pick: (r: (typeof rates)[number]) => number | null): string[] =>
    alignDecimals(
      rates.map((r) => {
        const v = pick(r);
        return v === null ? '-' : significant(v);
      }),
    );
  const input = money((r) => r.input_per_mtok);
  const output = money((r) => r.output_per_mtok);
  const cacheRead = money((r) => r.cache_read_per_mtok);
  const cacheWrite = money((r) => r.cache_write_per_mtok);
  const rows = [['model', 'provider', 'input $/M', 'output $/M', 'cache read $/M', 'cache write $/M', 'context']];
  entries.forEach((e, i) =>
    rows.push([
      e.key,
      e.provider ?? '-',
      input[i]!,
      output[i]!,
      cacheRead[i]!,
      cacheWrite[i]!,
      e.contextWindow !== undefined ? tokens(e.contextWindow) : '-',
    ]),
  );
  return `${columns(rows, new Set([6]))}${entries.length} model${entries.length === 1 ? '' : 's'} of ${source}\n`;
}
