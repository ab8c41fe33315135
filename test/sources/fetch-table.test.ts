import { context } from '@opentelemetry/api';
import { AsyncLocalStorageContextManager } from '@opentelemetry/context-async-hooks';
import { isTracingSuppressed } from '@opentelemetry/core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { fetchTable } from '../../src/sources/fetch-table.js';
import { fixtureTable, TableServer } from './helpers.js';

describe('fetchTable: the SDK does not trace its own price fetch', () => {
  const manager = new AsyncLocalStorageContextManager();
  const server = new TableServer();
  let url: string;

  beforeAll(async () => {
    context.setGlobalContextManager(manager.enable());
    url = await server.listen();
  });
  afterAll(async () => {
    context.disable();
    await server.close();
  });

  it('runs fetch() in a context where tracing is suppressed (what fetch/undici instrumentations check)', async () => {
    server.serveJson(fixtureTable('acme-model-a', 0.000001), new Date('2026-01-02T00:00:00Z'));
    const realFetch = globalThis.fetch;
    const seen: boolean[] = [];
    globalThis.fetch = ((...args: Parameters<typeof fetch>) => {
      seen.push(isTracingSuppressed(context.active()));
      return realFetch(...args);
    }) as typeof fetch;
    try {
      const fetched = await fetchTable(url, { timeoutMs: 5000, maxBytes: 10_000, allowHttpLoopback: true });
      expect(JSON.parse(fetched.body)).toEqual(fixtureTable('acme-model-a', 0.000001));
      expect(fetched.lastModified?.toISOString()).toBe('2026-01-02T00:00:00.000Z');
    } finally {
      globalThis.fetch = realFetch;
    }
    expect(seen).toEqual([true]);
    expect(isTracingSuppressed(context.active())).toBe(false); // the caller's context is untouched
  });
});
