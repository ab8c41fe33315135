import { context, trace, type Attributes, type Span, type Tracer } from '@opentelemetry/api';
import { resourceFromAttributes } from '@opentelemetry/resources';
import {
  BasicTracerProvider,
  BatchSpanProcessor,
  type SpanExporter,
  type SpanProcessor,
} from '@opentelemetry/sdk-trace-base';
import { calcPrice } from '@pydantic/genai-prices';
import { LlmCostGateway, type GatewayAddresses } from '../../src/gateway/gateway.js';
import type { LlmCostGatewayOptions } from '../../src/gateway/gateway-options.js';

/** A gateway on loopback with OS-chosen ports. */
export async function startGateway(
  options: Partial<LlmCostGatewayOptions> & { upstream: string },
): Promise<{ gateway: LlmCostGateway; addresses: GatewayAddresses; httpUrl: string; grpcUrl: string }> {
  const gateway = new LlmCostGateway({
    http: '127.0.0.1:0',
    grpc: '127.0.0.1:0',
    upstreamProtocol: 'http/json',
    shutdownTimeoutMs: 2000,
    ...options,
  });
  const addresses = await gateway.start();
  await gateway.ready();
  return {
    gateway,
    addresses,
    httpUrl: addresses.http ? `http://127.0.0.1:${addresses.http.port}` : '',
    grpcUrl: addresses.grpc ? `http://127.0.0.1:${addresses.grpc.port}` : '',
  };
}

/** The same workload for every sender: an agent span with two priced calls, an unknown model, a plain span. */
export const T0: [number, number] = [1_760_000_000, 0];
const at = (ms: number): [number, number] => [T0[0] + Math.floor(ms / 1000), (ms % 1000) * 1e6];

export const LLM_ATTRIBUTES: Record<string, Attributes> = {
  'chat gpt-4o': {
    'gen_ai.operation.name': 'chat',
    'gen_ai.provider.name': 'openai',
    'gen_ai.request.model': 'gpt-4o',
    'gen_ai.response.model': 'gpt-4o-2024-08-06',
    'gen_ai.usage.input_tokens': 1200,
    'gen_ai.usage.output_tokens': 300,
    'gen_ai.usage.cache_read.input_tokens': 1000,
  },
  'chat claude': {
    'gen_ai.operation.name': 'chat',
    'gen_ai.provider.name': 'anthropic',
    'gen_ai.request.model': 'claude-sonnet-4-5',
    'gen_ai.response.model': 'claude-sonnet-4-5-20250929',
    'gen_ai.usage.input_tokens': 5000,
    'gen_ai.usage.output_tokens': 700,
    'gen_ai.response.time_to_first_chunk': 0.25,
  },
  'chat unknown': {
    'gen_ai.operation.name': 'chat',
    'gen_ai.provider.name': 'openai',
    'gen_ai.request.model': 'no-such-model-xyz',
    'gen_ai.usage.input_tokens': 10,
    'gen_ai.usage.output_tokens': 10,
  },
};

/** genai-prices' total for one of the priced LLM_ATTRIBUTES calls (the oracle, not our code). */
export function oracleTotal(name: string): number | undefined {
  const a = LLM_ATTRIBUTES[name]!;
  return calcPrice(
    {
      input_tokens: a['gen_ai.usage.input_tokens'] as number,
      cache_read_tokens: a['gen_ai.usage.cache_read.input_tokens'] as number | undefined,
      output_tokens: a['gen_ai.usage.output_tokens'] as number,
    },
    a['gen_ai.response.model'] as string,
    { providerId: a['gen_ai.provider.name'] as string },
  )?.total_price;
}

/** Emits the workload on `tracer`: agent → (chat gpt-4o, chat claude, chat unknown), and a plain span. */
export function emitWorkload(tracer: Tracer): void {
  const agent = tracer.startSpan('invoke_agent planner', {
    startTime: at(0),
    attributes: { 'gen_ai.operation.name': 'invoke_agent' },
  });
  const ctx = trace.setSpan(context.active(), agent);
  let t = 10;
  for (const [name, attributes] of Object.entries(LLM_ATTRIBUTES)) {
    const span: Span = tracer.startSpan(name, { startTime: at(t), attributes }, ctx);
    span.end(at(t + 750));
    t += 1000;
  }
  tracer.startSpan('GET /health', { startTime: at(5), attributes: { 'http.request.method': 'GET' } }).end(at(6));
  agent.end(at(t + 10));
}

/** A provider whose spans go through `processors` (e.g. a cost processor, then an export processor). */
export function tracerWith(
  processors: SpanProcessor[],
  serviceName = 'gateway-test-app',
): { tracer: Tracer; provider: BasicTracerProvider } {
  const provider = new BasicTracerProvider({
    resource: resourceFromAttributes({ 'service.name': serviceName }),
    spanProcessors: processors,
  });
  return { tracer: provider.getTracer('gateway-test', '1.0.0'), provider };
}

/** Sends the workload through `exporter` and flushes. */
export async function sendWorkload(
  exporter: SpanExporter,
  extra: SpanProcessor[] = [],
  serviceName?: string,
): Promise<void> {
  const { tracer, provider } = tracerWith([...extra, new BatchSpanProcessor(exporter)], serviceName);
  emitWorkload(tracer);
  await provider.forceFlush();
  await provider.shutdown();
}

/** Attributes the processor or the gateway added (the span attributes of docs/architecture.md, "Contracts"). */
export function addedAttributes(attributes: Record<string, unknown>): Record<string, unknown> {
  return Object.fromEntries(
    Object.entries(attributes).filter(
      ([key]) =>
        key.startsWith('gen_ai.cost.') ||
        key === 'gen_ai.usage.cost_usd' ||
        key === 'gen_ai.client.operation.duration' ||
        key === 'gen_ai.response.time_to_first_chunk',
    ),
  );
}
