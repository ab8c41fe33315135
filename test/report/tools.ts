/**
 * The Go-built tools the report tests run for real: an OpenTelemetry Collector with the `file`
 * exporter, and Jaeger v2. `.ci/tools.sh` builds them from the Go module proxy into
 * `${OTEL_LLM_COST_TOOLS_DIR:-$HOME/.cache/otel-llm-cost/tools}/bin/`. Tests using them skip with
 * a message when a binary is absent, unless CI is set: then they fail.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { existsSync } from 'node:fs';
import { createServer, type AddressInfo } from 'node:net';
import { homedir } from 'node:os';
import { join } from 'node:path';
import { OTLPTraceExporter } from '@opentelemetry/exporter-trace-otlp-http';
import type { ReadableSpan } from '@opentelemetry/sdk-trace-base';

export const TOOLS_DIR = process.env.OTEL_LLM_COST_TOOLS_DIR ?? join(homedir(), '.cache', 'otel-llm-cost', 'tools');
export const IN_CI = !!process.env.CI && process.env.CI !== 'false';

export function toolPath(name: 'otelcol' | 'jaeger'): string {
  return join(TOOLS_DIR, 'bin', name);
}

export function toolAvailable(name: 'otelcol' | 'jaeger'): boolean {
  return existsSync(toolPath(name));
}

/** A free loopback port (bound on port 0, then released for the tool to take). */
export async function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = createServer();
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => {
      const { port } = server.address() as AddressInfo;
      server.close(() => resolve(port));
    });
  });
}

/** A running tool; `stop()` sends SIGTERM and waits for it to exit (files flushed). */
export interface RunningTool {
  child: ChildProcess;
  log: () => string;
  stop: () => Promise<void>;
}

export function startTool(binary: string, args: string[], env: Record<string, string> = {}): RunningTool {
  const child = spawn(binary, args, { stdio: ['ignore', 'pipe', 'pipe'], env: { ...process.env, ...env } });
  let log = '';
  child.stdout?.setEncoding('utf8').on('data', (d: string) => (log += d));
  child.stderr?.setEncoding('utf8').on('data', (d: string) => (log += d));
  const exited = new Promise<void>((resolve) => child.once('exit', () => resolve()));
  return {
    child,
    log: () => log,
    stop: async () => {
      if (child.exitCode === null && child.signalCode === null) child.kill('SIGTERM');
      const timer = setTimeout(() => child.kill('SIGKILL'), 15_000);
      await exited;
      clearTimeout(timer);
    },
  };
}

/** Polls `url` until it answers (any HTTP status) or `timeoutMs` passes. */
export async function waitForHttp(url: string, tool: RunningTool, timeoutMs = 60_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    if (tool.child.exitCode !== null) throw new Error(`tool exited early:\n${tool.log()}`);
    try {
      await fetch(url, { signal: AbortSignal.timeout(2_000) });
      return;
    } catch {
      if (Date.now() > deadline) throw new Error(`${url} did not answer in ${timeoutMs} ms:\n${tool.log()}`);
      await new Promise((r) => setTimeout(r, 200));
    }
  }
}

/** Sends spans with the real OTLP/HTTP exporter (protobuf by default), one request per batch. */
export async function sendSpans(endpoint: string, batches: ReadableSpan[][]): Promise<void> {
  const exporter = new OTLPTraceExporter({ url: endpoint });
  for (const batch of batches) {
    await new Promise<void>((resolve, reject) =>
      exporter.export(batch, (r) => (r.code === 0 ? resolve() : reject(r.error ?? new Error('export failed')))),
    );
  }
  await exporter.shutdown();
}
