import { trace } from '@opentelemetry/api';
import { NodeSDK } from '@opentelemetry/sdk-node';
import { InMemorySpanExporter, SimpleSpanProcessor } from '@opentelemetry/sdk-trace-base';
import { describe, expect, it } from 'vitest';
import { ATTR_COST_ROLLUP_USD, ATTR_COST_USD } from '../../src/attributes.js';
import { CostSpanProcessor } from '../../src/index.js';
import { FIXTURE_RATES, FixturePricer } from './helpers.js';

describe('registration with NodeSDK({ spanProcessors })', () => {
  it('annotates spans the user exporter receives', async () => {
    const exporter = new InMemorySpanExporter();
    const exportProcessor = new SimpleSpanProcessor(exporter);
    const sdk = new NodeSDK({
      spanProcessors: [new CostSpanProcessor({ priceBook: new FixturePricer() }), exportProcessor],
      instrumentations: [],
    });
    sdk.start();
    try {
      const tracer = trace.getTracer('app');
      await tracer.startActiveSpan('handle request', async (root) => {
        await tracer.startActiveSpan(
          'chat fixture-model',
          {
            attributes: {
              'gen_ai.request.model': 'fixture-model',
              'gen_ai.usage.input_tokens': 1000,
              'gen_ai.usage.output_tokens': 100,
            },
          },
          async (span) => {
            await new Promise((r) => setTimeout(r, 5));
            span.end();
          },
        );
        root.end();
      });
      // SimpleSpanProcessor defers the export while NodeSDK's resource detectors are pending.
      await exportProcessor.forceFlush();
      const spans = exporter.getFinishedSpans();
      const expected = 1000 * FIXTURE_RATES.input + 100 * FIXTURE_RATES.output;
      expect(spans.find((s) => s.name === 'chat fixture-model')?.attributes[ATTR_COST_USD]).toBeCloseTo(expected, 15);
      expect(spans.find((s) => s.name === 'handle request')?.attributes[ATTR_COST_ROLLUP_USD]).toBeCloseTo(
        expected,
        12,
      );
    } finally {
      await sdk.shutdown();
    }
  });
});
