import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { calcPrice } from '@pydantic/genai-prices';
import { MeterProvider, type SumMetricData } from '@opentelemetry/sdk-metrics';
import { ATTR_COST_MATCH, ATTR_COST_UNPRICED_REASON, ATTR_COST_USD } from '../../src/attributes.js';
import { CostMetrics } from '../../src/metrics/cost-metrics.js';
import { CostSpanProcessor } from '../../src/processor/cost-span-processor.js';
import { startMockLLM, type MockLLM } from '../../examples/mock-llm/index.js';
import { runScenario } from '../support/instrumentation-harness.js';
import { collectMetrics, TestReader } from '../support/metric-reader.js';
import { captureDiag, pipeline } from './helpers.js';

/**
 * Issue 9 §2 through the real processor with its default pricing (the embedded table): real
 * instrumentations against the mock server, the README's alias example, an alias to nothing.
 */

let llm: MockLLM;
beforeAll(async () => {
  llm = await startMockLLM();
});
afterAll(async () => {
  await llm.close();
});

describe('a service tier the default table has no rate for', () => {
  it('leaves an OpenAI flex call (Vercel AI SDK, Responses API) unpriced (unknown_service_tier), counted', async () => {
    const reader = new TestReader();
    const meterProvider = new MeterProvider({ readers: [reader] });
    const processor = new CostSpanProcessor({
      pricing: { embedded: true },
      recorder: new CostMetrics({ meterProvider }),
    });
    try {
      const { spans } = await runScenario('vercel-openai.responses.generateText', {
        llm,
        usage: { input: 1_000, output: 100, serviceTier: 'flex' },
        spanProcessors: [processor],
      });
      const span = spans.find((s) => String(s.attributes['ai.response.providerMetadata'] ?? '').includes('"flex"'));
      expect(span, 'the AI SDK recorded the flex tier').toBeDefined();
      expect(span!.attributes[ATTR_COST_USD]).toBeUndefined();
      expect(span!.attributes[ATTR_COST_UNPRICED_REASON]).toBe('unknown_service_tier');
      const unpriced = (await collectMetrics(reader)).get('gen_ai.cost.unpriced_calls') as SumMetricData;
      const point = unpriced.dataPoints.find(
        (p) => p.attributes['gen_ai.cost.unpriced_reason'] === 'unknown_service_tier',
      );
      expect(point?.value).toBe(1);
    } finally {
      await meterProvider.shutdown();
    }
  });

  it('prices the same call at the standard tier as genai-prices does', async () => {
    const { spans } = await runScenario('otel-openai.chat', {
      llm,
      usage: { input: 1_000, output: 100, serviceTier: 'default' },
      spanProcessors: [new CostSpanProcessor()],
    });
    const span = spans.find((s) => s.attributes['gen_ai.usage.input_tokens'] === 1_000)!;
    const expected = calcPrice({ input_tokens: 1_000, output_tokens: 100 }, 'gpt-4o', {
      providerId: 'openai',
    })!.total_price;
    expect(span.attributes[ATTR_COST_USD]).toBeCloseTo(expected, 12);
  });
});

describe('the README’s alias example with the default table', () => {
  const span = {
    'gen_ai.operation.name': 'chat',
    'gen_ai.provider.name': 'azure.ai.openai',
    'gen_ai.request.model': 'prod-gpt4o',
    'gen_ai.usage.input_tokens': 1_000,
    'gen_ai.usage.output_tokens': 100,
  };

  it('prices a call to the Azure deployment at genai-prices’ Azure gpt-4o price, without a warning', async () => {
    const diagOut = captureDiag();
    try {
      const processor = new CostSpanProcessor({ pricing: { aliases: { 'prod-gpt4o': 'azure/gpt-4o' } } });
      await processor.ready();
      await new Promise((resolve) => setImmediate(resolve));
      const p = pipeline(processor);
      p.tracer.startSpan('chat prod-gpt4o', { attributes: span }).end();
      const a = p.byName('chat prod-gpt4o').attributes;
      const expected = calcPrice({ input_tokens: 1_000, output_tokens: 100 }, 'gpt-4o', {
        providerId: 'azure',
      })!.total_price;
      expect(a[ATTR_COST_USD]).toBeCloseTo(expected, 12);
      expect(a[ATTR_COST_MATCH]).toBe('alias');
      expect(diagOut.messages).toEqual([]);
      await processor.shutdown();
    } finally {
      diagOut.restore();
    }
  });

  it('names an alias whose target no table knows in one warning at load', async () => {
    const diagOut = captureDiag();
    try {
      const processor = new CostSpanProcessor({ pricing: { aliases: { 'prod-gpt4o': 'azure/gpt-4o-typo' } } });
      await processor.ready();
      await new Promise((resolve) => setImmediate(resolve));
      const warnings = diagOut.messages.filter((m) => m.includes('prod-gpt4o'));
      expect(warnings).toHaveLength(1);
      expect(warnings[0]).toContain('azure/gpt-4o-typo');
      const p = pipeline(processor);
      p.tracer.startSpan('chat prod-gpt4o', { attributes: span }).end();
      p.tracer.startSpan('chat prod-gpt4o', { attributes: span }).end();
      expect(p.spans()[0]!.attributes[ATTR_COST_UNPRICED_REASON]).toBe('unknown_model');
      expect(diagOut.messages.filter((m) => m.includes('prod-gpt4o'))).toHaveLength(1);
      await processor.shutdown();
    } finally {
      diagOut.restore();
    }
  });
});
