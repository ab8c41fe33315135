// Target 3: pricing alone. PriceBook.resolve + price on 50 normalized calls (aliases, dated
// snapshots, provider spellings, unknown models) vs @pydantic/genai-prices calcPrice on the
// same calls. Both use the genai-prices data (our default table is built from it). One
// iteration prices all 50 calls; per-op figures are per call.
import { calcPrice } from '@pydantic/genai-prices';
import { PriceBook } from '../../dist/index.js';
import { CALLS, GENAI_PRICES_CALLS } from '../lib/calls.mjs';
import { interleavedRatio, report } from '../lib/measure.mjs';

const book = new PriceBook();
// A memo of one entry: every lookup of the cycling mix misses it (resolution from scratch).
const unmemoized = new PriceBook({ memoSize: 1 });

let sink = 0;
const ours = (b) => () => {
  for (let i = 0; i < CALLS.length; i++) {
    const r = b.price(CALLS[i]);
    if (r.costUsd !== null) sink += r.costUsd;
  }
};
const theirs = () => {
  for (let i = 0; i < GENAI_PRICES_CALLS.length; i++) {
    const c = GENAI_PRICES_CALLS[i];
    const r = calcPrice(c.usage, c.model, c.options);
    if (r) sink += r.total_price;
  }
};

const pricedOurs = CALLS.filter((c) => book.price(c).costUsd !== null).length;
const pricedTheirs = GENAI_PRICES_CALLS.filter((c) => calcPrice(c.usage, c.model, c.options)).length;

const rounds = Number(process.env.BENCH_ROUNDS ?? 7);
const time = Number(process.env.BENCH_TIME_MS ?? 300);
const memoized = await interleavedRatio({
  without: ours(book),
  with: theirs,
  opsPerIteration: CALLS.length,
  rounds,
  time,
});
const cold = await interleavedRatio({
  without: ours(unmemoized),
  with: theirs,
  opsPerIteration: CALLS.length,
  rounds: 3,
  time,
});

report({
  speedup: memoized.ratio,
  oursUs: memoized.withoutUs,
  genaiPricesUs: memoized.withUs,
  roundRatios: memoized.roundRatios,
  unmemoizedSpeedup: cold.ratio,
  unmemoizedUs: cold.withoutUs,
  pricedOurs,
  pricedTheirs,
  calls: CALLS.length,
  sink: sink > 0,
});
