/**
 * A real Python app (OpenTelemetry Python SDK + opentelemetry-instrumentation-openai-v2 + openai,
 * from PyPI) calls the mock OpenAI server and exports to the front Collector; the Collector's
 * loadbalancing exporter hands the trace to one of two `llm-cost serve` replicas, which prices
 * it. The app knows nothing about cost: its spans come out priced, exactly as genai-prices
 * prices them, and its parent span rolls them up.
 *
 * Needs the venv of .ci/python-venv.sh and the Collector of .ci/tools.sh: skipped with a message
 * outside CI, fails under CI=true.
 */
import { calcPrice } from '@pydantic/genai-prices';
import { execFile } from 'node:child_process';
import { homedir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { DATED_MODELS, startMockLLM, type MockLLM } from '../../examples/mock-llm/index.js';
import { startOtlpReceiver, type OtlpReceiver } from '../support/otlp-receiver.js';
import { deploy, type Deployment } from './deployment.js';
import { ensureBuilt, ROOT } from './serve-process.js';
import { OTELCOL, toolAvailable } from './tools.js';

const PYTHON = join(
  process.env.OTEL_LLM_COST_PY_VENV ?? join(homedir(), '.cache', 'otel-llm-cost', 'python', 'gateway-venv'),
  'bin',
  'python',
);
const available =
  toolAvailable(PYTHON, 'create it with .ci/python-venv.sh') &&
  toolAvailable(OTELCOL, 'build it with .ci/tools.sh otelcol');

const CALLS = [
  { model: 'gpt-4o-mini', usage: { input: 1200, output: 300 } },
  { model: 'gpt-4o', usage: { input: 5000, output: 800 } },
];

describe.skipIf(!available)('a Python app behind the Collector and llm-cost serve', () => {
  const stops: Array<() => Promise<unknown>> = [];
  let upstream: OtlpReceiver;
  let llm: MockLLM;
  let d: Deployment;

  beforeAll(async () => {
    ensureBuilt();
    upstream = await startOtlpReceiver();
    stops.push(() => upstream.close());
    llm = await startMockLLM({ responseModels: DATED_MODELS });
    stops.push(() => llm.close());
    d = await deploy(upstream.url, [], stops);
  }, 180_000);

  afterAll(async () => {
    while (stops.length > 0) await stops.pop()!().catch(() => undefined);
  });

  it('its OpenAI spans come out priced exactly, and the parent span rolls them up', async () => {
    const { stderr } = await new Promise<{ stderr: string }>((resolve, reject) =>
      execFile(
        PYTHON,
        [join(ROOT, 'test', 'gateway', 'python', 'app.py')],
        {
          env: {
            PATH: process.env.PATH ?? '',
            OTEL_EXPORTER_OTLP_ENDPOINT: `http://127.0.0.1:${d.frontHttp}`,
            MOCK_OPENAI_BASE_URL: llm.openaiBaseURL,
            CALLS: JSON.stringify(CALLS),
          },
          timeout: 120_000,
        },
        (err, _stdout, stderr) => (err ? reject(new Error(`${err.message}\n${stderr}`)) : resolve({ stderr })),
      ),
    );
    await upstream.waitFor((r) => r.spans().length >= 3, 60_000);
    const spans = upstream.spans();
    const chats = spans.filter((s) => s.name.startsWith('chat '));
    expect(chats, `${stderr}\n${spans.map((s) => s.name).join(', ')}`).toHaveLength(2);
    let sum = 0;
    for (const call of CALLS) {
      const responseModel = DATED_MODELS[call.model]!;
      const span = chats.find((s) => s.attributes['gen_ai.response.model'] === responseModel);
      expect(span, responseModel).toBeDefined();
      expect(span!.resource['service.name']).toBe('python-chat-app');
      const expected = calcPrice({ input_tokens: call.usage.input, output_tokens: call.usage.output }, responseModel, {
        providerId: 'openai',
      });
      expect(expected).toBeDefined();
      expect(span!.attributes['gen_ai.usage.cost_usd'] as number).toBeCloseTo(expected!.total_price, 12);
      expect(span!.attributes['gen_ai.cost.pricing_key']).toBeTypeOf('string');
      sum += span!.attributes['gen_ai.usage.cost_usd'] as number;
    }
    const parent = spans.find((s) => s.name === 'answer question');
    expect(parent?.attributes['gen_ai.cost.rollup_usd'] as number).toBeCloseTo(sum, 12);
  }, 180_000);
});
