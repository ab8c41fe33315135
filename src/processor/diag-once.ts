import { diag } from '@opentelemetry/api';

/**
 * Reports each cause of failure once through `diag`, so a fault that repeats on every span
 * does not flood the logs from the span path.
 */
export class DiagOnce {
  private readonly _reported = new Set<string>();
  private readonly _prefix: string;

  constructor(prefix: string) {
    this._prefix = prefix;
  }

  error(cause: string, err: unknown): void {
    if (this._reported.has(cause)) return;
    this._reported.add(cause);
    diag.error(`${this._prefix}: ${cause} failed; further failures of this kind are not reported`, err);
  }
}
