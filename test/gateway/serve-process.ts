import { spawn, type ChildProcess } from 'node:child_process';
import { CLI } from '../support/built.js';

export { CLI, ensureBuilt, ROOT } from '../support/built.js';

export interface ServeProcess {
  child: ChildProcess;
  httpPort?: number;
  grpcPort?: number;
  stdout: () => string;
  stderr: () => string;
  /** Resolves with the exit code (or signal name). */
  exited: Promise<number | string>;
}

/** Starts `llm-cost serve ARGS` and waits for its `ready` line. */
export async function startServe(
  args: string[],
  env: Record<string, string> = {},
  timeoutMs = 30_000,
): Promise<ServeProcess> {
  const child = spawn(process.execPath, [CLI, 'serve', ...args], {
    env: { PATH: process.env.PATH ?? '', HOME: process.env.HOME ?? '/tmp', ...env },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let out = '';
  let err = '';
  child.stdout!.on('data', (c: Buffer) => (out += c.toString()));
  child.stderr!.on('data', (c: Buffer) => (err += c.toString()));
  const exited = new Promise<number | string>((resolve) =>
    child.on('exit', (code, signal) => resolve(code ?? signal ?? -1)),
  );
  const deadline = Date.now() + timeoutMs;
  while (!/^ready$/m.test(out)) {
    if (child.exitCode !== null || Date.now() > deadline) {
      child.kill('SIGKILL');
      throw new Error(`llm-cost serve did not become ready: ${out} ${err}`);
    }
    await new Promise((r) => setTimeout(r, 25));
  }
  const http = /^listening http .*:(\d+)$/m.exec(out);
  const grpc = /^listening grpc .*:(\d+)$/m.exec(out);
  const proc: ServeProcess = { child, stdout: () => out, stderr: () => err, exited };
  if (http) proc.httpPort = Number(http[1]);
  if (grpc) proc.grpcPort = Number(grpc[1]);
  return proc;
}
