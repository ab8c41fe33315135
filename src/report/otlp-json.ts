import type { Attributes, AttributeValue, HrTime } from '@opentelemetry/api';
import type { SpanView } from '../core/span-enrichment.js';

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

/** Is `key` one of the attributes the processor writes (docs/architecture.md, "Span
 * attributes")? Asked of every GenAI key of every span: the eighth letter (`c` of `gen_ai.cost.`)
 * settles which of the two tests can hold, which measured a fifth of the conversion time cheaper
 * than running both. */
function isRecordedCostKey(key: string): boolean {
  return key.charCodeAt(7) === 99 ? key.startsWith('gen_ai.cost.') : key === 'gen_ai.usage.cost_usd';
}

const NO_EVENTS: readonly never[] = [];

/**
 * Prefixes of every attribute that can make a span GenAI (the markers of `mayBeGenAi` and every
 * usage key start with one of them). A span without any is skipped before its attributes are
 * converted: in real telemetry most spans are plain HTTP, database … spans.
 */
const GEN_AI_PREFIXES = ['gen_ai.', 'llm.', 'ai.', 'openinference.', 'traceloop.'];

function isGenAiKey(key: string): boolean {
  const c = key.charCodeAt(0);
  // g, l, a, o, t: most other keys stop here.
  return (
    (c === 103 || c === 108 || c === 97 || c === 111 || c === 116) && GEN_AI_PREFIXES.some((p) => key.startsWith(p))
  );
}

function mayHaveGenAiKey(list: unknown): boolean {
  if (!Array.isArray(list)) return false;
  for (const kv of list) {
    const key = (kv as { key?: unknown } | null)?.key;
    if (typeof key === 'string' && isGenAiKey(key)) return true;
  }
  return false;
}

/** Which spans and attributes {@link forEachSpan} hands over. */
export interface SpanFilter {
  /** Skip spans without any GenAI-looking attribute key. Default: false. */
  genAiSpansOnly?: boolean;
  /** Convert only GenAI-looking attribute keys of a span (all the enrichment core reads), when
   * no other attribute is asked for. Default: false (every attribute). */
  genAiKeysOnly?: boolean;
}

/**
 * Calls `visit` for every span of an OTLP/JSON traces object (`{"resourceSpans":[…]}`) that
 * passes `filter`. Returns the number of spans seen, or -1 when `data` has no `resourceSpans`
 * array at all (not trace data: a caller decides whether that is an error).
 */
export function forEachSpan(data: unknown, visit: (span: ReportSpan) => void, filter: SpanFilter = {}): number {
  const genAiOnly = filter.genAiSpansOnly === true;
  const keys = filter.genAiKeysOnly === true ? KEYS_GEN_AI : KEYS_SPAN;
  const resourceSpans = (data as { resourceSpans?: unknown } | null)?.resourceSpans;
  if (!Array.isArray(resourceSpans)) return -1;
  let count = 0;
  for (const rs of resourceSpans) {
    if (typeof rs !== 'object' || rs === null) continue;
    const resource = toAttributes((rs as { resource?: { attributes?: unknown } }).resource?.attributes, KEYS_ALL);
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
        count++;
        if (genAiOnly && !mayHaveGenAiKey(raw.attributes)) continue;
        const attributes = toAttributes(raw.attributes, keys);
        const recorded = lastRecorded;
        const start = nanos(raw.startTimeUnixNano);
        visit({
          name: typeof raw.name === 'string' ? raw.name : '',
          attributes,
          recorded,
          resource,
          instrumentationScope: scope,
          startTime: start.hr,
          // The report uses no duration: the end time is not parsed (a third of the time spent
          // on timestamps), and the enrichment's duration comes out 0.
          endTime: start.hr,
          startMs: start.ms,
          events: NO_EVENTS,
          traceId: typeof raw.traceId === 'string' ? raw.traceId : '',
          spanId: typeof raw.spanId === 'string' ? raw.spanId : '',
          parentSpanId: typeof raw.parentSpanId === 'string' ? raw.parentSpanId : '',
        });
      }
    }
  }
  return count;
}

const KEYS_ALL = 0;
const KEYS_SPAN = 1;
const KEYS_GEN_AI = 2;
const NO_RECORDED: Attributes = Object.freeze({}) as Attributes;
/** Our cost keys of the span last converted by `toAttributes` (an object only when it had some). */
let lastRecorded: Attributes = NO_RECORDED;

/**
 * OTLP `KeyValue[]` → attributes. `KEYS_ALL`: every key (a resource). `KEYS_SPAN`: every key,
 * our cost keys set apart in `lastRecorded`. `KEYS_GEN_AI`: the same, GenAI-looking keys only.
 */
function toAttributes(list: unknown, keys: number): Attributes {
  const out: Attributes = {};
  lastRecorded = NO_RECORDED;
  if (!Array.isArray(list)) return out;
  for (const kv of list) {
    if (typeof kv !== 'object' || kv === null) continue;
    const key = (kv as { key?: unknown }).key;
    if (typeof key !== 'string') continue;
    if (keys === KEYS_GEN_AI && !isGenAiKey(key)) continue;
    const value = toValue((kv as { value?: unknown }).value);
    if (value === undefined) continue;
    if (keys !== KEYS_ALL && key.charCodeAt(0) === 103 && isRecordedCostKey(key)) {
      if (lastRecorded === NO_RECORDED) lastRecorded = {};
      lastRecorded[key] = value;
    } else {
      out[key] = value;
    }
  }
  return out;
}

/** OTLP `AnyValue` → attribute value; maps and bytes (never GenAI usage) are left out. */
function toValue(v: unknown): AttributeValue | undefined {
  if (typeof v !== 'object' || v === null) return undefined;
  const any = v as Record<string, unknown>;
  const text = any.stringValue;
  if (typeof text === 'string') return text;
  const int = any.intValue;
  if (int !== undefined) return toNumber(int);
  if (any.doubleValue !== undefined) return toNumber(any.doubleValue);
  if (typeof any.boolValue === 'boolean') return any.boolValue;
  const array = (any.arrayValue as { values?: unknown } | undefined)?.values;
  if (Array.isArray(array)) {
    const values: (string | number | boolean)[] = [];
    for (const item of array) {
      const value = toValue(item);
      if (value !== undefined && !Array.isArray(value) && value !== null)
        values.push(value as string | number | boolean);
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
  if (typeof v === 'string' && v.length > 0 && v.length <= 19) {
    // Exact seconds and nanoseconds without going through a float (1e18 > 2^53).
    const seconds = v.length > 9 ? Number(v.slice(0, -9)) : 0;
    const rest = Number(v.length > 9 ? v.slice(-9) : v);
    if (Number.isInteger(seconds) && Number.isInteger(rest) && seconds >= 0 && rest >= 0) {
      return { hr: [seconds, rest], ms: seconds * 1000 + Math.floor(rest / 1e6) };
    }
    return { hr: [0, 0], ms: 0 };
  }
  if (typeof v === 'number' && Number.isFinite(v) && v >= 0) {
    const seconds = Math.floor(v / 1e9);
    return { hr: [seconds, Math.max(0, Math.round(v - seconds * 1e9))], ms: Math.floor(v / 1e6) };
  }
  return { hr: [0, 0], ms: 0 };
}
