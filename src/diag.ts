import { diag } from '@opentelemetry/api';

/**
 * Logging of the whole package, through the OpenTelemetry `diag` logger (docs/architecture.md,
 * "Logging"). Every message starts with `otel-llm-cost: ` whichever part of the package says it,
 * so one filter finds them all; the message itself names the option, the file or the component.
 */
export const LOG_PREFIX = 'otel-llm-cost';

export function warn(message: string, ...args: unknown[]): void {
  diag.warn(`${LOG_PREFIX}: ${message}`, ...args);
}

export function error(message: string, ...args: unknown[]): void {
  diag.error(`${LOG_PREFIX}: ${message}`, ...args);
}

export function debug(message: string, ...args: unknown[]): void {
  diag.debug(`${LOG_PREFIX}: ${message}`, ...args);
}

/**
 * Says each cause once, so a fault that repeats on every span (or every refresh) does not flood
 * the log. A cause is a short key chosen by the caller from a bounded set (a kind of failure, an
 * option, a configured alias or dimension key), never a value read from a span.
 */
export class DiagOnce {
  private readonly _reported = new Set<string>();

  /** @param _component named in `error` messages (`CostSpanProcessor`, `CostSpanExporter`, …). */
  constructor(private readonly _component?: string) {}

  /** Logs `message` at warn level unless `cause` was reported already; true when it was logged. */
  warn(cause: string, message: string, ...args: unknown[]): boolean {
    if (!this._first(cause)) return false;
    warn(message, ...args);
    return true;
  }

  /** A step that failed: `<cause> failed in <component>`, at error level, once per cause. */
  error(cause: string, err: unknown): void {
    if (!this._first(cause)) return;
    const where = this._component !== undefined ? ` in ${this._component}` : '';
    error(`${cause} failed${where}; further failures of this kind are not reported`, err);
  }

  /** Whether `cause` was reported (and not forgotten since). */
  has(cause: string): boolean {
    return this._reported.has(cause);
  }

  /** Lets the causes `which` selects be reported again (after a recovery); all when omitted. */
  forget(which: (cause: string) => boolean = () => true): void {
    for (const cause of [...this._reported]) if (which(cause)) this._reported.delete(cause);
  }

  private _first(cause: string): boolean {
    if (this._reported.has(cause)) return false;
    this._reported.add(cause);
    return true;
  }
}
