import { metrics, trace } from '@opentelemetry/api';
import { integerOption } from '../options.js';

/** Options of `flushOnExit`. */
export interface FlushOnExitOptions {
  /**
   * Longest wait for the flush before the process goes on exiting, in milliseconds: a Collector
   * that is down or does not answer never keeps the app alive.
   * Default: `5000`.
   */
  timeoutMillis?: number;
}

const DEFAULT_TIMEOUT_MILLIS = 5000;
const MAX_TIMER_MS = 2 ** 31 - 1;
const SIGNALS = ['SIGINT', 'SIGTERM'] as const;
let registered = false;

interface Flushable {
  forceFlush?: () => Promise<unknown>;
  /** Set by the SDK's MeterProvider (2.x and 3.x) once it is shut down; read when present. */
  _shutdown?: unknown;
}

/**
 * Exports what is still buffered when the process exits by itself (`beforeExit`) or is stopped
 * with Ctrl-C (SIGINT) or SIGTERM: the global tracer and meter providers (the ones NodeSDK, or
 * your own code, registered) are flushed, for at most `timeoutMillis`.
 *
 * On a signal, once the flush is done, the signal is raised again when no other listener of the
 * app handles it, so the process ends as it would have without this package (exit by signal,
 * status 130 for SIGINT). When the app has its own listener, that listener decides. Registered
 * once per process; `llmCostNodeSDKOptions()` calls it unless `flushOnExit: false`.
 */
export function flushOnExit(options: FlushOnExitOptions = {}): void {
  if (registered) return;
  registered = true;
  // A Node timer holds at most 2^31-1 ms; a longer (or infinite) one would fire at once.
  const timeoutMillis = integerOption(
    options.timeoutMillis,
    'FlushOnExitOptions.timeoutMillis',
    DEFAULT_TIMEOUT_MILLIS,
    0,
    MAX_TIMER_MS,
  );

  process.once('beforeExit', () => {
    void flushGlobalProviders(timeoutMillis).then((finished) => {
      // Only an export still hanging keeps the loop alive here; the app was exiting anyway.
      if (!finished) process.exit();
    });
  });
  for (const signal of SIGNALS) {
    const onSignal = (): void => {
      process.removeListener(signal, onSignal);
      // Prepended, so this runs before the app's own listeners of this signal: the ones still
      // registered now are all the app has (a once-listener removes itself when it runs).
      const appHandlesIt = process.listenerCount(signal) > 0;
      void flushGlobalProviders(timeoutMillis).then(() => {
        if (!appHandlesIt) process.kill(process.pid, signal);
      });
    };
    process.prependListener(signal, onSignal);
  }
}

/** Flushes both global providers; resolves `false` when the timeout came first. */
async function flushGlobalProviders(timeoutMillis: number): Promise<boolean> {
  const proxy = trace.getTracerProvider() as { getDelegate?: () => unknown };
  const tracerProvider = (typeof proxy.getDelegate === 'function' ? proxy.getDelegate() : proxy) as Flushable;
  const meterProvider = metrics.getMeterProvider() as Flushable;
  // A provider the app already shut down (e.g. `await sdk.shutdown()` before exiting) has nothing
  // left to flush, and the MeterProvider would log "invalid attempt to force flush after
  // MeterProvider shutdown" on the way out.
  const flushes = [tracerProvider, meterProvider].map((provider) =>
    typeof provider.forceFlush === 'function' && provider._shutdown !== true
      ? provider.forceFlush().catch(() => undefined)
      : undefined,
  );
  let timer: NodeJS.Timeout | undefined;
  const timeout = new Promise<boolean>((resolve) => {
    timer = setTimeout(() => resolve(false), timeoutMillis);
    timer.unref();
  });
  try {
    return await Promise.race([Promise.all(flushes).then(() => true), timeout]);
  } finally {
    clearTimeout(timer);
  }
}
