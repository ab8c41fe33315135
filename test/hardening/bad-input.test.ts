import { execFileSync } from 'node:child_process';
import { writeFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { BasicTracerProvider, InMemorySpanExporter, SimpleSpanProcessor } from '@opentelemetry/sdk-trace-base';
import type { Attributes } from '@opentelemetry/api';
import { describe, expect, it } from 'vitest';
import { compareVersions } from '../../src/conventions/input-accounting.js';
import { spanRole } from '../../src/conventions/span-role.js';
import { PriceBook } from '../../src/pricing/price-book.js';
import { PriceTable } from '../../src/pricing/price-table.js';
import { normalizeProvider, stripBedrockGeo } from '../../src/pricing/providers.js';
import { resolveInTable, stripRevision } from '../../src/pricing/resolve.js';
import { CostSpanProcessor } from '../../src/processor/cost-span-processor.js';
import { tempDir } from '../sources/helpers.js';

/**
 * Bad attribute values and adversarial strings, through the real processor. A test-owned price
 * entry (USD per token) gives every expected number.
 */

const RATE_IN = 3e-6;
const RATE_OUT = 15e-6;
const RATE_READ = 0.3e-6;
const book = new PriceBook({
  table: new PriceTable(
    [{ key: 'hardening-model', rates: { input: RATE_IN, output: RATE_OUT, cacheRead: RATE_READ }, source: 'test@1' }],
    'test@1',
  ),
  embedded: false,
});

function endSpan(
  attributes: Attributes,
  scope = 'app',
  options: ConstructorParameters<typeof CostSpanProcessor>[0] = {},
  name = 'chat',
) {
  const exporter = new InMemorySpanExporter();
  const provider = new BasicTracerProvider({
    spanProcessors: [new CostSpanProcessor({ priceBook: book, ...options }), new SimpleSpanProcessor(exporter)],
  });
  const span = provider.getTracer(scope).startSpan(name, { attributes });
  const t0 = performance.now();
  span.end();
  const ms = performance.now() - t0;
  return { attributes: exporter.getFinishedSpans()[0]!.attributes, ms };
}

const GOOD = {
  'gen_ai.request.model': 'hardening-model',
  'gen_ai.usage.input_tokens': 1000,
  'gen_ai.usage.output_tokens': 100,
};

describe('bad token counts are reported as invalid_usage, never priced as something else', () => {
  const bad: Array<[string, unknown]> = [
    ['a numeric string', '1000'],
    ['an array', [1000, 1]],
    ['NaN', Number.NaN],
    ['Infinity', Number.POSITIVE_INFINITY],
    ['a negative count', -5],
    ['a fractional count', 10.5],
    ['a huge count', 1e15],
    ['a boolean', true],
  ];
  for (const key of [
    'gen_ai.usage.input_tokens',
    'gen_ai.usage.output_tokens',
    'gen_ai.usage.cache_read.input_tokens',
  ]) {
    for (const [what, value] of bad) {
      it(`${key} = ${what}`, () => {
        const { attributes } = endSpan({ ...GOOD, [key]: value as never });
        expect(attributes['gen_ai.usage.cost_usd']).toBeUndefined();
        expect(attributes['gen_ai.cost.unpriced_reason']).toBe('invalid_usage');
      });
    }
  }

  it('prices the same span once the values are valid (the cases above are not unpriced for another reason)', () => {
    const { attributes } = endSpan(GOOD);
    expect(attributes['gen_ai.usage.cost_usd']).toBeCloseTo(1000 * RATE_IN + 100 * RATE_OUT, 12);
  });

  it('a provider-reported cost that is negative, NaN or absurd is not believed', () => {
    for (const v of [-1, Number.NaN, 1e12, '0.5']) {
      const { attributes } = endSpan({ ...GOOD, 'llm.cost.total': v as never });
      expect(attributes['gen_ai.cost.source']).toBe('test@1');
      expect(attributes['gen_ai.usage.cost_usd']).toBeCloseTo(1000 * RATE_IN + 100 * RATE_OUT, 12);
    }
  });
});

describe('cache parts larger than the input', () => {
  it('are added to the input (heuristic) for an unknown instrumentation, and say so', () => {
    const { attributes } = endSpan({
      ...GOOD,
      'gen_ai.usage.input_tokens': 100,
      'gen_ai.usage.cache_read.input_tokens': 5000,
    });
    expect(attributes['gen_ai.cost.input_accounting']).toBe('additive');
    expect(attributes['gen_ai.cost.input_accounting_reason']).toBe('heuristic');
    expect(attributes['gen_ai.usage.cost_usd']).toBeCloseTo(100 * RATE_IN + 5000 * RATE_READ + 100 * RATE_OUT, 12);
  });

  it('are invalid_usage when the user insists the input is inclusive', () => {
    const { attributes } = endSpan(
      { ...GOOD, 'gen_ai.usage.input_tokens': 100, 'gen_ai.usage.cache_read.input_tokens': 5000 },
      'app',
      { inputAccounting: { scopes: { app: 'inclusive' } } },
    );
    expect(attributes['gen_ai.usage.cost_usd']).toBeUndefined();
    expect(attributes['gen_ai.cost.unpriced_reason']).toBe('invalid_usage');
  });
});

/**
 * Pathological strings of 100k characters. A linear pass over 100k characters takes well under
 * a millisecond; a quadratic one (backtracking regex, repeated slicing) takes seconds, every
 * time. Each figure is the fastest of several runs, so a pause that is not the code's (another
 * process taking the core, a GC, JIT compilation) would have to hit every run to matter: the
 * ceiling trips only on super-linear work, however loaded the machine.
 */
const N = 100_000;
const CEILING_MS = 250;
const PATHOLOGICAL: Array<[string, string]> = [
  ['dashes', '-'.repeat(N)],
  ['a- repeated', 'a-'.repeat(N / 2)],
  ['@ then digits', `@${'1'.repeat(N)}`],
  ['digits then dash', `${'2'.repeat(N)}-`],
  ['-v1:0 repeated', '-v1:0'.repeat(N / 5)],
  ['slashes', '/'.repeat(N)],
  ['a/ repeated', 'a/'.repeat(N / 2)],
  ['dots', '.'.repeat(N)],
  ['us. repeated', 'us.'.repeat(N / 3)],
  ['.do repeated', '.do'.repeat(N / 3)],
  ['dated suffix after a long id', `${'x'.repeat(N)}-20250929`],
  ['whitespace around a real id', `${' '.repeat(N)}gpt-4o${' '.repeat(N)}`],
  ['unicode', '\u{1F600}\u0000\uFFFF'.repeat(N / 4)],
];

const RUNS = 5;

/** The fastest of RUNS runs of `fn`, in ms. */
function timed(fn: () => unknown): number {
  let best = Infinity;
  for (let i = 0; i < RUNS; i++) {
    const t0 = performance.now();
    fn();
    best = Math.min(best, performance.now() - t0);
  }
  return best;
}

/**
 * `endSpan` RUNS times, each with a fresh price book (its resolution memo would make every run
 * after the first cheap): the attributes of the last run and the fastest `span.end()`.
 */
function endSpanFastest(attributes: Attributes, scope = 'app'): ReturnType<typeof endSpan> {
  let last: ReturnType<typeof endSpan> | undefined;
  let ms = Infinity;
  for (let i = 0; i < RUNS; i++) {
    last = endSpan(attributes, scope, {
      priceBook: new PriceBook({ table: book.table as PriceTable, embedded: false }),
    });
    ms = Math.min(ms, last.ms);
  }
  return { attributes: last!.attributes, ms };
}

describe('adversarial strings take linear time (no regular expression or loop is super-linear)', () => {
  for (const [what, s] of PATHOLOGICAL) {
    it(`${what} (${s.length} chars) as model, provider, operation id, scope version and span name`, () => {
      const { attributes, ms } = endSpanFastest(
        {
          'gen_ai.request.model': s,
          'gen_ai.provider.name': s,
          'ai.operationId': s,
          'gen_ai.usage.input_tokens': 10,
          'openai.response.service_tier': s,
        },
        'app',
      );
      expect(ms).toBeLessThan(CEILING_MS);
      // The span is still a well-formed result: unknown model, not an exception.
      expect(attributes['gen_ai.usage.cost_usd']).toBeUndefined();
      // The Vercel operation regex, the version comparison and the resolver's helpers directly.
      expect(timed(() => spanRole(s, { 'ai.usage.inputTokens': 1 }, true))).toBeLessThan(CEILING_MS);
      expect(timed(() => spanRole(s, { 'ai.operationId': s }, true))).toBeLessThan(CEILING_MS);
      expect(timed(() => compareVersions(s, '0.2.0'))).toBeLessThan(CEILING_MS);
      expect(timed(() => normalizeProvider(s))).toBeLessThan(CEILING_MS);
      expect(timed(() => stripRevision(s))).toBeLessThan(CEILING_MS);
      expect(timed(() => stripBedrockGeo(s))).toBeLessThan(CEILING_MS);
      expect(timed(() => resolveInTable(book.table as PriceTable, s, 'openai'))).toBeLessThan(CEILING_MS);
    });
  }

  it('a scope name made of 100k characters does not slow the profile lookup', () => {
    const { ms } = endSpanFastest(
      { ...GOOD, 'gen_ai.usage.cache_read.input_tokens': 10 },
      `@traceloop/${'a-'.repeat(N / 2)}`,
    );
    expect(ms).toBeLessThan(CEILING_MS);
  });

  it('whitespace around a known id still prices it (trimmed, not rejected by length)', () => {
    const { attributes } = endSpan({ ...GOOD, 'gen_ai.request.model': `  hardening-model  ` });
    expect(attributes['gen_ai.cost.pricing_key']).toBe('hardening-model');
  });
});

describe('untrusted model ids cannot pin memory in the resolution memo', () => {
  it('pricing 3000 distinct 100k-character model ids retains far less than the ids (child process, real GC)', () => {
    // 3000 × 100 kB = 300 MB of ids pass through; a memo that kept them would hold ~200 MB.
    const dir = tempDir('memo');
    const script = join(dir, 'memo.ts');
    writeFileSync(
      script,
      `import { PriceBook } from ${JSON.stringify(resolve(__dirname, '../../src/pricing/price-book.ts'))};
const book = new PriceBook({ embedded: false });
globalThis.gc!();
const before = process.memoryUsage().heapUsed;
for (let i = 0; i < 3000; i++) {
  const id = (i.toString(36) + '-').repeat(Math.ceil(100_000 / (i.toString(36).length + 1)));
  book.price({ model: id, inputTokens: 1, outputTokens: 1 });
}
globalThis.gc!();
console.log(JSON.stringify({ retainedMb: (process.memoryUsage().heapUsed - before) / 1e6 }));
`,
    );
    const out = execFileSync(process.execPath, ['--expose-gc', '--import', 'tsx', script], {
      cwd: resolve(__dirname, '../..'),
      encoding: 'utf8',
      timeout: 30_000,
    });
    const { retainedMb } = JSON.parse(out.trim().split('\n').pop() as string) as { retainedMb: number };
    expect(retainedMb).toBeLessThan(20);
  });
});
