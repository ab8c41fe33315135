import { diag } from '@opentelemetry/api';
import { afterEach, describe, expect, it } from 'vitest';
import { PriceSource } from '../../src/sources/price-source.js';
import { captureDiag, TableServer } from './helpers.js';

/**
 * JSON that is not an object at the top level is named as what it is (not a LiteLLM table), told
 * apart from broken JSON by the error's type, not by its message.
 */
afterEach(() => diag.disable());

describe('a URL serving JSON that is not an object', () => {
  it.each([
    ['an array', '[{"gpt-4o": {}}]', /not a LiteLLM table \(a JSON object keyed by model is expected\)/],
    ['broken JSON', '{"gpt-4o": ', /not valid JSON/],
  ])('%s: one warning saying why, embedded prices kept', async (_name, body, why) => {
    const server = new TableServer();
    const url = await server.listen();
    server.serveJson(body);
    const captured = captureDiag();
    const source = new PriceSource({ pricesUrl: url, allowHttpLoopback: true, cacheDir: false }, {});
    try {
      await source.ready();
      expect(server.requests).toBe(1);
      expect(captured.warnings).toHaveLength(1);
      expect(captured.warnings[0]).toMatch(why);
      expect(captured.warnings[0]).toMatch(/using the embedded prices meanwhile/);
      expect(source.priceBook.table).toBeUndefined();
    } finally {
      await source.shutdown();
      await server.close();
    }
  });
});
