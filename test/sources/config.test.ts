import { diag } from '@opentelemetry/api';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import {
  DEFAULT_FETCH_TIMEOUT_MS,
  DEFAULT_MAX_BYTES,
  DEFAULT_REFRESH_INTERVAL_MS,
  resolveConfig,
} from '../../src/sources/config.js';
import { captureDiag } from './helpers.js';

describe('resolveConfig: explicit options, then OTEL_LLM_COST_* environment, then defaults', () => {
  let captured: ReturnType<typeof captureDiag>;
  beforeEach(() => {
    captured = captureDiag();
  });
  afterEach(() => diag.disable());

  const env = {
    OTEL_LLM_COST_PRICES_PATH: '/etc/prices.json',
    OTEL_LLM_COST_PRICES_URL: 'https://prices.example.com/litellm.json',
    OTEL_LLM_COST_CACHE_DIR: '/var/cache/llm',
    OTEL_LLM_COST_REFRESH_INTERVAL: '3600000',
    OTEL_LLM_COST_FETCH_TIMEOUT: '2500',
    OTEL_LLM_COST_MAX_BYTES: '1000000',
    OTEL_LLM_COST_ALIASES: 'prod-gpt=gpt-4o, eu-claude = claude-sonnet-4-5',
    OTEL_LLM_COST_OVERRIDES_PATH: '/etc/overrides.json',
  };

  it('reads every variable when no option is given', () => {
    expect(resolveConfig({}, env)).toEqual({
      pricesPath: '/etc/prices.json',
      pricesUrl: 'https://prices.example.com/litellm.json',
      cacheDir: '/var/cache/llm',
      refreshIntervalMs: 3_600_000,
      fetchTimeoutMs: 2500,
      maxBytes: 1_000_000,
      overrides: undefined,
      overridesPath: '/etc/overrides.json',
      aliases: { 'prod-gpt': 'gpt-4o', 'eu-claude': 'claude-sonnet-4-5' },
      embedded: true,
      allowHttpLoopback: false,
    });
    expect(captured.warnings).toEqual([]);
  });

  it('explicit options win over the environment', () => {
    const c = resolveConfig(
      {
        pricesPath: '/opt/p.json',
        pricesUrl: 'https://mirror.example.com/p.json',
        cacheDir: false,
        refreshIntervalMs: 0,
        fetchTimeoutMs: 100,
        maxBytes: 10,
        aliases: { a: 'b' },
        overridesPath: '/opt/o.json',
        embedded: false,
      },
      env,
    );
    expect(c).toMatchObject({
      pricesPath: '/opt/p.json',
      pricesUrl: 'https://mirror.example.com/p.json',
      cacheDir: undefined,
      refreshIntervalMs: 0,
      fetchTimeoutMs: 100,
      maxBytes: 10,
      aliases: { a: 'b' },
      overridesPath: '/opt/o.json',
      embedded: false,
    });
  });

  it('defaults with an empty environment; the cache follows XDG_CACHE_HOME', () => {
    const c = resolveConfig({}, {});
    expect(c.pricesPath).toBeUndefined();
    expect(c.pricesUrl).toBeUndefined();
    expect(c.refreshIntervalMs).toBe(DEFAULT_REFRESH_INTERVAL_MS);
    expect(c.fetchTimeoutMs).toBe(DEFAULT_FETCH_TIMEOUT_MS);
    expect(c.maxBytes).toBe(DEFAULT_MAX_BYTES);
    expect(c.aliases).toEqual({});
    expect(c.embedded).toBe(true);
    expect(c.cacheDir).toMatch(/otel-llm-cost$/);
    expect(resolveConfig({}, { XDG_CACHE_HOME: '/xdg' }).cacheDir).toBe(join('/xdg', 'otel-llm-cost'));
    expect(captured.warnings).toEqual([]);
  });

  it('corrects bad values with one warning each instead of throwing', () => {
    const c = resolveConfig(
      { fetchTimeoutMs: -5, maxBytes: 1.5 },
      {
        OTEL_LLM_COST_REFRESH_INTERVAL: '1h',
        OTEL_LLM_COST_ALIASES: 'good=gpt-4o,broken,=nothing',
        OTEL_LLM_COST_PRICES_URL: 'http://prices.example.com/p.json',
      },
    );
    expect(c.fetchTimeoutMs).toBe(DEFAULT_FETCH_TIMEOUT_MS);
    expect(c.maxBytes).toBe(DEFAULT_MAX_BYTES);
    expect(c.refreshIntervalMs).toBe(DEFAULT_REFRESH_INTERVAL_MS);
    expect(c.aliases).toEqual({ good: 'gpt-4o' });
    expect(c.pricesUrl).toBeUndefined();
    expect(captured.warnings).toHaveLength(5);
    expect(captured.warnings.join('\n')).toMatch(/option fetchTimeoutMs=-5 is invalid/);
    expect(captured.warnings.join('\n')).toMatch(/option maxBytes=1\.5 is invalid/);
    expect(captured.warnings.join('\n')).toMatch(/OTEL_LLM_COST_REFRESH_INTERVAL="1h" is invalid/);
    expect(captured.warnings.join('\n')).toMatch(/OTEL_LLM_COST_ALIASES: ignored "broken", "=nothing"/);
    expect(captured.warnings.join('\n')).toMatch(/OTEL_LLM_COST_PRICES_URL .* is ignored: only https URLs are fetched/);
  });

  it('refuses a refresh interval a Node timer cannot hold (it would fire at once, in a loop)', () => {
    expect(resolveConfig({}, { OTEL_LLM_COST_REFRESH_INTERVAL: String(2 ** 31) }).refreshIntervalMs).toBe(
      DEFAULT_REFRESH_INTERVAL_MS,
    );
    expect(resolveConfig({}, { OTEL_LLM_COST_REFRESH_INTERVAL: String(2 ** 31 - 1) }).refreshIntervalMs).toBe(
      2 ** 31 - 1,
    );
    expect(captured.warnings).toHaveLength(1);
  });

  it('allows http only to a loopback host, and only when asked', () => {
    expect(resolveConfig({ pricesUrl: 'http://127.0.0.1:8080/p.json', allowHttpLoopback: true }, {}).pricesUrl).toBe(
      'http://127.0.0.1:8080/p.json',
    );
    expect(
      resolveConfig({ pricesUrl: 'http://10.0.0.1/p.json', allowHttpLoopback: true }, {}).pricesUrl,
    ).toBeUndefined();
    expect(resolveConfig({ pricesUrl: 'http://127.0.0.1/p.json' }, {}).pricesUrl).toBeUndefined();
    expect(captured.warnings).toHaveLength(2);
  });
});
