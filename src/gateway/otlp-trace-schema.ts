import protobuf from 'protobufjs';
import Long from 'long';

/**
 * The OTLP trace messages (opentelemetry-proto v1: common, resource, trace and the trace
 * collector service), as a protobufjs reflection root. Every field of the current spec is
 * declared, because protobufjs drops fields it does not know and the gateway must forward spans
 * unchanged apart from the attributes it adds. Logs and metrics are never decoded (they pass
 * through as bytes), so only traces are described here.
 */
const OTLP_TRACE_PROTO = `
syntax = "proto3";
package opentelemetry.proto;

message AnyValue {
  oneof value {
    string string_value = 1;
    bool bool_value = 2;
    int64 int_value = 3;
    double double_value = 4;
    ArrayValue array_value = 5;
    KeyValueList kvlist_value = 6;
    bytes bytes_value = 7;
  }
}
message ArrayValue { repeated AnyValue values = 1; }
message KeyValueList { repeated KeyValue values = 1; }
message KeyValue { string key = 1; AnyValue value = 2; }
message InstrumentationScope {
  string name = 1;
  string version = 2;
  repeated KeyValue attributes = 3;
  uint32 dropped_attributes_count = 4;
}
message EntityRef {
  string schema_url = 1;
  string type = 2;
  repeated string id_keys = 3;
  repeated string description_keys = 4;
}
message Resource {
  repeated KeyValue attributes = 1;
  uint32 dropped_attributes_count = 2;
  repeated EntityRef entity_refs = 3;
}
message ResourceSpans {
  Resource resource = 1;
  repeated ScopeSpans scope_spans = 2;
  string schema_url = 3;
}
message ScopeSpans {
  InstrumentationScope scope = 1;
  repeated Span spans = 2;
  string schema_url = 3;
}
message Span {
  bytes trace_id = 1;
  bytes span_id = 2;
  string trace_state = 3;
  bytes parent_span_id = 4;
  fixed32 flags = 16;
  string name = 5;
  int32 kind = 6;
  fixed64 start_time_unix_nano = 7;
  fixed64 end_time_unix_nano = 8;
  repeated KeyValue attributes = 9;
  uint32 dropped_attributes_count = 10;
  repeated Event events = 11;
  uint32 dropped_events_count = 12;
  repeated Link links = 13;
  uint32 dropped_links_count = 14;
  Status status = 15;
  message Event {
    fixed64 time_unix_nano = 1;
    string name = 2;
    repeated KeyValue attributes = 3;
    uint32 dropped_attributes_count = 4;
  }
  message Link {
    bytes trace_id = 1;
    bytes span_id = 2;
    string trace_state = 3;
    repeated KeyValue attributes = 4;
    uint32 dropped_attributes_count = 5;
    fixed32 flags = 6;
  }
}
message Status {
  string message = 2;
  int32 code = 3;
}
message ExportTraceServiceRequest { repeated ResourceSpans resource_spans = 1; }
message ExportTracePartialSuccess { int64 rejected_spans = 1; string error_message = 2; }
message ExportTraceServiceResponse { ExportTracePartialSuccess partial_success = 1; }
`;

// fixed64 timestamps (nanoseconds since 1970, ~1.8e18) do not fit a double: protobufjs must use
// Long, whichever way the bundler resolved its optional dependency.
protobuf.util.Long = Long;
protobuf.configure();

const root = protobuf.parse(OTLP_TRACE_PROTO, { keepCase: false }).root;

export const ExportTraceServiceRequestType = root.lookupType('opentelemetry.proto.ExportTraceServiceRequest');
export const ExportTraceServiceResponseType = root.lookupType('opentelemetry.proto.ExportTraceServiceResponse');

/** Decoded OTLP messages (protobufjs reflection objects, camelCase field names). */
export interface OtlpAnyValue {
  stringValue?: string;
  boolValue?: boolean;
  intValue?: Long | number;
  doubleValue?: number;
  arrayValue?: { values?: OtlpAnyValue[] };
  kvlistValue?: { values?: OtlpKeyValue[] };
  bytesValue?: Uint8Array;
  /** protobufjs oneof getter: the name of the member that is set. */
  value?: string;
}
export interface OtlpKeyValue {
  key: string;
  value?: OtlpAnyValue | null;
}
export interface OtlpEvent {
  timeUnixNano?: Long | number;
  name?: string;
  attributes?: OtlpKeyValue[];
}
export interface OtlpLink {
  traceId?: Uint8Array;
  spanId?: Uint8Array;
}
export interface OtlpSpan {
  traceId: Uint8Array;
  spanId: Uint8Array;
  parentSpanId?: Uint8Array;
  flags?: number;
  name: string;
  startTimeUnixNano?: Long | number;
  endTimeUnixNano?: Long | number;
  attributes: OtlpKeyValue[];
  events?: OtlpEvent[];
  links?: OtlpLink[];
}
export interface OtlpScopeSpans {
  scope?: { name?: string; version?: string } | null;
  spans: OtlpSpan[];
}
export interface OtlpResourceSpans {
  resource?: { attributes?: OtlpKeyValue[] } | null;
  scopeSpans: OtlpScopeSpans[];
}
export interface OtlpTraceRequest {
  resourceSpans: OtlpResourceSpans[];
}

/** Builds a KeyValue message the way the OTel JS exporters encode a JS value (integer numbers as `intValue`). */
export function keyValue(key: string, value: string | number | boolean): OtlpKeyValue {
  let any: OtlpAnyValue;
  if (typeof value === 'string') any = { stringValue: value };
  else if (typeof value === 'boolean') any = { boolValue: value };
  else if (Number.isInteger(value)) any = { intValue: Long.fromNumber(value) };
  else any = { doubleValue: value };
  return { key, value: any };
}
