import type { CostResult, NormalizedUsage } from '../pricing/types.js';
import { parseArguments, UsageError } from './args.js';
import type { Command } from './command.js';
import { alignDecimals, columns, pricingJson, significant, usd } from './format.js';
import { openPrices, PRICES_HELP } from './prices.js';
import { ratesOf, type ShownRates } from './rates.js';
import { USAGE_HELP, USAGE_OPTIONS, usageFromFlags, usageJson } from './usage.js';

const USAGE = `Usage: llm-cost compare MODEL MODEL… [options]

Prices the same usage on several models, cheapest first; models that cannot be priced are
listed after them with the reason.

Options (the usage of the call, as for llm-cost price):
${USAGE_HELP}
${PRICES_HELP}
  --json                 print one JSON object instead of a table
  -h, --help             show this help

Exit status: 0 every model priced, 2 some model not priced, 1 bad arguments or a --prices
table that cannot be loaded.
`;

interface Row {
  model: string;
  result: CostResult;
  rates: ShownRates | undefined;
}

export const compareCommand: Command = {
  name: 'compare',
  summary: 'price the same usage on several models, cheapest first',
  usage: USAGE,
  async run(argv) {
    const { values, positionals } = parseArguments(argv, {
      ...USAGE_OPTIONS,
      prices: 'string',
      json: 'boolean',
      help: 'boolean',
    });
    if (values['help']) {
      process.stdout.write(USAGE);
      return 0;
    }
    const models = [...new Set(positionals.map((m) => m.trim()).filter((m) => m !== ''))];
    if (models.length === 0) throw new UsageError('missing MODEL: llm-cost compare MODEL MODEL… [options]');
    const usage = usageFromFlags(values);
    if (usage.inputTokens === undefined && usage.outputTokens === undefined) {
      throw new UsageError('give the usage to compare, e.g. --input 1000 --output 200');
    }
    const source = await openPrices(typeof values['prices'] === 'string' ? values['prices'] : undefined);
    const rows: Row[] = models.map((model) => {
      const result = source.priceBook.price({ ...usage, model });
      const entry = result.costUsd !== null ? source.priceBook.resolve(model, usage.provider)?.entry : undefined;
      return { model, result, rates: entry ? ratesOf(entry, usage.serviceTier) : undefined };
    });
    await source.shutdown();
    // Cheapest first; equal costs keep the order given; unpriced last, in the order given.
    const priced = rows
      .filter((r) => r.result.costUsd !== null)
      .sort((a, b) => (a.result.costUsd as number) - (b.result.costUsd as number));
    const unpriced = rows.filter((r) => r.result.costUsd === null);
    const ordered = [...priced, ...unpriced];
    process.stdout.write(
      values['json']
        ? `${JSON.stringify(toJson({ model: undefined, ...usage }, ordered))}\n`
        : toTable(priced, unpriced),
    );
    return unpriced.length > 0 ? 2 : 0;
  },
};

function toJson(usage: NormalizedUsage, rows: Row[]): Record<string, unknown> {
  const cheapest = rows[0]?.result.costUsd ?? null;
  return {
    provider: usage.provider ?? null,
    usage: usageJson(usage),
    results: rows.map(({ model, result, rates }) => {
      return {
        model,
        cost_usd: result.costUsd,
        relative_to_cheapest: result.costUsd !== null && cheapest ? result.costUsd / cheapest : null,
        ...pricingJson(result),
        rates: rates ?? null,
        unpriced_reason: result.costUsd === null ? result.reason : null,
      };
    }),
  };
}

function toTable(priced: Row[], unpriced: Row[]): string {
  const rows: string[][] = [['model', 'cost', 'vs cheapest', 'input $/M', 'output $/M', 'pricing key', 'source']];
  const cheapest = priced[0]?.result.costUsd ?? 0;
  const costs = alignDecimals(priced.map((r) => usd(r.result.costUsd as number)));
  const input = alignDecimals(
    priced.map((r) => (r.rates?.input_per_mtok == null ? '-' : significant(r.rates.input_per_mtok))),
  );
  const output = alignDecimals(
    priced.map((r) => (r.rates?.output_per_mtok == null ? '-' : significant(r.rates.output_per_mtok))),
  );
  priced.forEach((r, i) => {
    const p = r.result as Extract<CostResult, { pricingKey: string }>;
    const ratio = cheapest > 0 ? `${(p.costUsd / cheapest).toFixed(2)}x` : '-';
    rows.push([r.model, costs[i]!, ratio, input[i]!, output[i]!, `${p.pricingKey} (${p.match})`, p.source]);
  });
  for (const r of unpriced)
    rows.push([r.model, 'not priced', '', '', '', r.result.costUsd === null ? r.result.reason : '', '']);
  return columns(rows, new Set([2]));
}
