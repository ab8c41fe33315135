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
  const rounds = o.rounds ?? 9;
  const time = o.time ?? 300;
  const ratios = [];
  const withMs = [];
  const withoutMs = [];
  let samples = 0;
  for (let r = 0; r < rounds; r++) {
    const bench = new Bench({
      time,
      iterations: o.iterations ?? 64,
      warmupTime: o.warmupTime ?? 100,
      warmupIterations: o.warmupIterations ?? 16,
      throws: true,
    });
    if (r % 2 === 0) bench.add('without', o.without).add('with', o.with);
    else bench.add('with', o.with).add('without', o.without);
    await bench.run();
    const w = bench.getTask('with').result;
    const wo = bench.getTask('without').result;
    if (w.state !== 'completed' || wo.state !== 'completed') throw new Error(`bench round ${r} did not complete`);
    const wPer = w.latency.p50 / o.opsPerIteration;
    const woPer = wo.latency.p50 / o.opsPerIteration;
    withMs.push(wPer);
    withoutMs.push(woPer);
    ratios.push(wPer / woPer);
    samples += w.latency.samplesCount + wo.latency.samplesCount;
  }
  return {
    ratio: median(ratios),
    withUs: median(withMs) * 1000,
    withoutUs: median(withoutMs) * 1000,
    roundRatios: ratios,
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
