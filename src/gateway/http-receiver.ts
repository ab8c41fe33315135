import { readFileSync } from 'node:fs';
import { createServer as createHttpServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import { createServer as createHttpsServer } from 'node:https';
import { createGunzip, createInflate, type Gunzip, type Inflate } from 'node:zlib';
import { authorized, type Ingest, type IngestResult } from './ingest.js';
import type { OtlpEncoding } from './trace-codec.js';

const PATHS: Record<string, 'traces' | 'metrics' | 'logs'> = {
  '/v1/traces': 'traces',
  '/v1/metrics': 'metrics',
  '/v1/logs': 'logs',
};

/** Answered before the body is read: status and a short reason. */
class Refusal extends Error {
  constructor(
    readonly status: number,
    message: string,
  ) {
    super(message);
  }
}

export interface HttpReceiverTls {
  certFile: string;
  keyFile: string;
}

/**
 * OTLP/HTTP receiver (`POST /v1/traces|metrics|logs`, protobuf or JSON, optionally gzip or
 * deflate) with `/healthz` and `/readyz`. Errors are answered with the status the OTLP
 * specification gives them and a `google.rpc.Status`-shaped body (JSON for JSON requests,
 * plain text otherwise) whose message is a short reason.
 */
export function createHttpReceiver(gateway: Ingest, tls: HttpReceiverTls | undefined): Server {
  const handler = (req: IncomingMessage, res: ServerResponse): void => {
    handle(gateway, req, res).catch((err: unknown) => {
      const status = err instanceof Refusal ? err.status : 400;
      gateway.refused(status === 413 ? 'too_large' : 'invalid');
      reply(res, status, (err as Error).message, isJson(req));
    });
  };
  const server = tls
    ? createHttpsServer({ cert: readFileSync(tls.certFile), key: readFileSync(tls.keyFile) }, handler)
    : createHttpServer(handler);
  // A slow sender must not hold a socket for ever.
  server.requestTimeout = 60_000;
  server.headersTimeout = 30_000;
  return server;
}

async function handle(gateway: Ingest, req: IncomingMessage, res: ServerResponse): Promise<void> {
  const path = (req.url ?? '').split('?', 1)[0] ?? '';
  if (req.method === 'GET' && path === '/healthz') return reply(res, 200, 'ok', false);
  if (req.method === 'GET' && path === '/readyz') {
    return gateway.isReady() ? reply(res, 200, 'ready', false) : reply(res, 503, 'not ready', false);
  }
  const signal = PATHS[path];
  if (signal === undefined) return refuse(gateway, req, res, 404, `no such endpoint: ${path.slice(0, 64)}`);
  if (req.method !== 'POST') return refuse(gateway, req, res, 405, 'use POST');
  if (!authorized(req.headers.authorization, gateway.bearerToken)) {
    res.setHeader('www-authenticate', 'Bearer');
    return refuse(gateway, req, res, 401, 'missing or wrong bearer token');
  }
  const encoding = encodingOf(req.headers['content-type']);
  if (encoding === undefined) {
    return refuse(gateway, req, res, 415, 'content-type must be application/x-protobuf or application/json');
  }
  const declared = Number(req.headers['content-length']);
  if (Number.isFinite(declared) && declared > gateway.maxBodyBytes) {
    return refuse(gateway, req, res, 413, `body larger than ${gateway.maxBodyBytes} bytes`);
  }
  const body = await readBody(req, gateway.maxBodyBytes);
  const result = gateway.ingest({ signal, encoding, body });
  answer(res, result, encoding === 'json', gateway.retryAfterSeconds);
}

function answer(res: ServerResponse, result: IngestResult, json: boolean, retryAfterSeconds: number): void {
  switch (result.kind) {
    case 'accepted':
      // An empty Export*ServiceResponse: no partial success to report.
      res.writeHead(200, { 'content-type': json ? 'application/json' : 'application/x-protobuf' });
      res.end(json ? '{}' : undefined);
      return;
    case 'invalid':
      return reply(res, 400, result.reason, json);
    case 'unsupported':
      return reply(res, 415, result.reason, json);
    case 'full':
      res.setHeader('retry-after', String(retryAfterSeconds));
      return reply(res, 429, 'queue full, retry later', json);
    case 'unavailable':
      res.setHeader('retry-after', String(retryAfterSeconds));
      return reply(res, 503, result.reason, json);
  }
}

function refuse(gateway: Ingest, req: IncomingMessage, res: ServerResponse, status: number, reason: string): void {
  gateway.refused(status === 401 ? 'unauthorized' : status === 413 ? 'too_large' : 'invalid');
  // Do not read an unwanted body; close the connection after answering.
  res.setHeader('connection', 'close');
  reply(res, status, reason, isJson(req));
  req.resume();
}

function reply(res: ServerResponse, status: number, message: string, json: boolean): void {
  if (res.headersSent) {
    res.end();
    return;
  }
  if (json) {
    res.writeHead(status, { 'content-type': 'application/json' });
    res.end(JSON.stringify({ code: grpcCodeOf(status), message }));
  } else {
    res.writeHead(status, { 'content-type': 'text/plain; charset=utf-8' });
    res.end(`${message}\n`);
  }
}

/** google.rpc.Code for an HTTP status, for the JSON error body. */
function grpcCodeOf(status: number): number {
  if (status === 400 || status === 413) return 3; // INVALID_ARGUMENT
  if (status === 401) return 16; // UNAUTHENTICATED
  if (status === 429) return 8; // RESOURCE_EXHAUSTED
  if (status === 503) return 14; // UNAVAILABLE
  if (status === 404 || status === 405 || status === 415) return 12; // UNIMPLEMENTED
  return 2; // UNKNOWN
}

function isJson(req: IncomingMessage): boolean {
  return encodingOf(req.headers['content-type']) === 'json';
}

function encodingOf(contentType: string | undefined): OtlpEncoding | undefined {
  const type = (contentType ?? '').split(';', 1)[0]!.trim().toLowerCase();
  if (type === 'application/x-protobuf' || type === 'application/protobuf') return 'protobuf';
  if (type === 'application/json') return 'json';
  return undefined;
}

/**
 * Reads the body, decompressing gzip/deflate, and refuses (413) once either the bytes on the wire
 * or the decompressed bytes exceed `max`, without buffering more than that.
 */
function readBody(req: IncomingMessage, max: number): Promise<Uint8Array> {
  const contentEncoding = String(req.headers['content-encoding'] ?? 'identity')
    .trim()
    .toLowerCase();
  let decoder: Gunzip | Inflate | undefined;
  if (contentEncoding === 'gzip' || contentEncoding === 'x-gzip') decoder = createGunzip();
  else if (contentEncoding === 'deflate') decoder = createInflate();
  else if (contentEncoding !== 'identity' && contentEncoding !== '') {
    req.resume();
    return Promise.reject(new Refusal(415, `unsupported content-encoding: ${contentEncoding.slice(0, 32)}`));
  }
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    let size = 0;
    let wire = 0;
    let settled = false;
    const fail = (err: Error): void => {
      if (settled) return;
      settled = true;
      req.unpipe();
      decoder?.destroy();
      req.resume();
      reject(err);
    };
    const collect = (chunk: Buffer): void => {
      size += chunk.length;
      if (size > max) return fail(new Refusal(413, `body larger than ${max} bytes`));
      chunks.push(chunk);
    };
    req.on('data', (chunk: Buffer) => {
      wire += chunk.length;
      if (wire > max) fail(new Refusal(413, `body larger than ${max} bytes`));
    });
    req.on('aborted', () => fail(new Refusal(400, 'request aborted')));
    req.on('error', (err) => fail(new Refusal(400, `read error: ${err.message}`)));
    const source = decoder ?? req;
    if (decoder !== undefined) {
      req.pipe(decoder);
      decoder.on('error', (err) => fail(new Refusal(400, `bad ${contentEncoding} body: ${err.message}`)));
    }
    source.on('data', collect);
    source.on('end', () => {
      if (settled) return;
      settled = true;
      resolve(chunks.length === 1 ? chunks[0]! : Buffer.concat(chunks));
    });
  });
}
