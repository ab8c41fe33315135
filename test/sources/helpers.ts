import { diag, DiagLogLevel } from '@opentelemetry/api';
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { NO_SHARED_TABLE, SHARED_TABLE_MISSING, SHARED_TABLE_PATH } from '../support/shared-table.js';

/**
 * The shared LiteLLM snapshot (never copied into the repo; absent in a user's clone), found by
 * test/support/shared-table.ts. Under CI=true a missing table is not skipped: the tests that
 * read this path fail with the reason.
 */
export const SHARED_TABLE = SHARED_TABLE_PATH ?? `(missing: ${SHARED_TABLE_MISSING})`;
export const HAS_SHARED_TABLE = !NO_SHARED_TABLE;

/** A real HTTP server on 127.0.0.1 whose answer the test changes between loads. */
export class TableServer {
  handler: (req: IncomingMessage, res: ServerResponse) => void = (_req, res) => res.end();
  requests = 0;
  private readonly _server: Server;
  private readonly _sockets = new Set<import('node:net').Socket>();

  constructor() {
    this._server = createServer((req, res) => {
      this.requests++;
      this.handler(req, res);
    });
    this._server.on('connection', (s) => {
      this._sockets.add(s);
      s.on('close', () => this._sockets.delete(s));
    });
  }

  async listen(): Promise<string> {
    await new Promise<void>((r) => this._server.listen(0, '127.0.0.1', r));
    return `http://127.0.0.1:${(this._server.address() as AddressInfo).port}/prices.json`;
  }

  /** Serves `body` as JSON with a Content-Length (and a `Last-Modified` when given). */
  serveJson(body: unknown, lastModified?: Date): void {
    const text = typeof body === 'string' ? body : JSON.stringify(body);
    this.handler = (_req, res) => {
      const headers: Record<string, string | number> = {
        'content-type': 'application/json',
        'content-length': Buffer.byteLength(text),
      };
      if (lastModified) headers['last-modified'] = lastModified.toUTCString();
      res.writeHead(200, headers).end(text);
    };
  }

  async close(): Promise<void> {
    for (const s of this._sockets) s.destroy();
    await new Promise<void>((r) => this._server.close(() => r()));
  }
}

/** Captures `diag` warnings and errors for the duration of a test. */
export function captureDiag(): { warnings: string[]; errors: string[] } {
  const captured = { warnings: [] as string[], errors: [] as string[] };
  diag.setLogger(
    {
      error: (m) => captured.errors.push(m),
      warn: (m) => captured.warnings.push(m),
      info: () => undefined,
      debug: () => undefined,
      verbose: () => undefined,
    },
    { logLevel: DiagLogLevel.WARN, suppressOverrideMessage: true },
  );
  return captured;
}

export function tempDir(prefix: string): string {
  return mkdtempSync(join(tmpdir(), `otel-llm-cost-${prefix}-`));
}

/** A small LiteLLM-shaped table the test writes itself, with one made-up model per call. */
export function fixtureTable(model: string, inputCostPerToken: number): Record<string, unknown> {
  return {
    [model]: {
      litellm_provider: 'openai',
      mode: 'chat',
      input_cost_per_token: inputCostPerToken,
      output_cost_per_token: inputCostPerToken * 4,
    },
  };
}

export const sleep = (ms: number): Promise<void> => new Promise((r) => setTimeout(r, ms));
