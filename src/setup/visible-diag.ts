import { diag, DiagConsoleLogger, DiagLogLevel, type DiagLogger } from '@opentelemetry/api';
import { diagLogLevelFromString, getStringFromEnv } from '@opentelemetry/core';

// Where @opentelemetry/api 1.x keeps its globals (the diag logger among them).
const API_GLOBALS = Symbol.for('opentelemetry.js.api.1');

function diagLoggerInstalled(): boolean {
  const globals = (globalThis as Record<symbol, { diag?: unknown } | undefined>)[API_GLOBALS];
  return globals?.diag !== undefined;
}

type Level = 'error' | 'warn' | 'info' | 'debug' | 'verbose';

/**
 * Runs `build` so that the warnings it raises (a bad `OTEL_LLM_COST_ALIASES`, a missing overrides
 * file …) reach the user, although the setup helper runs before NodeSDK installs its logger:
 *
 * - a logger is already installed: it gets them, as usual;
 * - `OTEL_LOG_LEVEL` is unset: a console logger at `warn` is installed now (NodeSDK installs
 *   none then), so warnings show by default;
 * - `OTEL_LOG_LEVEL` is set: NodeSDK installs a console logger at that level in its constructor,
 *   right after; the messages are held and replayed to it on the next turn of the event loop (or
 *   to a console logger at that level, if nothing installed one by then).
 */
export function withVisibleDiag<T>(build: () => T): T {
  if (diagLoggerInstalled()) return build();
  const level = getStringFromEnv('OTEL_LOG_LEVEL');
  if (level === undefined) {
    diag.setLogger(new DiagConsoleLogger(), DiagLogLevel.WARN);
    return build();
  }
  const held: Array<[Level, unknown[]]> = [];
  const hold =
    (kind: Level) =>
    (message: string, ...args: unknown[]) =>
      void held.push([kind, [message, ...args]]);
  const holder: DiagLogger = {
    error: hold('error'),
    warn: hold('warn'),
    info: hold('info'),
    debug: hold('debug'),
    verbose: hold('verbose'),
  };
  diag.setLogger(holder, DiagLogLevel.ALL);
  try {
    return build();
  } finally {
    diag.disable();
    if (held.length > 0) {
      setImmediate(() => {
        if (!diagLoggerInstalled()) {
          diag.setLogger(new DiagConsoleLogger(), diagLogLevelFromString(level) ?? DiagLogLevel.INFO);
        }
        for (const [kind, [message, ...args]] of held) diag[kind](String(message), ...args);
      });
    }
  }
}
