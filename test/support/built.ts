import { execFile, execFileSync } from 'node:child_process';
import { existsSync, readdirSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';

/** The package as users run it: `dist/` (built by `npm test`; rebuilt here when stale). */
export const ROOT = fileURLToPath(new URL('../..', import.meta.url));
export const CLI = join(ROOT, 'dist', 'cli.js');
export const INDEX = join(ROOT, 'dist', 'index.js');

function newestSource(dir: string): number {
  let newest = 0;
  for (const entry of readdirSync(dir, { withFileTypes: true })) {
    const path = join(dir, entry.name);
    newest = Math.max(newest, entry.isDirectory() ? newestSource(path) : statSync(path).mtimeMs);
  }
  return newest;
}

/** Builds `dist/` when a source file is newer than it. */
export function ensureBuilt(): void {
  const newest = newestSource(join(ROOT, 'src'));
  if (!existsSync(CLI) || !existsSync(INDEX) || statSync(CLI).mtimeMs < newest || statSync(INDEX).mtimeMs < newest) {
    execFileSync('npx', ['tsup'], { cwd: ROOT, stdio: 'ignore' });
  }
}

export interface Run {
  code: number | null;
  signal: NodeJS.Signals | null;
  stdout: string;
  stderr: string;
  ms: number;
}

/** Runs `node ARGS` with only `env` (plus PATH), killed after `timeoutMs`. */
export function runNode(
  args: string[],
  env: Record<string, string>,
  timeoutMs = 30_000,
  input?: string,
  cwd?: string,
): Promise<Run> {
  const started = Date.now();
  return new Promise((resolve) => {
    const child = execFile(
      process.execPath,
      args,
      { env: { PATH: process.env.PATH ?? '', ...env }, timeout: timeoutMs, killSignal: 'SIGKILL', cwd },
      (err, stdout, stderr) =>
        resolve({
          code: err
            ? typeof (err as { code?: unknown }).code === 'number'
              ? (err as { code: number }).code
              : null
            : 0,
          signal: (err as { signal?: NodeJS.Signals } | null)?.signal ?? null,
          stdout,
          stderr,
          ms: Date.now() - started,
        }),
    );
    if (input !== undefined) child.stdin?.end(input);
  });
}
