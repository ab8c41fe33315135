// Targets 1 and 2: the full SDK pipeline with vs without CostSpanProcessor.
//   plain: traces of non-GenAI spans (an HTTP server span with 10 database children);
//   llm:   traces of an agent span with 10 chat spans, metrics recorded on a real MeterProvider;
//          measured once on the span path, and once with metric collection every 100 traces.
// One iteration = one trace of 11 spans, so per-op figures are per span.
import { createContractFloorPipeline, createPipeline, llmTrace, plainTrace } from '../lib/otel.mjs';
import { interleavedRatio, report } from '../lib/measure.mjs';

const kind = process.argv[2];
if (kind !== 'plain' && kind !== 'llm') throw new Error('usage: spans.mjs plain|llm');

const CHILDREN = 10;
const SPANS_PER_TRACE = CHILDREN + 1;
const makeTrace = kind === 'plain' ? plainTrace : llmTrace;

const without = createPipeline({ cost: false });
const withCost = createPipeline({ cost: true, metrics: kind === 'llm' });
await withCost.processor.ready();

let seq = 0;
// Async iterations: the BatchSpanProcessor exports from a promise chain, which only settles
// between iterations; a synchronous loop would fill its queue and measure dropped spans.
const result = await interleavedRatio({
  without: async () => makeTrace(without.tracer, CHILDREN, seq++),
  with: async () => makeTrace(withCost.tracer, CHILDREN, seq++),
  opsPerIteration: SPANS_PER_TRACE,
  rounds: Number(process.env.BENCH_ROUNDS ?? 9),
  time: Number(process.env.BENCH_TIME_MS ?? 300),
});

// The same comparison with metric collection paid for inside the timed function: CostMetrics
// defers its SDK work (counter totals observed, histogram values replayed) to collection, so
// the span-path figure above does not show it. One iteration here is 100 traces and then one
// `metricReader.collect()` on both variants (the baseline has a MeterProvider and reader too,
// with nothing recorded on it), so the median iteration carries the deferred work amortized
// over 1,100 spans — a median of single traces would drop the one trace in 100 that collects.
const TRACES_PER_COLLECTION = 100;
let withCollection;
if (kind === 'llm') {
  const withoutMetered = createPipeline({ cost: false, metrics: true });
  const timed = (pipeline) => async () => {
    for (let t = 0; t < TRACES_PER_COLLECTION; t++) {
      makeTrace(pipeline.tracer, CHILDREN, seq++);
      await undefined; // let the batch processor's export promises settle, as between iterations above
    }
    const { errors } = await pipeline.metricReader.collect();
    if (errors.length > 0) throw errors[0];
  };
  withCollection = await interleavedRatio({
    without: timed(withoutMetered),
    with: timed(withCost),
    opsPerIteration: SPANS_PER_TRACE * TRACES_PER_COLLECTION,
    rounds: Number(process.env.BENCH_ROUNDS ?? 9),
    time: Number(process.env.BENCH_TIME_MS ?? 300),
    iterations: 8,
    warmupIterations: 2,
  });
  await withoutMetered.shutdown();
}

// The floor the contract sets (informational): a processor that does no work of its own but
// writes the same 11 attributes through span.setAttributes, and also makes 5 metric records
// through the SDK's instruments — what any implementation of DESIGN.md §2 pays.
const floors = {};
if (kind === 'llm') {
  for (const metrics of [false, true]) {
    const floor = createContractFloorPipeline({ metrics });
    const r = await interleavedRatio({
      without: async () => makeTrace(without.tracer, CHILDREN, seq++),
      with: async () => makeTrace(floor.tracer, CHILDREN, seq++),
      opsPerIteration: SPANS_PER_TRACE,
      rounds: 5,
      time: Number(process.env.BENCH_TIME_MS ?? 300),
    });
    floors[metrics ? 'attributesAndMetrics' : 'attributesOnly'] = r.ratio;
    await floor.shutdown();
  }
}

await without.shutdown();
await withCost.shutdown();
report({ kind, ...result, floors, withCollection });
