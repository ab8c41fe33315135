import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { calcPrice } from '@pydantic/genai-prices';
import type { Instrumentation } from '@opentelemetry/instrumentation';
import { MeterProvider } from '@opentelemetry/sdk-metrics';
import type OpenAIDefault from 'openai';
import {
  ATTR_COST_INPUT_USD,
  ATTR_COST_PRICING_KEY,
  ATTR_COST_REPORTED_FROM,
  ATTR_COST_ROLLUP_USD,
  ATTR_COST_SOURCE,
  ATTR_COST_USD,
} from '../../src/attributes.js';
import { CostMetrics } from '../../src/metrics/cost-metrics.js';
import { PriceBook } from '../../src/pricing/price-book.js';
import { CostSpanProcessor } from '../../src/processor/cost-span-processor.js';
import { startMockLLM, usageDirective, type MockLLM } from '../../examples/mock-llm/index.js';
import { setupVercelAI, type Harness } from '../support/instrumentation-harness.js';
import { collectMetrics, TestReader } from '../support/metric-reader.js';
import { captureDiag, child, pipeline } from './helpers.js';

/**
 * Issue 9 §3: a cost on a span is `reported` only when its provenance says the provider billed it.
 * Expected figures come from genai-prices or from the provider's own answer, never from our code.
 */

const require = createRequire(import.meta.url);

let llm: MockLLM;
beforeAll(async () => {
  llm = await startMockLLM();
});
afterAll(async () => {
  await llm.close();
});

/** OpenLIT's OpenAI instrumentation (real package), fed a pricing table in OpenLIT's own format. */
async function setupOpenLIT(processor: CostSpanProcessor): Promise<Harness & { OpenAI: typeof OpenAIDefault }> {
  // Its subpaths are not in the package's `exports`: load the files by path.
  const dist = dirname(require.resolve('openlit'));
  const OpenlitConfig = (
    require(join(dist, 'config.js')) as {
      default: Record<string, unknown> & { updateConfig(o: Record<string, unknown>): void };
    }
  ).default;
  OpenlitConfig.updateConfig({
    applicationName: 'test',
    environment: 'test',
    disableMetrics: true,
    captureMessageContent: false,
  });
  // OpenLIT's pricing.json shape: USD per 1K tokens. Its gpt-4o entry has no cache-read price,
  // so OpenLIT bills cached tokens at the full input rate (the known error §3 is about).
  OpenlitConfig.pricingInfo = { chat: { 'gpt-4o': { promptPrice: 0.0025, completionPrice: 0.01 } } };
  const Instr = (require(join(dist, 'instrumentation/openai/index.js')) as { default: new () => Instrumentation })
    .default;
  const instrumentation = new Instr();
  const { NodeTracerProvider } = await import('@opentelemetry/sdk-trace-node');
  const { InMemorySpanExporter, SimpleSpanProcessor } = await import('@opentelemetry/sdk-trace-base');
  const exporter = new InMemorySpanExporter();
  const provider = new NodeTracerProvider({ spanProcessors: [processor, new SimpleSpanProcessor(exporter)] });
  instrumentation.setTracerProvider(provider);
  instrumentation.enable();
  // A fresh copy of `openai`, required after the hook is in place (see instrumentation-harness.ts).
  const main = require.resolve('openai');
  const root = main.slice(0, main.lastIndexOf('/node_modules/openai/') + '/node_modules/openai'.length);
  for (const file of Object.keys(require.cache)) if (file.startsWith(`${root}/`)) delete require.cache[file];
  const { OpenAI } = require('openai') as typeof import('openai');
  return {
    provider,
    exporter,
    tracer: provider.getTracer('test'),
    getSpans: () => exporter.getFinishedSpans(),
    reset: () => exporter.reset(),
    async shutdown() {
      instrumentation.disable();
      await provider.shutdown();
    },
    OpenAI,
  };
}

describe('an estimate already on the span (OpenLIT) is not taken as the billed cost', () => {
  it('prices the call from its usage and leaves OpenLIT’s gen_ai.usage.cost untouched', async () => {
    const h = await setupOpenLIT(new CostSpanProcessor({ priceBook: new PriceBook() }));
    try {
      const client = new h.OpenAI({ baseURL: llm.openaiBaseURL, apiKey: 'test' });
      await client.chat.completions.create({
        model: 'gpt-4o',
        messages: [{ role: 'user', content: usageDirective({ input: 2_500, cached: 1_920, output: 100 }) }],
      });
      const span = h.getSpans().find((s) => s.instrumentationScope.name.startsWith('@openlit/'));
      expect(span, 'OpenLIT produced a span').toBeDefined();
      const a = span!.attributes;
      // OpenLIT's own figure, from its table: every prompt token at the input rate.
      expect(a['gen_ai.usage.cost']).toBeCloseTo((2_500 / 1_000) * 0.0025 + (100 / 1_000) * 0.01, 12);
      const expected = calcPrice({ input_tokens: 2_500, cache_read_tokens: 1_920, output_tokens: 100 }, 'gpt-4o', {
        providerId: 'openai',
      })!.total_price;
      expect(a[ATTR_COST_USD]).toBeCloseTo(expected, 12);
      expect(a[ATTR_COST_SOURCE]).toMatch(/^genai-prices@/);
      expect(a[ATTR_COST_REPORTED_FROM]).toBeUndefined();
      // The two really differ: the estimate bills 1,920 cached tokens at the full rate.
      expect(Math.abs((a['gen_ai.usage.cost'] as number) - expected)).toBeGreaterThan(0.002);
    } finally {
      await h.shutdown();
    }
  });

  it('takes OpenLIT’s attribute as the cost when the user trusts it', async () => {
    const h = await setupOpenLIT(
      new CostSpanProcessor({ priceBook: new PriceBook(), trustedCostAttributes: ['gen_ai.usage.cost'] }),
    );
    try {
      const client = new h.OpenAI({ baseURL: llm.openaiBaseURL, apiKey: 'test' });
      await client.chat.completions.create({
        model: 'gpt-4o',
        messages: [{ role: 'user', content: usageDirective({ input: 2_000, output: 100 }) }],
      });
      const a = h.getSpans().find((s) => s.instrumentationScope.name.startsWith('@openlit/'))!.attributes;
      expect(a[ATTR_COST_USD]).toBe(a['gen_ai.usage.cost']);
      expect(a[ATTR_COST_SOURCE]).toBe('reported');
      expect(a[ATTR_COST_REPORTED_FROM]).toBe('gen_ai.usage.cost');
    } finally {
      await h.shutdown();
    }
  });
});

/** A loopback stand-in for OpenRouter's chat completions endpoint, answering with its usage shape. */
function startOpenRouterStub(cost: number, upstream?: number): Promise<{ server: Server; baseURL: string }> {
  const server = createServer((req, res) => {
    req.resume();
    req.on('end', () => {
      res.setHeader('content-type', 'application/json');
      res.end(
        JSON.stringify({
          id: 'gen-1',
          provider: 'Anthropic',
          model: 'anthropic/claude-sonnet-4.5',
          object: 'chat.completion',
          created: 1_760_000_000,
          choices: [{ index: 0, finish_reason: 'stop', message: { role: 'assistant', content: 'Hi.' } }],
          usage: {
            prompt_tokens: 1_200,
            completion_tokens: 80,
            total_tokens: 1_280,
            prompt_tokens_details: { cached_tokens: 0 },
            cost,
            ...(upstream !== undefined ? { cost_details: { upstream_inference_cost: upstream } } : {}),
          },
        }),
      );
    });
  });
  return new Promise((resolve) =>
    server.listen(0, '127.0.0.1', () =>
      resolve({ server, baseURL: `http://127.0.0.1:${(server.address() as AddressInfo).port}/api/v1` }),
    ),
  );
}

describe('OpenRouter’s billed usage.cost through the Vercel AI SDK is reported', () => {
  it('writes the cost OpenRouter charged (provider metadata), counts it in metrics and in the roll-up', async () => {
    const { server, baseURL } = await startOpenRouterStub(0.004812);
    const reader = new TestReader();
    const meterProvider = new MeterProvider({ readers: [reader] });
    const h = await setupVercelAI({
      spanProcessors: [
        new CostSpanProcessor({ priceBook: new PriceBook(), recorder: new CostMetrics({ meterProvider }) }),
      ],
    });
    try {
      const { createOpenRouter } = await import('@openrouter/ai-sdk-provider');
      const openrouter = createOpenRouter({ apiKey: 'test', baseURL });
      await h.tracer.startActiveSpan('request', async (root) => {
        await h.ai.generateText({
          model: openrouter('anthropic/claude-sonnet-4.5'),
          prompt: 'Hi',
          experimental_telemetry: h.telemetry,
        });
        root.end();
      });
      const call = h.getSpans().find((s) => s.name === 'ai.generateText.doGenerate');
      expect(call, 'the AI SDK produced its inference span').toBeDefined();
      expect(call!.attributes[ATTR_COST_USD]).toBe(0.004812);
      expect(call!.attributes[ATTR_COST_SOURCE]).toBe('reported');
      expect(call!.attributes[ATTR_COST_REPORTED_FROM]).toBe('ai.response.providerMetadata');
      expect(call!.attributes[ATTR_COST_PRICING_KEY]).toBeUndefined();
      // Reported costs roll up like priced ones.
      expect(h.getSpans().find((s) => s.name === 'request')!.attributes[ATTR_COST_ROLLUP_USD]).toBe(0.004812);
      const metrics = await collectMetrics(reader);
      const hist = metrics.get('gen_ai.usage.cost') as { dataPoints: { value: { sum: number; count: number } }[] };
      expect(hist.dataPoints.reduce((s, p) => s + p.value.sum, 0)).toBeCloseTo(0.004812, 12);
    } finally {
      await h.shutdown();
      await meterProvider.shutdown();
      server.close();
    }
  });

  it('adds the upstream provider’s cost of a bring-your-own-key call to OpenRouter’s fee', async () => {
    const { server, baseURL } = await startOpenRouterStub(0.0002, 0.004);
    const h = await setupVercelAI({ spanProcessors: [new CostSpanProcessor({ priceBook: new PriceBook() })] });
    try {
      const { createOpenRouter } = await import('@openrouter/ai-sdk-provider');
      const openrouter = createOpenRouter({ apiKey: 'test', baseURL });
      await h.ai.generateText({
        model: openrouter('anthropic/claude-sonnet-4.5'),
        prompt: 'Hi',
        experimental_telemetry: h.telemetry,
      });
      const call = h.getSpans().find((s) => s.name === 'ai.generateText.doGenerate')!;
      expect(call.attributes[ATTR_COST_USD]).toBeCloseTo(0.0042, 15);
    } finally {
      await h.shutdown();
      server.close();
    }
  });
});

describe('gen_ai.usage.cost with the proposed gen_ai.usage.cost.source', () => {
  const llmAttrs = (extra: Record<string, unknown>) => ({
    'gen_ai.operation.name': 'chat',
    'gen_ai.provider.name': 'openai',
    'gen_ai.request.model': 'gpt-4o',
    'gen_ai.usage.input_tokens': 1_000,
    'gen_ai.usage.output_tokens': 100,
    ...extra,
  });
  const standard = calcPrice({ input_tokens: 1_000, output_tokens: 100 }, 'gpt-4o', {
    providerId: 'openai',
  })!.total_price;

  it.each([
    [
      'source = provider',
      { 'gen_ai.usage.cost': 0.0042, 'gen_ai.usage.cost.source': 'provider' },
      0.0042,
      'gen_ai.usage.cost',
    ],
    [
      'the proposal’s .amount spelling',
      { 'gen_ai.usage.cost.amount': 0.0042, 'gen_ai.usage.cost.source': 'provider' },
      0.0042,
      'gen_ai.usage.cost.amount',
    ],
    [
      'currency USD',
      { 'gen_ai.usage.cost': 0.0042, 'gen_ai.usage.cost.source': 'provider', 'gen_ai.usage.cost.currency': 'USD' },
      0.0042,
      'gen_ai.usage.cost',
    ],
  ])('is reported when the provider billed it (%s)', (_name, extra, cost, from) => {
    const p = pipeline(new CostSpanProcessor({ priceBook: new PriceBook() }));
    p.tracer.startSpan('chat gpt-4o', { attributes: llmAttrs(extra) }).end();
    const a = p.byName('chat gpt-4o').attributes;
    expect(a[ATTR_COST_USD]).toBe(cost);
    expect(a[ATTR_COST_SOURCE]).toBe('reported');
    expect(a[ATTR_COST_REPORTED_FROM]).toBe(from);
    expect(a[ATTR_COST_INPUT_USD]).toBeUndefined();
  });

  it.each([
    ['no source', { 'gen_ai.usage.cost': 0.5 }],
    ['a locally computed cost', { 'gen_ai.usage.cost': 0.5, 'gen_ai.usage.cost.source': 'local' }],
    ['a pricing-table cost', { 'gen_ai.usage.cost': 0.5, 'gen_ai.usage.cost.source': 'pricing_table' }],
    [
      'another currency',
      { 'gen_ai.usage.cost': 0.5, 'gen_ai.usage.cost.source': 'provider', 'gen_ai.usage.cost.currency': 'EUR' },
    ],
    ['OpenInference llm.cost.total', { 'llm.cost.total': 0.5 }],
  ])('is an estimate otherwise (%s): priced from usage, the attribute kept as is', (_name, extra) => {
    const p = pipeline(new CostSpanProcessor({ priceBook: new PriceBook() }));
    p.tracer.startSpan('chat gpt-4o', { attributes: llmAttrs(extra) }).end();
    const a = p.byName('chat gpt-4o').attributes;
    expect(a[ATTR_COST_USD]).toBeCloseTo(standard, 12);
    expect(a[ATTR_COST_SOURCE]).toMatch(/^genai-prices@/);
    for (const [k, v] of Object.entries(extra)) expect(a[k]).toBe(v);
  });

  it('trusts a named attribute before the built-in sources, and ignores a bad option value with a warning', () => {
    const p = pipeline(
      new CostSpanProcessor({ priceBook: new PriceBook(), trustedCostAttributes: ['acme.billed_usd'] }),
    );
    const parent = p.tracer.startSpan('agent', { attributes: { 'gen_ai.operation.name': 'invoke_agent' } });
    child(
      p.tracer,
      'chat gpt-4o',
      parent,
      llmAttrs({ 'acme.billed_usd': 0.0031, 'gen_ai.usage.cost': 9, 'gen_ai.usage.cost.source': 'provider' }),
    ).end();
    parent.end();
    const a = p.byName('chat gpt-4o').attributes;
    expect(a[ATTR_COST_USD]).toBe(0.0031);
    expect(a[ATTR_COST_REPORTED_FROM]).toBe('acme.billed_usd');
    expect(p.byName('agent').attributes[ATTR_COST_ROLLUP_USD]).toBe(0.0031);

    const diagOut = captureDiag();
    try {
      const bad = pipeline(
        new CostSpanProcessor({ priceBook: new PriceBook(), trustedCostAttributes: 'acme.billed_usd' as never }),
      );
      bad.tracer.startSpan('chat gpt-4o', { attributes: llmAttrs({ 'acme.billed_usd': 0.0031 }) }).end();
      expect(bad.byName('chat gpt-4o').attributes[ATTR_COST_USD]).toBeCloseTo(standard, 12);
      expect(diagOut.messages.filter((m) => m.includes('trustedCostAttributes'))).toHaveLength(1);
    } finally {
      diagOut.restore();
    }
  });
});
