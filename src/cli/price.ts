import type { CostResult, NormalizedUsage } from '../pricing/types.js';
import { parseArguments, show, UsageError } from './args.js';
import type { Command } from './command.js';
import { alignDecimals, columns, pricingJson, significant, tokens, usd } from './format.js';
import { openPrices, PRICES_HELP } from './prices.js';
import { longContextOf, ratesOf, type ShownRates } from './rates.js';
import { USAGE_HELP, USAGE_OPTIONS, usageFromFlags, usageJson } from './usage.js';
import { parseInstant } from '../pricing/price-at.js';

const USAGE = `Usage: llm-cost price MODEL [options]

Prices one LLM call from its token counts, with the same sources and engine as the span processor.

Options:
${USAGE_HELP}
${PRICES_HELP}
  --at DATE              price the call as made at DATE: an ISO date (2025-06-10, midnight UTC)
                         or date-time (2025-06-10T12:00:00Z; UTC without an offset); default now
  --json                 print one JSON object instead of a table
  -h, --help             show this help

Exit status: 0 priced, 2 not priced (see unpriced_reason), 1 bad arguments or a --prices
table that cannot be loaded.
`;

export const priceCommand: Command = {
  name: 'price',
  summary: 'price one call: cost, its parts, and the rates applied',
  usage: USAGE,
  async run(argv) {
    const { values, positionals } = parseArguments(argv, {
      ...USAGE_OPTIONS,
      prices: 'string',
      at: 'string',
      json: 'boolean',
      help: 'boolean',
    });
    if (values['help']) {
      process.stdout.write(USAGE);
      return 0;
    }
    const [model, ...extra] = positionals;
    if (model === undefined || model.trim() === '')
      throw new UsageError('missing MODEL: llm-cost price MODEL [options]');
    if (extra.length > 0)
      throw new UsageError(`unexpected argument "${extra[0]}" (one MODEL per call; llm-cost compare prices several)`);
    const usage: NormalizedUsage = { model: model.trim(), ...usageFromFlags(values) };
    const at = values['at'];
    if (typeof at === 'string') {
      const ms = parseInstant(at);
      if (ms === undefined)
        throw new UsageError(
          `--at must be an ISO date (2025-06-10) or date-time (2025-06-10T12:00:00Z), got "${show(at)}"`,
        );
      usage.at = ms;
    } else usage.at = Date.now();
    const prices = typeof values['prices'] === 'string' ? values['prices'] : undefined;
    if (prices !== undefined && prices.trim() === '') throw new UsageError('--prices needs a file or URL');

    const source = await openPrices(prices);
    const result = source.priceBook.price(usage);
    const entry =
      result.costUsd !== null ? source.priceBook.resolveAt(usage.model!, usage.provider, usage.at)?.entry : undefined;
    await source.shutdown();
    const rates = entry ? ratesOf(entry, usage.serviceTier) : undefined;
    const longContext = entry ? longContextOf(entry, usage.serviceTier) : [];
    process.stdout.write(
      values['json']
        ? `${JSON.stringify(toJson(usage, result, rates, longContext))}\n`
        : toTable(usage, result, rates, longContext, typeof at === 'string' ? usage.at : undefined),
    );
    return result.costUsd === null ? 2 : 0;
  },
};

function toJson(
  usage: NormalizedUsage,
  result: CostResult,
  rates: ShownRates | undefined,
  longContext: ReturnType<typeof longContextOf>,
): Record<string, unknown> {
  return {
    model: usage.model,
    provider: usage.provider ?? null,
    at: new Date(usage.at!).toISOString(),
    cost_usd: result.costUsd,
    ...pricingJson(result),
    unpriced_reason: result.costUsd === null ? result.reason : null,
    rates: rates ?? null,
    long_context: result.costUsd !== null ? longContext : null,
    usage: usageJson(usage),
  };
}

function toTable(
  usage: NormalizedUsage,
  result: CostResult,
  rates: ShownRates | undefined,
  longContext: ReturnType<typeof longContextOf>,
  pricedAt: number | undefined,
): string {
  const rows: string[][] = [['model', usage.provider ? `${usage.model} (provider ${usage.provider})` : usage.model!]];
  if (result.costUsd === null) {
    rows.push(['cost', `not priced: ${result.reason}`]);
    if (result.reason === 'unknown_model') {
      rows.push([
        '',
        'no price table knows this model: give its prices with an override, ' +
          'or map it to a known model with an alias (docs/price-sources.md)',
      ]);
    }
    return columns(rows);
  }
  rows.push(
    ['pricing key', `${result.pricingKey} (${result.match} match)`],
    ['source', result.source],
    ['service tier', usage.serviceTier ?? 'standard'],
  );
  // Said only when asked for (--at): without it the call is priced now.
  if (pricedAt !== undefined) rows.push(['priced at', new Date(pricedAt).toISOString()]);
  // Above a long-context threshold every class is billed at that tier's rates: show those.
  const applied = [...longContext].reverse().find((t) => (usage.inputTokens ?? 0) > t.above_tokens);
  if (applied) rates = applied.rates;
  const uncached = (usage.inputTokens ?? 0) - (usage.cacheReadTokens ?? 0) - (usage.cacheWriteTokens ?? 0);
  const write1h = usage.cacheWrite1hTokens ? `, ${tokens(usage.cacheWrite1hTokens)} with 1h TTL` : '';
  const reasoning = usage.reasoningTokens ? `, ${tokens(usage.reasoningTokens)} reasoning` : '';
  const perM = (r: number | null | undefined): string =>
    r === null || r === undefined ? 'no rate in the table' : `$${significant(r)}/M`;
  const parts: [string, number, string, string][] = [
    ['input', result.breakdown.input, `${tokens(uncached)} uncached tokens`, perM(rates?.input_per_mtok)],
    [
      'cache read',
      result.breakdown.cacheRead,
      `${tokens(usage.cacheReadTokens ?? 0)} tokens`,
      perM(rates?.cache_read_per_mtok),
    ],
    [
      'cache write',
      result.breakdown.cacheWrite,
      `${tokens(usage.cacheWriteTokens ?? 0)} tokens${write1h}`,
      usage.cacheWrite1hTokens
        ? `${perM(rates?.cache_write_per_mtok)}, 1h ${perM(rates?.cache_write_1h_per_mtok)}`
        : perM(rates?.cache_write_per_mtok),
    ],
    [
      'output',
      result.breakdown.output,
      `${tokens(usage.outputTokens ?? 0)} tokens${reasoning}`,
      perM(rates?.output_per_mtok),
    ],
  ];
  // Amounts in one column, aligned on the decimal point; the rate applied beside each.
  const amounts = alignDecimals([...parts.map(([, v]) => usd(v)), usd(result.costUsd)]);
  const detailWidth = Math.max(...parts.map(([, , d]) => d.length));
  parts.forEach(([label, , detail, rate], i) =>
    rows.push([label, `${amounts[i]}  ${detail.padEnd(detailWidth)}  ${rate.startsWith('$') ? `at ${rate}` : rate}`]),
  );
  rows.push(['total', amounts[amounts.length - 1]!]);
  if (applied)
    rows.push([
      '',
      `long context: input above ${tokens(applied.above_tokens)} tokens, every class billed at the long-context rates`,
    ]);
  return columns(rows);
}
