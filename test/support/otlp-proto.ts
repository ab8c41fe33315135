/**
 * OTLP protobuf → the OTLP/JSON shape the receiver already reads, for `http/protobuf` and `grpc`
 * requests. The schema is the subset of opentelemetry-proto (common, resource, trace, metrics
 * v1) the tests read, with the field numbers of the published .proto files; fields left out are
 * skipped by the decoder, as protobuf allows.
 */
import protobuf from 'protobufjs';

const SCHEMA = `
syntax = "proto3";
package otlp;
message AnyValue {
  oneof value {
    string string_value = 1; bool bool_value = 2; int64 int_value = 3; double double_value = 4;
    ArrayValue array_value = 5; KeyValueList kvlist_value = 6; bytes bytes_value = 7;
  }
}
message ArrayValue { repeated AnyValue values = 1; }
message KeyValueList { repeated KeyValue values = 1; }
message KeyValue { string key = 1; AnyValue value = 2; }
message InstrumentationScope { string name = 1; string version = 2; }
message Resource { repeated KeyValue attributes = 1; }
message Span {
  bytes trace_id = 1; bytes span_id = 2; bytes parent_span_id = 4; string name = 5; int32 kind = 6;
  fixed64 start_time_unix_nano = 7; fixed64 end_time_unix_nano = 8; repeated KeyValue attributes = 9;
}
message ScopeSpans { InstrumentationScope scope = 1; repeated Span spans = 2; }
message ResourceSpans { Resource resource = 1; repeated ScopeSpans scope_spans = 2; }
message ExportTraceServiceRequest { repeated ResourceSpans resource_spans = 1; }
message NumberDataPoint { repeated KeyValue attributes = 7; double as_double = 4; sfixed64 as_int = 6; }
message HistogramDataPoint {
  repeated KeyValue attributes = 9; fixed64 count = 4; optional double sum = 5;
  repeated fixed64 bucket_counts = 6; repeated double explicit_bounds = 7;
}
message Gauge { repeated NumberDataPoint data_points = 1; }
message Sum { repeated NumberDataPoint data_points = 1; int32 aggregation_temporality = 2; bool is_monotonic = 3; }
message Histogram { repeated HistogramDataPoint data_points = 1; int32 aggregation_temporality = 2; }
message Metric { string name = 1; string description = 2; string unit = 3; \
Gauge gauge = 5; Sum sum = 7; Histogram histogram = 9; }
message ScopeMetrics { InstrumentationScope scope = 1; repeated Metric metrics = 2; }
message ResourceMetrics { Resource resource = 1; repeated ScopeMetrics scope_metrics = 2; }
message ExportMetricsServiceRequest { repeated ResourceMetrics resource_metrics = 1; }
`;

const root = protobuf.parse(SCHEMA, { keepCase: false }).root;
const TraceRequest = root.lookupType('otlp.ExportTraceServiceRequest');
const MetricsRequest = root.lookupType('otlp.ExportMetricsServiceRequest');

const TO_OBJECT: protobuf.IConversionOptions = { longs: String, bytes: String, defaults: false, arrays: true };

/** An `ExportTraceServiceRequest` in protobuf → its OTLP/JSON form (ids as hex). */
export function decodeTraceRequest(body: Uint8Array): unknown {
  const request = TraceRequest.toObject(TraceRequest.decode(body), TO_OBJECT) as {
    resourceSpans?: Array<{ scopeSpans?: Array<{ spans?: Array<Record<string, string | undefined>> }> }>;
  };
  for (const rs of request.resourceSpans ?? []) {
    for (const ss of rs.scopeSpans ?? []) {
      for (const span of ss.spans ?? []) {
        for (const id of ['traceId', 'spanId', 'parentSpanId']) {
          if (span[id]) span[id] = Buffer.from(span[id]!, 'base64').toString('hex');
        }
      }
    }
  }
  return request;
}

/** An `ExportMetricsServiceRequest` in protobuf → its OTLP/JSON form. */
export function decodeMetricsRequest(body: Uint8Array): unknown {
  return MetricsRequest.toObject(MetricsRequest.decode(body), TO_OBJECT);
}
