/**
 * Costs under other tools' names (docs/interop.md): one switch per target, each adding exactly
 * its attribute set to a real AI SDK 7 span (Anthropic, cache read + cache write, against the mock
 * LLM), and nothing when off. Expected amounts come from genai-prices' `calcPrice`; attribute
 * names of OpenInference from its own semantic-conventions package. Whatever we write is never
 * read back as a provider-reported cost.
 */
import { InMemorySpanExporter, SimpleSpanProcessor, type ReadableSpan } from '@opentelemetry/sdk-trace-base';
import { NodeTracerProvider } from '@opentelemetry/sdk-trace-node';
import { context } from '@opentelemetry/api';
import { AsyncLocalStorageContextManager } from '@opentelemetry/context-async-hooks';
import {
  LLM_COST_COMPLETION,
  LLM_COST_INPUT,
  LLM_COST_PROMPT,
  LLM_COST_PROMPT_DETAILS_CACHE_READ,
  LLM_COST_PROMPT_DETAILS_CACHE_WRITE,
  LLM_COST_TOTAL,
} from '@arizeai/openinference-semantic-conventions';
import { calcPrice } from '@pydantic/genai-prices';
import { OpenTelemetry } from '@ai-sdk/otel';
import { generateText } from 'ai7';
import { createAnthropic } from 'ai-sdk-anthropic-4';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startMockLLM, usageDirective, type MockDirective, type MockLLM } from '../../examples/mock-llm/index.js';
import { ATTR_COST_SOURCE, ATTR_COST_USD } from '../../src/attributes.js';
import type { CostInteropOptions } from '../../src/interop/cost-interop.js';
import { CostSpanExporter } from '../../src/processor/cost-span-exporter.js';
import { CostSpanProcessor } from '../../src/processor/cost-span-processor.js';

const USAGE: MockDirective = { input: 3000, cached: 2000, cacheWrite: 600, output: 250 };

function price(u: MockDirective): number {
  const r = calcPrice(
    {
      input_tokens: u.input ?? 0,
      cache_read_tokens: u.cached ?? 0,
      cache_write_tokens: u.cacheWrite ?? 0,
      output_tokens: u.output ?? 0,
    },
    'claude-sonnet-4-5',
    { providerId: 'anthropic' },
  );
  if (!r) throw new Error('genai-prices does not price claude-sonnet-4-5');
  return r.total_price;
}

// Each class priced alone by genai-prices (a request of only those tokens).
const TOTAL = price(USAGE);
const CACHE_READ = price({ input: 2000, cached: 2000 });
const CACHE_WRITE = price({ input: 600, cacheWrite: 600 });
const UNCACHED_INPUT = price({ input: 400 });
const OUTPUT = price({ output: 250 });

describe('interop: the cost under other tools names', () => {
  let llm: MockLLM;
  beforeAll(async () => {
    llm = await startMockLLM();
    context.setGlobalContextManager(new AsyncLocalStorageContextManager().enable());
  });
  afterAll(async () => {
    await llm?.close();
  });

  /** One real AI SDK 7 call through a processor with `interop`; the priced `chat` span. */
  async function call(
    interop?: CostInteropOptions,
    extra: Array<SimpleSpanProcessor | CostSpanProcessor> = [],
    beforeShutdown?: () => void,
  ): Promise<ReadableSpan> {
    const exporter = new InMemorySpanExporter();
    const provider = new NodeTracerProvider({
      spanProcessors: [new CostSpanProcessor(interop ? { interop } : {}), ...extra, new SimpleSpanProcessor(exporter)],
    });
    try {
      await generateText({
        model: createAnthropic({ baseURL: llm.anthropicV1BaseURL, apiKey: 'mock' })('claude-sonnet-4-5'),
        prompt: `Answer. ${usageDirective(USAGE)}`,
        telemetry: { integrations: new OpenTelemetry({ tracer: provider.getTracer('gen_ai') }) },
      });
      await provider.forceFlush();
      const priced = exporter.getFinishedSpans().filter((s) => typeof s.attributes[ATTR_COST_USD] === 'number');
      expect(priced).toHaveLength(1);
      beforeShutdown?.();
      return priced[0]!;
    } finally {
      await provider.shutdown();
    }
  }

  /** What a switch added, compared with the same call without it. */
  async function added(interop: CostInteropOptions): Promise<Record<string, unknown>> {
    const [plain, withInterop] = [await call(), await call(interop)];
    expect(plain.attributes[ATTR_COST_USD]).toBeCloseTo(TOTAL, 12);
    return Object.fromEntries(Object.entries(withInterop.attributes).filter(([k]) => !(k in plain.attributes)));
  }

  it('writes nothing extra by default', async () => {
    const span = await call();
    const keys = Object.keys(span.attributes);
    expect(
      keys.filter((k) => k.startsWith('llm.cost') || k.startsWith('langfuse.') || k.startsWith('gen_ai.usage.cost.')),
    ).toEqual([]);
  });

  it('openInference: llm.cost.total, .prompt, .completion and the prompt details, exactly', async () => {
    const attrs = await added({ openInference: true });
    expect(Object.keys(attrs).sort()).toEqual(
      [
        LLM_COST_TOTAL,
        LLM_COST_PROMPT,
        LLM_COST_COMPLETION,
        LLM_COST_INPUT,
        LLM_COST_PROMPT_DETAILS_CACHE_READ,
        LLM_COST_PROMPT_DETAILS_CACHE_WRITE,
      ].sort(),
    );
    expect(attrs[LLM_COST_TOTAL]).toBeCloseTo(TOTAL, 12);
    expect(attrs[LLM_COST_PROMPT]).toBeCloseTo(UNCACHED_INPUT + CACHE_READ + CACHE_WRITE, 12);
    expect(attrs[LLM_COST_COMPLETION]).toBeCloseTo(OUTPUT, 12);
    expect(attrs[LLM_COST_INPUT]).toBeCloseTo(UNCACHED_INPUT, 12);
    expect(attrs[LLM_COST_PROMPT_DETAILS_CACHE_READ]).toBeCloseTo(CACHE_READ, 12);
    expect(attrs[LLM_COST_PROMPT_DETAILS_CACHE_WRITE]).toBeCloseTo(CACHE_WRITE, 12);
  });

  it('langfuse: langfuse.observation.cost_details only, a JSON object of USD per usage type', async () => {
    const attrs = await added({ langfuse: true });
    expect(Object.keys(attrs)).toEqual(['langfuse.observation.cost_details']);
    const details = JSON.parse(attrs['langfuse.observation.cost_details'] as string) as Record<string, number>;
    expect(Object.keys(details).sort()).toEqual([
      'input',
      'input_cache_creation',
      'input_cache_read',
      'output',
      'total',
    ]);
    expect(details.total).toBeCloseTo(TOTAL, 12);
    expect(details.input).toBeCloseTo(UNCACHED_INPUT, 12);
    expect(details.input_cache_read).toBeCloseTo(CACHE_READ, 12);
    expect(details.input_cache_creation).toBeCloseTo(CACHE_WRITE, 12);
    expect(details.output).toBeCloseTo(OUTPUT, 12);
  });

  it('semconvProposal: gen_ai.usage.cost.amount, .currency = USD, .source = local, exactly', async () => {
    const attrs = await added({ semconvProposal: true });
    expect(Object.keys(attrs).sort()).toEqual([
      'gen_ai.usage.cost.amount',
      'gen_ai.usage.cost.currency',
      'gen_ai.usage.cost.source',
    ]);
    expect(attrs['gen_ai.usage.cost.amount']).toBeCloseTo(TOTAL, 12);
    expect(attrs['gen_ai.usage.cost.currency']).toBe('USD');
    expect(attrs['gen_ai.usage.cost.source']).toBe('local');
  });

  it('a second processor and the exporter wrapper never read what we wrote as a reported cost', async () => {
    const all = { langfuse: true, openInference: true, semconvProposal: true };
    const wrapped = new InMemorySpanExporter();
    let exported: ReadableSpan[] = [];
    const span = await call(
      all,
      [
        new CostSpanProcessor({ interop: all }),
        new SimpleSpanProcessor(new CostSpanExporter(wrapped, { interop: all })),
      ],
      () => (exported = wrapped.getFinishedSpans()),
    );
    expect(span.attributes[ATTR_COST_SOURCE]).toMatch(/^genai-prices@/);
    expect(span.attributes[ATTR_COST_USD]).toBeCloseTo(TOTAL, 12);
    const [seen] = exported.filter((s) => s.name === span.name);
    expect(seen?.attributes).toEqual(span.attributes);
  });
});

describe('interop on a cost the instrumentation reported', () => {
  it('keeps the reported figures, marks the proposal source provider, and overwrites nothing', async () => {
    const exporter = new InMemorySpanExporter();
    const provider = new NodeTracerProvider({
      spanProcessors: [
        // llm.cost.total is an estimate by default; this app knows its instrumentation copies the
        // gateway's billed cost there, so it trusts it.
        new CostSpanProcessor({
          interop: { openInference: true, semconvProposal: true },
          trustedCostAttributes: ['llm.cost.total'],
        }),
        new SimpleSpanProcessor(exporter),
      ],
    });
    // An OpenInference LLM span whose instrumentation recorded the cost the gateway returned.
    provider
      .getTracer('openinference')
      .startSpan('ChatCompletion', {
        attributes: {
          'openinference.span.kind': 'LLM',
          'llm.model_name': 'openrouter/some-model',
          'llm.token_count.prompt': 100,
          'llm.token_count.completion': 10,
          'llm.cost.total': 0.0042,
        },
      })
      .end();
    const [span] = exporter.getFinishedSpans();
    await provider.shutdown();
    expect(span?.attributes[ATTR_COST_SOURCE]).toBe('reported');
    expect(span?.attributes['llm.cost.total']).toBe(0.0042);
    expect(span?.attributes['gen_ai.usage.cost.amount']).toBe(0.0042);
    expect(span?.attributes['gen_ai.usage.cost.source']).toBe('provider');
    // The parts were not reported: none is invented.
    expect(span?.attributes['llm.cost.prompt']).toBeUndefined();
  });

  it('warns about an unknown target or a non-boolean switch and ignores it', async () => {
    const { diag } = await import('@opentelemetry/api');
    const warnings: string[] = [];
    diag.setLogger({ warn: (m: string) => warnings.push(m), error() {}, info() {}, debug() {}, verbose() {} });
    try {
      new CostSpanProcessor({ interop: { phoenix: true, langfuse: 'yes' } as unknown as CostInteropOptions });
    } finally {
      diag.disable();
    }
    expect(warnings.some((w) => w.includes("unknown interop target 'phoenix'"))).toBe(true);
    expect(warnings.some((w) => w.includes('interop.langfuse must be true or false'))).toBe(true);
  });
});
