/**
 * Why a quick trial of AI SDK 7 exported no span, and that the README's order fixes it.
 *
 * `@ai-sdk/otel` pins `@opentelemetry/api` to exactly 1.9.1. An app on any other version (the 1.10
 * of OpenTelemetry JS 3.x) gets a second API copy nested under `@ai-sdk/otel`. That layout is
 * rebuilt here from the real installed packages: `@ai-sdk/otel` and a copy of the API are copied
 * side by side under `node_modules/.cache/`, so the copied integration resolves its own API copy
 * while the test's tracer provider is registered through the repository's copy. Then, with the
 * real `ai` 7 against the mock LLM:
 * - `new OpenTelemetry()` built BEFORE the provider is registered records nothing, ever;
 * - built AFTER, its spans reach the provider and are priced.
 */
import { cpSync, mkdirSync, rmSync } from 'node:fs';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { context, trace } from '@opentelemetry/api';
import { AsyncLocalStorageContextManager } from '@opentelemetry/context-async-hooks';
import { InMemorySpanExporter, SimpleSpanProcessor } from '@opentelemetry/sdk-trace-base';
import { NodeTracerProvider } from '@opentelemetry/sdk-trace-node';
import { calcPrice } from '@pydantic/genai-prices';
import { generateText } from 'ai7';
import { OpenTelemetry as SingleCopyOpenTelemetry } from '@ai-sdk/otel';
import { createOpenAI } from 'ai-sdk-openai-4';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startMockLLM, usageDirective, type MockLLM } from '../../examples/mock-llm/index.js';
import { ATTR_COST_USD } from '../../src/attributes.js';
import { CostSpanProcessor } from '../../src/processor/cost-span-processor.js';

const ROOT = join(import.meta.dirname, '..', '..');
const LAYOUT = join(ROOT, 'node_modules', '.cache', `otel-llm-cost-api-copies-${process.pid}`, 'node_modules');
const USAGE = { input: 1200, cached: 1000, output: 100 };

type OtelModule = typeof import('@ai-sdk/otel');

describe('AI SDK 7 with a second @opentelemetry/api copy under @ai-sdk/otel', () => {
  let llm: MockLLM;
  let otel: OtelModule;
  let provider: NodeTracerProvider;
  let exporter: InMemorySpanExporter;

  beforeAll(async () => {
    // @ai-sdk/otel with its own nested dependencies, and an API copy beside it that only it sees.
    mkdirSync(join(LAYOUT, '@ai-sdk'), { recursive: true });
    cpSync(join(ROOT, 'node_modules', '@ai-sdk', 'otel'), join(LAYOUT, '@ai-sdk', 'otel'), { recursive: true });
    cpSync(join(ROOT, 'node_modules', '@opentelemetry', 'api'), join(LAYOUT, '@opentelemetry', 'api'), {
      recursive: true,
    });
    otel = (await import(pathToFileURL(join(LAYOUT, '@ai-sdk', 'otel', 'dist', 'index.js')).href)) as OtelModule;
    llm = await startMockLLM();
    context.setGlobalContextManager(new AsyncLocalStorageContextManager().enable());
    exporter = new InMemorySpanExporter();
    provider = new NodeTracerProvider({ spanProcessors: [new CostSpanProcessor(), new SimpleSpanProcessor(exporter)] });
  });

  afterAll(async () => {
    await provider?.shutdown();
    trace.disable();
    await llm?.close();
    rmSync(join(LAYOUT, '..'), { recursive: true, force: true });
  });

  async function chat(integration: InstanceType<OtelModule['OpenTelemetry']> | SingleCopyOpenTelemetry): Promise<void> {
    await generateText({
      model: createOpenAI({ baseURL: llm.openaiBaseURL, apiKey: 'mock' }).chat('gpt-4.1-mini'),
      prompt: `Answer. ${usageDirective(USAGE)}`,
      telemetry: { integrations: integration },
    });
    await provider.forceFlush();
  }

  it('an integration built before the provider is registered records nothing, even after registration', async () => {
    const early = new otel.OpenTelemetry();
    // The control: the same integration sharing the app's API copy, also built early.
    const earlySingleCopy = new SingleCopyOpenTelemetry();
    provider.register(); // what sdk.start() does, through the app's API copy
    await chat(early);
    expect(exporter.getFinishedSpans()).toEqual([]);
    // With one API copy the order does not matter: the cause is the second copy.
    await chat(earlySingleCopy);
    expect(exporter.getFinishedSpans().map((s) => s.name)).toContain('chat gpt-4.1-mini');
  });

  it('one built after registration is traced and priced (the README order)', async () => {
    exporter.reset();
    await chat(new otel.OpenTelemetry());
    const priced = exporter.getFinishedSpans().filter((s) => typeof s.attributes[ATTR_COST_USD] === 'number');
    expect(priced.map((s) => s.name)).toEqual(['chat gpt-4.1-mini']);
    const expected = calcPrice(
      { input_tokens: USAGE.input, cache_read_tokens: USAGE.cached, output_tokens: USAGE.output },
      'gpt-4.1-mini',
      { providerId: 'openai' },
    )!.total_price;
    expect(priced[0]!.attributes[ATTR_COST_USD]).toBeCloseTo(expected, 12);
  });
});
