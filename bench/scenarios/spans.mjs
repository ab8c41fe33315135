// Span-path targets: the full SDK pipeline with CostSpanProcessor, against what the SDK itself
// costs (docs/architecture.md and BENCHMARKS.md say why these baselines).
//   plain: traces of non-GenAI spans (an HTTP server span with 10 database children), measured
//          with our processor, with a do-nothing processor registered in the same place (the
//          target's baseline: what any processor costs) and with no processor (information);
//   llm:   traces of an agent span with 10 chat spans, metrics recorded on a real MeterProvider,
//          measured with our processor, with the contract floor (a stand-in that writes the same
//          11 attributes and nothing else) and with no processor (the baseline of both);
//          then once more with metric collection every 100 traces.
// All variants of a scenario run in the same rounds (order rotated each round), so one slow
// round of the machine hits all of them. One iteration = one trace of 11 spans: per-op figures
// are per span.
import { createContractFloorPipeline, createPipeline, llmTrace, plainTrace } from '../lib/otel.mjs';
import { interleavedRatio, interleavedVariants, report } from '../lib/measure.mjs';

const kind = process.argv[2];
if (kind !== 'plain' && kind !== 'llm') throw new Error('usage: spans.mjs plain|llm');

const CHILDREN = 10;
const SPANS_PER_TRACE = CHILDREN + 1;
const makeTrace = kind === 'plain' ? plainTrace : llmTrace;
const rounds = Number(process.env.BENCH_ROUNDS ?? 9);
const time = Number(process.env.BENCH_TIME_MS ?? 300);

const without = createPipeline({ cost: false });
const withCost = createPipeline({ cost: true, metrics: kind === 'llm' });
await withCost.processor.ready();
// plain: a do-nothing processor where ours is; llm: the contract floor where ours is.
const reference = kind === 'plain' ? createPipeline({ cost: false, doNothing: true }) : createContractFloorPipeline();
const referenceName = kind === 'plain' ? 'doNothing' : 'floor';

let seq = 0;
// Async iterations: the BatchSpanProcessor exports from a promise chain, which only settles
// between iterations; a synchronous loop would fill its queue and measure dropped spans.
const spans = await interleavedVariants({
  variants: {
    without: async () => makeTrace(without.tracer, CHILDREN, seq++),
    [referenceName]: async () => makeTrace(reference.tracer, CHILDREN, seq++),
    with: async () => makeTrace(withCost.tracer, CHILDREN, seq++),
  },
  baseline: 'without',
  opsPerIteration: SPANS_PER_TRACE,
  rounds,
  time,
});
await reference.shutdown();

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
    rounds,
    time,
    iterations: 8,
    warmupIterations: 2,
  });
  await withoutMetered.shutdown();
}

await without.shutdown();
await withCost.shutdown();

const common = {
  kind,
  withUs: spans.us.with,
  withoutUs: spans.us.without,
  roundRatios: spans.roundRatios,
  samples: spans.samples,
};
if (kind === 'plain') {
  report({
    ...common,
    // the target: ours against a do-nothing processor registered in the same place
    ratio: spans.ratioOf('with', 'doNothing'),
    doNothingUs: spans.us.doNothing,
    // information: ours, and the do-nothing processor, against no processor at all
    ratioVsNoProcessor: spans.ratios.with,
    doNothingVsNoProcessor: spans.ratios.doNothing,
  });
} else {
  report({
    ...common,
    ratio: spans.ratios.with,
    floorRatio: spans.ratios.floor,
    floorUs: spans.us.floor,
    // the target is llm_span_ratio / llm_span_floor_ratio; this is the per-round with/floor, for comparison
    withVsFloorPerRound: spans.ratioOf('with', 'floor'),
    withCollection,
  });
}
