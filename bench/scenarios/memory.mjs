// Target 5: memory under load. 1,000,000 LLM spans in 100,000 traces (an agent span with 10
// chat children each, so every trace exercises the cost roll-up) through the full pipeline
// with CostSpanProcessor and the CostMetrics recorder. The heap is measured after a full
// collection before and after; the starting point is taken after a warm-up, so lazily built
// state that lives for the process (the embedded price table, JIT code, metric storages) is
// part of the start, as it would be in a running service.
import { createPipeline, llmTrace } from '../lib/otel.mjs';
import { fullGc, heapUsedMb, report } from '../lib/measure.mjs';

const TRACES = Number(process.env.BENCH_MEMORY_TRACES ?? 100_000);
const CHILDREN = 10;
const WARMUP_TRACES = 2_000;
// Yield to the event loop this often so the BatchSpanProcessor's export promises settle,
// as they would between requests in a service.
const YIELD_EVERY = 20;

const pipeline = createPipeline({ cost: true, metrics: true });
await pipeline.processor.ready();
const tick = () => new Promise((resolve) => setImmediate(resolve));

let seq = 0;
async function run(traces, onSample) {
  for (let t = 0; t < traces; t++) {
    llmTrace(pipeline.tracer, CHILDREN, seq++);
    if (t % YIELD_EVERY === YIELD_EVERY - 1) {
      await tick();
      if (onSample && t % 10_000 === 9_999) onSample();
    }
  }
  await pipeline.provider.forceFlush();
  await tick();
}

await run(WARMUP_TRACES);
fullGc();
const startMb = heapUsedMb();
let peakMb = startMb;
const started = performance.now();
await run(TRACES, () => {
  peakMb = Math.max(peakMb, heapUsedMb());
});
const seconds = (performance.now() - started) / 1000;
fullGc();
const endMb = heapUsedMb();
// Pending roll-up slots left behind (every parent ended: expected 0).
const pendingRollups = pipeline.processor._rollup?.size;
await pipeline.shutdown();

report({
  spans: TRACES * (CHILDREN + 1),
  llmSpans: TRACES * CHILDREN,
  traces: TRACES,
  startMb,
  endMb,
  peakMb,
  growthMb: endMb - startMb,
  pendingRollups,
  seconds,
  usPerSpan: (seconds * 1e6) / (TRACES * (CHILDREN + 1)),
});
