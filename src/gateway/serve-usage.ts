/** The text of `llm-cost serve --help` (its own module: the CLI lists it without loading gRPC). */
export const SERVE_USAGE = `Usage: llm-cost serve --upstream URL [options]

Receives OTLP traces, prices every LLM span exactly as the span processor does, and forwards
them (with metrics and logs, untouched) to an OTLP upstream. See docs/gateway.md.

Options:
  --http HOST:PORT|off        OTLP/HTTP receiver, /healthz and /readyz (default 127.0.0.1:4318)
  --grpc HOST:PORT|off        OTLP/gRPC receiver (default 127.0.0.1:4317)
  --upstream URL              where to forward (default: OTEL_EXPORTER_OTLP_ENDPOINT)
  --upstream-protocol P       http/protobuf | http/json | grpc (default: OTEL_EXPORTER_OTLP_PROTOCOL,
                              else http/protobuf); headers from OTEL_EXPORTER_OTLP_HEADERS
  --prices FILE|URL           a LiteLLM-format price table (default: OTEL_LLM_COST_PRICES_PATH /
                              OTEL_LLM_COST_PRICES_URL, else the embedded prices)
  --overrides FILE            price overrides (default: OTEL_LLM_COST_OVERRIDES_PATH)
  --token-file FILE           require "Authorization: Bearer <token>" (or OTEL_LLM_COST_SERVE_TOKEN)
  --tls-cert FILE --tls-key FILE   serve both receivers over TLS
  --max-body BYTES            largest request body, compressed or not (default 8388608)
  --queue-spans N             queue bound in spans (default 100000)
  --queue-bytes BYTES         queue bound in bytes (default 268435456)
  --retry-after SECONDS       Retry-After when the queue is full (default 5)
  --max-retry-time MS         give up on a request the upstream keeps refusing (default 300000)
  --max-backoff MS            longest wait between two retries (default 30000)
  --concurrency N             requests sent to the upstream at once (default 4)
  --shutdown-timeout MS       how long SIGTERM may drain the queue (default 20000)
  --metrics-interval MS       metric export interval (default: OTEL_METRIC_EXPORT_INTERVAL, else 60000)
  --no-rollup                 do not write gen_ai.cost.rollup_usd
  --pass-through              forward without pricing (decode + encode only; for measurements)
  -h, --help                  show this help
`;
