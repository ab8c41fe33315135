/**
 * `llm-cost serve`: the gateway from the command line. Flags win over the standard OTLP
 * environment variables (`OTEL_EXPORTER_OTLP_ENDPOINT`, `_PROTOCOL`, `_HEADERS`) and the
 * `OTEL_LLM_COST_*` price settings, which stay the fallbacks (one config layer).
 */
import { diag, DiagLogLevel } from '@opentelemetry/api';
import { readFileSync } from 'node:fs';
import { parseArgs } from 'node:util';
import type { PriceSourceOptions } from '../sources/config.js';
import { LlmCostGateway, splitHostPort } from './gateway.js';
import type { LlmCostGatewayOptions } from './gateway-options.js';
import type { UpstreamProtocol } from './upstream-client.js';
import { SERVE_USAGE } from './serve-usage.js';

export { SERVE_USAGE };

class UsageError extends Error {}

export function parseServeArgs(
  argv: string[],
  env: Record<string, string | undefined>,
): LlmCostGatewayOptions | 'help' {
  let parsed;
  try {
    parsed = parseArgs({
      args: argv,
      strict: true,
      allowPositionals: false,
      options: {
        http: { type: 'string' },
        grpc: { type: 'string' },
        upstream: { type: 'string' },
        'upstream-protocol': { type: 'string' },
        prices: { type: 'string' },
        overrides: { type: 'string' },
        'token-file': { type: 'string' },
        'tls-cert': { type: 'string' },
        'tls-key': { type: 'string' },
        'max-body': { type: 'string' },
        'queue-spans': { type: 'string' },
        'queue-bytes': { type: 'string' },
        'retry-after': { type: 'string' },
        'max-retry-time': { type: 'string' },
        'max-backoff': { type: 'string' },
        concurrency: { type: 'string' },
        'shutdown-timeout': { type: 'string' },
        'metrics-interval': { type: 'string' },
        'no-rollup': { type: 'boolean' },
        'pass-through': { type: 'boolean' },
        help: { type: 'boolean', short: 'h' },
      },
    });
  } catch (err) {
    throw new UsageError((err as Error).message);
  }
  const v = parsed.values;
  if (v.help) return 'help';

  const upstream = v.upstream ?? env.OTEL_EXPORTER_OTLP_ENDPOINT;
  if (upstream === undefined || upstream.trim() === '')
    throw new UsageError('--upstream URL (or OTEL_EXPORTER_OTLP_ENDPOINT) is required');
  if (!/^https?:\/\//i.test(upstream))
    throw new UsageError(`--upstream must be an http:// or https:// URL, got ${JSON.stringify(upstream)}`);
  const protocol = v['upstream-protocol'] ?? env.OTEL_EXPORTER_OTLP_PROTOCOL ?? 'http/protobuf';
  if (!['http/protobuf', 'http/json', 'grpc'].includes(protocol)) {
    throw new UsageError(
      `--upstream-protocol must be http/protobuf, http/json or grpc, got ${JSON.stringify(protocol)}`,
    );
  }
  for (const flag of ['http', 'grpc'] as const) {
    const value = v[flag];
    if (value !== undefined && value !== 'off') {
      try {
        splitHostPort(value);
      } catch (err) {
        throw new UsageError(`--${flag}: ${(err as Error).message}`);
      }
    }
  }
  if ((v['tls-cert'] === undefined) !== (v['tls-key'] === undefined))
    throw new UsageError('--tls-cert and --tls-key go together');

  const options: LlmCostGatewayOptions = { upstream: upstream.trim(), upstreamProtocol: protocol as UpstreamProtocol };
  if (v.http !== undefined) options.http = v.http;
  if (v.grpc !== undefined) options.grpc = v.grpc;
  const headers = parseHeaders(env.OTEL_EXPORTER_OTLP_HEADERS);
  if (Object.keys(headers).length > 0) options.upstreamHeaders = headers;

  const pricing: PriceSourceOptions = {};
  if (v.prices !== undefined) {
    if (/^[a-z][a-z0-9+.-]*:\/\//i.test(v.prices)) pricing.pricesUrl = v.prices;
    else pricing.pricesPath = v.prices;
  }
  if (v.overrides !== undefined) pricing.overridesPath = v.overrides;
  options.pricing = pricing;

  let token = env.OTEL_LLM_COST_SERVE_TOKEN;
  if (v['token-file'] !== undefined) {
    try {
      token = readFileSync(v['token-file'], 'utf8').trim();
    } catch (err) {
      throw new UsageError(`--token-file: ${(err as Error).message}`);
    }
  }
  if (token !== undefined && token !== '') options.bearerToken = token;
  if (v['tls-cert'] !== undefined) {
    options.tlsCertFile = v['tls-cert'];
    options.tlsKeyFile = v['tls-key'];
  }
  const count = (name: string, value: string | undefined, min = 1): number | undefined => {
    if (value === undefined) return undefined;
    if (!/^\d+$/.test(value) || Number(value) < min || !Number.isSafeInteger(Number(value))) {
      throw new UsageError(`--${name} must be a whole number >= ${min}, got ${JSON.stringify(value)}`);
    }
    return Number(value);
  };
  const set = <K extends keyof LlmCostGatewayOptions>(key: K, value: LlmCostGatewayOptions[K] | undefined): void => {
    if (value !== undefined) options[key] = value;
  };
  set('maxBodyBytes', count('max-body', v['max-body']));
  set('queueSpans', count('queue-spans', v['queue-spans']));
  set('queueBytes', count('queue-bytes', v['queue-bytes']));
  set('retryAfterSeconds', count('retry-after', v['retry-after'], 0));
  set('maxRetryElapsedMs', count('max-retry-time', v['max-retry-time'], 0));
  set('maxBackoffMs', count('max-backoff', v['max-backoff']));
  set('concurrency', count('concurrency', v.concurrency));
  set('shutdownTimeoutMs', count('shutdown-timeout', v['shutdown-timeout'], 0));
  set('metricsIntervalMs', count('metrics-interval', v['metrics-interval']));
  if (v['no-rollup']) options.rollup = false;
  if (v['pass-through']) options.enrich = false;
  return options;
}

/** `OTEL_EXPORTER_OTLP_HEADERS`: `key=value,key2=value2`, values URL-encoded. */
export function parseHeaders(raw: string | undefined): Record<string, string> {
  const headers: Record<string, string> = {};
  for (const pair of (raw ?? '').split(',')) {
    const at = pair.indexOf('=');
    if (at <= 0) continue;
    try {
      headers[decodeURIComponent(pair.slice(0, at).trim())] = decodeURIComponent(pair.slice(at + 1).trim());
    } catch {
      diag.warn('llm-cost serve: ignoring a malformed OTEL_EXPORTER_OTLP_HEADERS entry');
    }
  }
  return headers;
}

/** Runs the gateway until SIGTERM or SIGINT; resolves with the exit status. */
export async function runServe(argv: string[]): Promise<number> {
  let options: LlmCostGatewayOptions | 'help';
  try {
    options = parseServeArgs(argv, process.env);
  } catch (err) {
    if (!(err instanceof UsageError)) throw err;
    process.stderr.write(`llm-cost serve: ${err.message}\n\n${SERVE_USAGE}`);
    return 1;
  }
  if (options === 'help') {
    process.stdout.write(SERVE_USAGE);
    return 0;
  }
  diag.setLogger(
    {
      error: (m, ...a) =>
        process.stderr.write(`llm-cost serve: ${m}${a.length ? ` ${a.map(String).join(' ')}` : ''}\n`),
      warn: (m) => process.stderr.write(`llm-cost serve: ${m}\n`),
      info: () => undefined,
      debug: () => undefined,
      verbose: () => undefined,
    },
    DiagLogLevel.WARN,
  );
  const gateway = new LlmCostGateway(options);
  let addresses;
  try {
    addresses = await gateway.start();
  } catch (err) {
    process.stderr.write(`llm-cost serve: cannot listen: ${(err as Error).message}\n`);
    await gateway.shutdown();
    return 1;
  }
  // One machine-readable line per receiver, so scripts and tests can find ports chosen by the OS.
  if (addresses.http) process.stdout.write(`listening http ${addresses.http.host}:${addresses.http.port}\n`);
  if (addresses.grpc) process.stdout.write(`listening grpc ${addresses.grpc.host}:${addresses.grpc.port}\n`);
  await gateway.ready();
  process.stdout.write('ready\n');

  await new Promise<void>((resolve) => {
    const stop = (): void => {
      process.off('SIGTERM', stop);
      process.off('SIGINT', stop);
      resolve();
    };
    process.on('SIGTERM', stop);
    process.on('SIGINT', stop);
  });
  await gateway.shutdown();
  process.stdout.write('stopped\n');
  return 0;
}
