import { ExportTraceServiceRequestType, type OtlpSpan, type OtlpTraceRequest } from './otlp-trace-schema.js';

/** How an OTLP body is encoded on the wire. */
export type OtlpEncoding = 'protobuf' | 'json';

/** A body that is not a valid OTLP trace request; `message` is short and safe to send back. */
export class MalformedRequestError extends Error {}

/** Decodes an `ExportTraceServiceRequest` body. Throws `MalformedRequestError` on bad input. */
export function decodeTraceRequest(body: Uint8Array, encoding: OtlpEncoding): OtlpTraceRequest {
  if (encoding === 'protobuf') {
    try {
      return ExportTraceServiceRequestType.decode(body) as unknown as OtlpTraceRequest;
    } catch (err) {
      throw new MalformedRequestError(`invalid protobuf: ${shortReason(err)}`);
    }
  }
  let parsed: unknown;
  try {
    parsed = JSON.parse(Buffer.from(body.buffer, body.byteOffset, body.byteLength).toString('utf8'));
  } catch (err) {
    throw new MalformedRequestError(`invalid JSON: ${shortReason(err)}`);
  }
  if (parsed === null || typeof parsed !== 'object' || Array.isArray(parsed)) {
    throw new MalformedRequestError('invalid OTLP/JSON: the body must be an object');
  }
  try {
    idsFromHex(parsed as JsonRequest);
    return ExportTraceServiceRequestType.fromObject(parsed) as unknown as OtlpTraceRequest;
  } catch (err) {
    throw new MalformedRequestError(`invalid OTLP/JSON: ${shortReason(err)}`);
  }
}

/** Encodes a request for the upstream. */
export function encodeTraceRequest(request: OtlpTraceRequest, encoding: OtlpEncoding): Uint8Array {
  if (encoding === 'protobuf') return ExportTraceServiceRequestType.encode(request as never).finish();
  const json = ExportTraceServiceRequestType.toObject(request as never, {
    longs: String,
    bytes: String,
  }) as JsonRequest;
  idsToHex(json);
  return Buffer.from(JSON.stringify(json), 'utf8');
}

/** Number of spans in a decoded request. */
export function countSpans(request: OtlpTraceRequest): number {
  let n = 0;
  for (const rs of request.resourceSpans ?? []) for (const ss of rs.scopeSpans ?? []) n += ss.spans?.length ?? 0;
  return n;
}

/** Calls `visit` for every span with its resource and scope. */
export function forEachSpan(
  request: OtlpTraceRequest,
  visit: (span: OtlpSpan, scope: { name?: string; version?: string } | null | undefined, resourceIndex: number) => void,
): void {
  const groups = request.resourceSpans ?? [];
  for (let r = 0; r < groups.length; r++) {
    for (const ss of groups[r]!.scopeSpans ?? []) for (const span of ss.spans ?? []) visit(span, ss.scope, r);
  }
}

function shortReason(err: unknown): string {
  const message = err instanceof Error ? err.message : String(err);
  return message.length > 120 ? `${message.slice(0, 117)}...` : message;
}

// OTLP/JSON differs from the protobuf JSON mapping in one place: trace and span ids are hex
// strings, not base64 (the other bytes fields stay base64).
type JsonIds = { traceId?: unknown; spanId?: unknown; parentSpanId?: unknown };
interface JsonRequest {
  resourceSpans?: Array<{ scopeSpans?: Array<{ spans?: Array<JsonIds & { links?: JsonIds[] }> }> }>;
}

const ID_FIELDS = ['traceId', 'spanId', 'parentSpanId'] as const;

function idsFromHex(request: JsonRequest): void {
  walkIds(request, (holder, field) => {
    const value = holder[field];
    if (value === undefined || value === null) return;
    if (typeof value !== 'string' || !/^(?:[0-9a-fA-F]{2})*$/.test(value)) {
      throw new MalformedRequestError(`${field} must be a hex string`);
    }
    holder[field] = Buffer.from(value, 'hex');
  });
}

function idsToHex(request: JsonRequest): void {
  walkIds(request, (holder, field) => {
    const value = holder[field];
    if (typeof value === 'string') holder[field] = Buffer.from(value, 'base64').toString('hex');
  });
}

function walkIds(request: JsonRequest, fix: (holder: JsonIds, field: (typeof ID_FIELDS)[number]) => void): void {
  for (const rs of arrayOrEmpty(request.resourceSpans)) {
    for (const ss of arrayOrEmpty(rs?.scopeSpans)) {
      for (const span of arrayOrEmpty(ss?.spans)) {
        if (span === null || typeof span !== 'object') continue;
        for (const field of ID_FIELDS) fix(span, field);
        for (const link of arrayOrEmpty(span.links)) {
          if (link !== null && typeof link === 'object') {
            fix(link, 'traceId');
            fix(link, 'spanId');
          }
        }
      }
    }
  }
}

function arrayOrEmpty<T>(value: T[] | undefined): T[] {
  return Array.isArray(value) ? value : [];
}
