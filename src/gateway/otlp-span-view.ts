import type { AttributeValue, Attributes, HrTime } from '@opentelemetry/api';
import Long from 'long';
import { isGenAiMarker } from '../conventions/span-role.js';
import type { SpanView } from '../core/span-enrichment.js';
import { keyValue, type OtlpAnyValue, type OtlpKeyValue, type OtlpSpan } from './otlp-trace-schema.js';

/**
 * The gate of the processor's fast path on an OTLP span: does any attribute key mark a possible
 * GenAI span? Only key strings are compared; no value is decoded.
 */
export function otlpMayBeGenAi(span: OtlpSpan): boolean {
  const attributes = span.attributes;
  if (attributes === undefined) return false;
  for (let i = 0; i < attributes.length; i++) {
    const kv = attributes[i]!;
    if (isGenAiMarker(kv.key) && kv.value != null) return true;
  }
  return false;
}

/** The `SpanView` the enrichment core reads, built from a decoded OTLP span. */
export function otlpSpanView(span: OtlpSpan, scope: { name?: string; version?: string } | null | undefined): SpanView {
  const view: SpanView = {
    name: span.name ?? '',
    attributes: toAttributes(span.attributes),
    instrumentationScope: scope?.version
      ? { name: scope.name ?? '', version: scope.version }
      : { name: scope?.name ?? '' },
    startTime: toHrTime(span.startTimeUnixNano),
    endTime: toHrTime(span.endTimeUnixNano),
    events: (span.events ?? []).map((event) => ({ name: event.name ?? '', time: toHrTime(event.timeUnixNano) })),
  };
  return view;
}

/** Sets `added` on the OTLP span: a key already present is replaced (as `span.setAttributes` would). */
export function setOtlpAttributes(span: OtlpSpan, added: Attributes): void {
  span.attributes ??= [];
  const list = span.attributes;
  for (const key of Object.keys(added)) {
    const value = added[key];
    if (typeof value !== 'string' && typeof value !== 'number' && typeof value !== 'boolean') continue;
    const kv = keyValue(key, value);
    const at = list.findIndex((existing) => existing.key === key);
    if (at >= 0) list[at] = kv;
    else list.push(kv);
  }
}

/**
 * A span id as a map key: its bytes as a latin1 string (one char per byte; cheaper than hex,
 * and only ever compared with other keys made here).
 */
export function idKey(id: Uint8Array | undefined): string | undefined {
  if (id === undefined || id.length === 0) return undefined;
  return Buffer.from(id.buffer, id.byteOffset, id.byteLength).toString('latin1');
}

/** One string attribute of a KeyValue list (e.g. the resource's `service.name`). */
export function stringAttribute(list: OtlpKeyValue[] | undefined, key: string): string | undefined {
  if (list === undefined) return undefined;
  for (const kv of list) {
    if (kv.key === key) {
      const value = kv.value;
      return value != null && has(value, 'stringValue') ? value.stringValue : undefined;
    }
  }
  return undefined;
}

function toAttributes(list: OtlpKeyValue[] | undefined): Attributes {
  const out: Attributes = {};
  if (list === undefined) return out;
  for (const kv of list) {
    if (kv.value == null) continue;
    const value = toAttributeValue(kv.value);
    if (value !== undefined) out[kv.key] = value;
  }
  return out;
}

/**
 * An AnyValue as an SDK attribute value. Maps and byte strings have no attribute equivalent and
 * no reader looks at them; they are left out of the view (the span itself keeps them).
 */
function toAttributeValue(value: OtlpAnyValue): AttributeValue | undefined {
  if (has(value, 'stringValue')) return value.stringValue;
  if (has(value, 'intValue')) return toNumber(value.intValue);
  if (has(value, 'doubleValue')) return value.doubleValue;
  if (has(value, 'boolValue')) return value.boolValue;
  if (has(value, 'arrayValue')) {
    const items = (value.arrayValue?.values ?? []).map(toAttributeValue);
    if (items.every((item) => typeof item === 'string')) return items as string[];
    if (items.every((item) => typeof item === 'number')) return items as number[];
    if (items.every((item) => typeof item === 'boolean')) return items as boolean[];
  }
  return undefined;
}

/** Own-property check: decoded protobufjs messages carry default values on their prototype. */
function has<K extends keyof OtlpAnyValue>(
  value: OtlpAnyValue,
  key: K,
): value is OtlpAnyValue & Required<Pick<OtlpAnyValue, K>> {
  return Object.prototype.hasOwnProperty.call(value, key) && value[key] != null;
}

function toNumber(value: Long | number | undefined): number {
  if (value === undefined) return 0;
  return typeof value === 'number' ? value : value.toNumber();
}

const NANOS_PER_SECOND = Long.fromNumber(1e9, true);

function toHrTime(nanos: Long | number | undefined): HrTime {
  if (nanos === undefined) return [0, 0];
  if (typeof nanos === 'number') return [Math.floor(nanos / 1e9), nanos % 1e9];
  const unsigned = nanos.toUnsigned();
  return [unsigned.div(NANOS_PER_SECOND).toNumber(), unsigned.mod(NANOS_PER_SECOND).toNumber()];
}
