// `otel-llm-cost/gateway`: the OTLP gateway behind `llm-cost serve`, for embedding it in a
// program. A separate entry point, so the processor's users never load gRPC or protobuf.
export { LlmCostGateway } from './gateway.js';
export type { GatewayAddresses } from './gateway.js';
export type { LlmCostGatewayOptions } from './gateway-options.js';
export type { UpstreamProtocol } from './upstream-client.js';
