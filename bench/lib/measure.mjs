// Interleaved with/without measurement on top of tinybench: a noisy 2-core box drifts over
// seconds (other processes, CPU frequency, GC), so both variants run in every round, in
// alternating order, and the reported ratio is the median of the per-round ratios of medians.
import { Bench } from 'tinybench';

export function median(values) {
  const s = [...values].sort((a, b) => a - b);
  const mid = s.length >> 1;
  return s.length % 2 ? s[mid] : (s[mid - 1] + s[mid]) / 2;
}

/**
 * @param {object} o
 * @param {() => unknown} o.without the baseline (one iteration)
 * @param {() => unknown} o.with the variant under test (one iteration)
 * @param {number} o.opsPerIteration how many operations one iteration performs (per-op figures)
 * @param {number} [o.rounds] rounds, each running both variants once
 * @param {number} [o.time] tinybench time budget per variant per round, ms
 * @returns {Promise<{ratio: number, withUs: number, withoutUs: number, roundRatios: number[], samples: number}>}
 */
export async function interleavedRatio(o) {
  const { without, with: withFn, ...rest } = o;
  const r = await interleavedVariants({ ...rest, baseline: 'without', variants: { without, with: withFn } });
  return {
    ratio: r.ratios.with,
    withUs: r.us.with,
    withoutUs: r.us.without,
    roundRatios: r.roundRatios.with,
    samples: r.samples,
  };
}

/**
 * Several variants measured in the same rounds, in an order rotated every round (with two
 * variants: A-B, B-A, …). Each variant's ratio to the baseline (or to any other variant, with
 * `ratioOf`) is the median over the rounds of the ratio of that round's two tinybench medians.
 * @param {object} o
 * @param {Record<string, () => unknown>} o.variants name → one iteration
 * @param {string} o.baseline the name every `ratios` entry is divided by
 * @param {number} o.opsPerIteration how many operations one iteration performs (per-op figures)
 * @param {number} [o.rounds] rounds, each running every variant once
 * @param {number} [o.time] tinybench time budget per variant per round, ms
 * @returns {Promise<{ratios: Record<string, number>, us: Record<string, number>,
 *   roundRatios: Record<string, number[]>, ratioOf: (a: string, b: string) => number, samples: number}>}
 */
export async function interleavedVariants(o) {
  const rounds = o.rounds ?? 9;
  const time = o.time ?? 300;
  const names = Object.keys(o.variants);
  if (!names.includes(o.baseline)) throw new Error(`baseline ${o.baseline} is not a variant`);
  /** name → per-round ms per op */
  const perOp = Object.fromEntries(names.map((n) => [n, []]));
  let samples = 0;
  for (let r = 0; r < rounds; r++) {
    const bench = new Bench({
      time,
      iterations: o.iterations ?? 64,
      warmupTime: o.warmupTime ?? 100,
      warmupIterations: o.warmupIterations ?? 16,
      throws: true,
    });
    for (let i = 0; i < names.length; i++) {
      const name = names[(i + r) % names.length];
      bench.add(name, o.variants[name]);
    }
    await bench.run();
    for (const name of names) {
      const result = bench.getTask(name).result;
      if (result.state !== 'completed') throw new Error(`bench round ${r} (${name}) did not complete`);
      perOp[name].push(result.latency.p50 / o.opsPerIteration);
      samples += result.latency.samplesCount;
    }
  }
  const roundRatiosOf = (a, b) => perOp[a].map((ms, r) => ms / perOp[b][r]);
  const roundRatios = Object.fromEntries(names.map((n) => [n, roundRatiosOf(n, o.baseline)]));
  return {
    ratios: Object.fromEntries(names.map((n) => [n, median(roundRatios[n])])),
    us: Object.fromEntries(names.map((n) => [n, median(perOp[n]) * 1000])),
    roundRatios,
    ratioOf: (a, b) => median(roundRatiosOf(a, b)),
    samples,
  };
}

/** Full collection: two passes, as V8 may need a second one to free weakly held objects. */
export function fullGc() {
  if (typeof global.gc !== 'function') throw new Error('run with node --expose-gc');
  global.gc();
  global.gc();
}

export function heapUsedMb() {
  return process.memoryUsage().heapUsed / 1024 / 1024;
}

/** Sends the scenario's figures to bench/run.mjs (or prints them when run alone). */
export function report(result) {
  if (process.send) process.send(result);
  else console.log(JSON.stringify(result, null, 2));
}
