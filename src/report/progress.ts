/** Inputs below this size finish before a progress bar would be of any use. */
const LARGE_INPUT_BYTES = 64 * 1024 * 1024;
const REDRAW_MS = 200;

/**
 * A progress bar on stderr for a large input: drawn only when stderr is a terminal (never in a
 * pipe or a log file), redrawn at most five times a second, erased when done.
 */
export class Progress {
  private _last = 0;
  private _drawn = false;

  private constructor(
    private readonly _total: number,
    private readonly _out: NodeJS.WriteStream,
  ) {}

  /** A bar for `totalBytes` of input, or `undefined` when none should be drawn. */
  static forStderr(totalBytes: number, out: NodeJS.WriteStream = process.stderr): Progress | undefined {
    return out.isTTY === true && totalBytes >= LARGE_INPUT_BYTES ? new Progress(totalBytes, out) : undefined;
  }

  readonly update = (bytesRead: number): void => {
    const now = Date.now();
    if (now - this._last < REDRAW_MS) return;
    this._last = now;
    const share = Math.min(1, bytesRead / this._total);
    const width = 30;
    const full = Math.round(share * width);
    const mb = (n: number): string => (n / 1048576).toFixed(0);
    this._out.write(
      `\r[${'#'.repeat(full)}${'.'.repeat(width - full)}] ` +
        `${(share * 100).toFixed(0).padStart(3)}%  ${mb(bytesRead)}/${mb(this._total)} MB`,
    );
    this._drawn = true;
  };

  done(): void {
    if (this._drawn) this._out.write('\r\x1b[K');
  }
}
