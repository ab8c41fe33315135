import { diag } from '@opentelemetry/api';
import { afterEach, describe, expect, it } from 'vitest';
import { LlmCostGateway } from '../../src/gateway/gateway.js';
import { captureDiag } from '../sources/helpers.js';

/**
 * `LlmCostGateway` used as a library checks its numeric options like every other component
 * (docs/architecture.md, "Options"): a bad value is replaced by the default with one warning
 * naming the option, never thrown and never used.
 */
afterEach(() => diag.disable());

describe('LlmCostGateway numeric options', () => {
  it('corrects each bad value to its default with one warning', async () => {
    const captured = captureDiag();
    const gateway = new LlmCostGateway({
      upstream: 'http://127.0.0.1:9',
      http: 'off',
      grpc: 'off',
      pricing: { embedded: false },
      maxBodyBytes: -1,
      retryAfterSeconds: 2.5,
      queueSpans: Number.NaN,
      metricsIntervalMs: 0,
      shutdownTimeoutMs: 0,
    });
    try {
      expect(gateway.maxBodyBytes).toBe(8 * 1024 * 1024);
      expect(gateway.retryAfterSeconds).toBe(5);
      expect(captured.warnings).toEqual([
        'otel-llm-cost: option LlmCostGatewayOptions.maxBodyBytes=-1 is invalid ' +
          '(a positive integer is expected); using 8388608',
        'otel-llm-cost: option LlmCostGatewayOptions.retryAfterSeconds=2.5 is invalid ' +
          '(an integer from 0 to 9007199254740991 is expected); using 5',
        'otel-llm-cost: option LlmCostGatewayOptions.queueSpans=NaN is invalid ' +
          '(a positive integer is expected); using 100000',
        'otel-llm-cost: option LlmCostGatewayOptions.metricsIntervalMs=0 is invalid ' +
          '(a positive number is expected); using the default',
      ]);
    } finally {
      await gateway.shutdown();
    }
  });
});
