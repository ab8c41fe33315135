import type { OtlpEncoding } from './trace-codec.js';

/** One request as a receiver got it (body decompressed). */
export interface IncomingExport {
  signal: 'traces' | 'metrics' | 'logs';
  encoding: OtlpEncoding;
  body: Uint8Array;
}

/** What a receiver answers, whatever the transport. */
export type IngestResult =
  | { kind: 'accepted' }
  /** The body is not a valid request: never retry (HTTP 400, gRPC INVALID_ARGUMENT). */
  | { kind: 'invalid'; reason: string }
  /** Cannot be forwarded in this configuration (HTTP 415, gRPC UNIMPLEMENTED). */
  | { kind: 'unsupported'; reason: string }
  /** The queue is full: retry later (HTTP 429 + Retry-After, gRPC UNAVAILABLE). */
  | { kind: 'full' }
  /** Not ready or shutting down: retry later, possibly elsewhere (HTTP 503, gRPC UNAVAILABLE). */
  | { kind: 'unavailable'; reason: string };

/** The gateway as the receivers see it. */
export interface Ingest {
  ingest(request: IncomingExport): IngestResult;
  /** A receiver refused a request before ingest (auth, size, content type …), for the metrics. */
  refused(reason: string): void;
  readonly bearerToken: string | undefined;
  readonly maxBodyBytes: number;
  readonly retryAfterSeconds: number;
  /** `/readyz`: prices loaded, receivers listening, not shutting down. */
  isReady(): boolean;
}

/** Constant-time enough comparison of an `Authorization` header with the expected bearer token. */
export function authorized(header: string | undefined, token: string | undefined): boolean {
  if (token === undefined) return true;
  if (header === undefined) return false;
  const expected = `Bearer ${token}`;
  if (header.length !== expected.length) return false;
  let diff = 0;
  for (let i = 0; i < header.length; i++) diff |= header.charCodeAt(i) ^ expected.charCodeAt(i);
  return diff === 0;
}
