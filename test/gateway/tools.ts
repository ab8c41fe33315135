import { existsSync } from 'node:fs';
import { createServer, type AddressInfo } from 'node:net';
import { homedir } from 'node:os';
import { join } from 'node:path';

/** Where `.ci/tools.sh` puts the Go-built binaries. */
export const TOOLS_BIN = join(
  process.env.OTEL_LLM_COST_TOOLS_DIR ?? join(homedir(), '.cache', 'otel-llm-cost', 'tools'),
  'bin',
);
export const OTELCOL = join(TOOLS_BIN, 'otelcol');
export const JAEGER = join(TOOLS_BIN, 'jaeger');
export const IN_CI = !!process.env.CI && process.env.CI !== 'false';

/**
 * Tests that need a tool: skipped with a message outside CI, failing under CI=true (where
 * `.ci/run` builds it with `.ci/tools.sh`).
 */
export function toolAvailable(path: string, how: string): boolean {
  if (existsSync(path)) return true;
  const message = `${path} is missing (${how})`;
  if (IN_CI) throw new Error(`CI=true but ${message}`);
  console.warn(`skipping: ${message}`);
  return false;
}

/** A free loopback port for programs that cannot report the port they bound (the Collector, Jaeger). */
export async function freePort(): Promise<number> {
  const server = createServer();
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  const { port } = server.address() as AddressInfo;
  await new Promise((r) => server.close(r));
  return port;
}

/** Resolves once a TCP connect to `port` succeeds. */
export async function waitForPort(port: number, timeoutMs = 30_000): Promise<void> {
  const { connect } = await import('node:net');
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const ok = await new Promise<boolean>((resolve) => {
      const socket = connect(port, '127.0.0.1');
      socket.once('connect', () => {
        socket.destroy();
        resolve(true);
      });
      socket.once('error', () => resolve(false));
    });
    if (ok) return;
    if (Date.now() > deadline) throw new Error(`nothing listens on 127.0.0.1:${port} after ${timeoutMs} ms`);
    await new Promise((r) => setTimeout(r, 100));
  }
}
