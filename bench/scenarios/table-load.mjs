// Target 4: loading the shared LiteLLM table (JSON.parse + parseLiteLLMTable + PriceTable
// index) vs a bare JSON.parse of the same text, and the heap the loaded table retains.
// The file is read once, outside the timings: both variants start from the same string.
import { readFileSync, existsSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { PriceTable, parseLiteLLMTable } from '../../dist/index.js';
import { fullGc, heapUsedMb, interleavedRatio, report } from '../lib/measure.mjs';

const path = fileURLToPath(
  new URL('../../../shared/pricing/litellm-model_prices_and_context_window.json', import.meta.url),
);
if (!existsSync(path)) {
  report({ skipped: `LiteLLM table not found at ${path}` });
  process.exit(0);
}
const text = readFileSync(path, 'utf8');
const SOURCE = 'litellm:bench@2026-07-24';

function load(t) {
  const { entries } = parseLiteLLMTable(JSON.parse(t), SOURCE);
  return new PriceTable(entries, SOURCE);
}

// Retained heap first, in a fresh heap: hold a reference across a full collection.
// Each measurement gets its own copy of the text so nothing is shared with earlier runs.
const held = [];
function retainedMb(build) {
  fullGc();
  const before = heapUsedMb();
  held.push(build(text));
  fullGc();
  return heapUsedMb() - before;
}
const jsonHeapMb = retainedMb((t) => JSON.parse(t));
held.length = 0;
const tableHeapMb = retainedMb(load);
const table = held[0];

let sink = 0;
// JIT warm-up of both paths before the first timed round.
for (let i = 0; i < 15; i++) sink += load(text).size + Object.keys(JSON.parse(text)).length;
const result = await interleavedRatio({
  without: () => {
    sink += Object.keys(JSON.parse(text)).length;
  },
  with: () => {
    sink += load(text).size;
  },
  opsPerIteration: 1,
  rounds: Number(process.env.BENCH_ROUNDS ?? 5),
  time: Number(process.env.BENCH_TIME_MS ?? 800),
  iterations: 10,
  warmupIterations: 5,
  warmupTime: 200,
});

report({
  ratio: result.ratio,
  loadMs: result.withUs / 1000,
  jsonParseMs: result.withoutUs / 1000,
  roundRatios: result.roundRatios,
  tableHeapMb,
  jsonHeapMb,
  fileMb: Buffer.byteLength(text) / 1024 / 1024,
  rawKeys: Object.keys(JSON.parse(text)).length,
  entries: table.size,
  sink: sink > 0,
});
