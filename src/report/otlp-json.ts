import type { Attributes, AttributeValue, HrTime } from '@opentelemetry/api';
import type { SpanView } from '../processor/span-enrichment.js';

/**
 * Reading OTLP/JSON trace data (`ExportTraceServiceRequest`, or the `TracesData` inside a Jaeger
 * v2 API answer) into the span view the enrichment core reads.
 *
 * Both protobuf-JSON dialects seen in practice are accepted: the Collector (Go protojson) writes
 * 64-bit integers and nanosecond times as strings (`"intValue":"1200"`), the JS serializer of
 * `@opentelemetry/otlp-transformer` writes some of them as numbers. Everything is untrusted: a value
 * of an unexpected type is left out, never thrown on.
 */

/** One span as the report sees it. */
export interface ReportSpan extends SpanView {
  readonly traceId: string;
  readonly spanId: string;
  readonly parentSpanId: string;
  /** Start time in milliseconds since the epoch. */
  readonly startMs: number;
  /** The resource's attributes (`service.name` …). */
  readonly resource: Attributes;
  /** Our own cost attributes (`gen_ai.usage.cost_usd`, `gen_ai.cost.*`), kept apart from
   * `attributes` so the enrichment core reads the span as an instrumentation wrote it. */
  readonly recorded: Attributes;
}

/** Is `key` one of the attributes the processor writes (DESIGN.md §2)? */
function isRecordedCostKey(key: string): boolean {
  return key.startsWith('gen_ai.cost.') || key === 'gen_ai.usage.cost_usd';
}

const NO_EVENTS: readonly never[] = [];

/**
 * Calls `visit` for every span of an OTLP/JSON traces object (`{"resourceSpans":[…]}`). Returns
 * the number of spans visited, or -1 when `data` has no `resourceSpans` array at all (not trace
 * data: a caller decides whether that is an error).
 */
export function forEachSpan(data: unknown, visit: (span: ReportSpan) => void): number {
  const resourceSpans = (data as { resourceSpans?: unknown } | null)?.resourceSpans;
  if (!Array.isArray(resourceSpans)) return -1;
  let count = 0;
  for (const rs of resourceSpans) {
    if (typeof rs !== 'object' || rs === null) continue;
    const resource = toAttributes((rs as { resource?: { attributes?: unknown } }).resource?.attributes, undefined);
    const scopeSpans = (rs as { scopeSpans?: unknown }).scopeSpans;
    if (!Array.isArray(scopeSpans)) continue;
    for (const ss of scopeSpans) {
      if (typeof ss !== 'object' || ss === null) continue;
      const scopeRaw = (ss as { scope?: { name?: unknown; version?: unknown } }).scope;
      const scope = {
        name: typeof scopeRaw?.name === 'string' ? scopeRaw.name : '',
        version: typeof scopeRaw?.version === 'string' ? scopeRaw.version : undefined,
      };
      const spans = (ss as { spans?: unknown }).spans;
      if (!Array.isArray(spans)) continue;
      for (const s of spans) {
        if (typeof s !== 'object' || s === null) continue;
        const raw = s as Record<string, unknown>;
        const recorded: Attributes = {};
        const attributes = toAttributes(raw.attributes, recorded);
        const start = nanos(raw.startTimeUnixNano);
        const end = nanos(raw.endTimeUnixNano);
        visit({
          name: typeof raw.name === 'string' ? raw.name : '',
          attributes,
          recorded,
          resource,
          instrumentationScope: scope,
          startTime: start.hr,
          endTime: end.hr,
          startMs: start.ms,
          events: NO_EVENTS,
          traceId: typeof raw.traceId === 'string' ? raw.traceId : '',
          spanId: typeof raw.spanId === 'string' ? raw.spanId : '',
          parentSpanId: typeof raw.parentSpanId === 'string' ? raw.parentSpanId : '',
        });
        count++;
      }
    }
  }
  return count;
}

/** OTLP `KeyValue[]` → attributes. Our cost keys go to `recorded` when it is given. */
function toAttributes(list: unknown, recorded: Attributes | undefined): Attributes {
  const out: Attributes = {};
  if (!Array.isArray(list)) return out;
  for (const kv of list) {
    if (typeof kv !== 'object' || kv === null) continue;
    const key = (kv as { key?: unknown }).key;
    if (typeof key !== 'string') continue;
    const value = toValue((kv as { value?: unknown }).value);
    if (value === undefined) continue;
    if (recorded !== undefined && isRecordedCostKey(key)) recorded[key] = value;
    else out[key] = value;
  }
  return out;
}

/** OTLP `AnyValue` → attribute value; maps and bytes (never GenAI usage) are left out. */
function toValue(v: unknown): AttributeValue | undefined {
  if (typeof v !== 'object' || v === null) return undefined;
  const any = v as Record<string, unknown>;
  if (typeof any.stringValue === 'string') return any.stringValue;
  if (any.intValue !== undefined) return toNumber(any.intValue);
  if (any.doubleValue !== undefined) return toNumber(any.doubleValue);
  if (typeof any.boolValue === 'boolean') return any.boolValue;
  const array = (any.arrayValue as { values?: unknown } | undefined)?.values;
  if (Array.isArray(array)) {
    const values: (string | number | boolean)[] = [];
    for (const item of array) {
      const value = toValue(item);
      if (value !== undefined && !Array.isArray(value) && value !== null) values.push(value as string | number | boolean);
    }
    return values as AttributeValue;
  }
  return undefined;
}

/** A protojson number: a JSON number, or a decimal string (64-bit integers, NaN / Infinity). */
function toNumber(v: unknown): number | undefined {
  if (typeof v === 'number') return v;
  if (typeof v === 'string' && v.length > 0) {
    const n = Number(v);
    return Number.isNaN(n) ? undefined : n;
  }
  return undefined;
}

/** `startTimeUnixNano` (a string of nanoseconds, or a number) → HrTime and milliseconds. */
function nanos(v: unknown): { hr: HrTime; ms: number } {
  if (typeof v === 'string' && /^\d{1,19}$/.test(v)) {
    // Exact seconds and nanoseconds without going through a float (1e18 > 2^53).
    const seconds = v.length > 9 ? Number(v.slice(0, -9)) : 0;
    const rest = Number(v.length > 9 ? v.slice(-9) : v);
    return { hr: [seconds, rest], ms: seconds * 1000 + Math.floor(rest / 1e6) };
  }
  if (typeof v === 'number' && Number.isFinite(v) && v >= 0) {
    const seconds = Math.floor(v / 1e9);
    return { hr: [seconds, Math.max(0, Math.round(v - seconds * 1e9))], ms: Math.floor(v / 1e6) };
  }
  return { hr: [0, 0], ms: 0 };
}
