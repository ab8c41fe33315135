/**
 * The demo app: a "support agent" that handles one ticket with the calls of calls.ts, all under
 * one parent span so `gen_ai.cost.rollup_usd` shows what the whole request cost.
 *
 * Load this module only after the SDK has started (see telemetry.ts): `openai` and
 * `@anthropic-ai/sdk` are `require`d here, because the OpenAI and Anthropic instrumentations
 * patch CommonJS `require` (an ESM `import` of them is not patched without a loader hook).
 * The Vercel AI SDK needs no patching: it makes its own spans when telemetry is enabled.
 */
import { createRequire } from 'node:module';
import { SpanStatusCode, trace } from '@opentelemetry/api';
import { generateText, streamText, type LanguageModel } from 'ai';
import { createAnthropic } from '@ai-sdk/anthropic';
import { createOpenAI } from '@ai-sdk/openai';
import { usageDirective, type MockLLM } from '../mock-llm/index.js';
import { AGENT_SPAN_NAME, type DemoCall } from './calls.js';
import { ATTR_STEP } from './summary.js';

const require = createRequire(import.meta.url);
const { OpenAI } = require('openai') as typeof import('openai');
const { Anthropic } = require('@anthropic-ai/sdk') as typeof import('@anthropic-ai/sdk');

export interface AgentRun {
  /** Trace id of the request, to look it up in Jaeger. */
  traceId: string;
  /** Reply text per step (proves each SDK parsed the mock's answer). */
  replies: string[];
}

/** Handles one ticket: runs `calls` in order inside the agent span. */
export async function handleTicket(llm: MockLLM, calls: readonly DemoCall[]): Promise<AgentRun> {
  const openai = new OpenAI({ baseURL: llm.openaiBaseURL, apiKey: 'mock', maxRetries: 0 });
  const anthropic = new Anthropic({ baseURL: llm.anthropicBaseURL, apiKey: 'mock', maxRetries: 0 });
  const aiOpenAI = createOpenAI({ baseURL: llm.openaiBaseURL, apiKey: 'mock' });
  const aiAnthropic = createAnthropic({ baseURL: llm.anthropicV1BaseURL, apiKey: 'mock' });

  async function call(c: DemoCall): Promise<string> {
    // The mock reports the usage named in the prompt (see examples/mock-llm/usage.ts).
    const prompt = `Step ${c.step} of ticket #4711. ${usageDirective(c.usage)}`;
    const messages = [{ role: 'user' as const, content: prompt }];
    switch (c.client) {
      case 'openai': {
        if (!c.stream) {
          const res = await openai.chat.completions.create({ model: c.model, messages });
          return res.choices[0]?.message.content ?? '';
        }
        // Without include_usage a streamed reply carries no usage, and cannot be priced.
        const chunks = await openai.chat.completions.create({
          model: c.model,
          messages,
          stream: true,
          stream_options: { include_usage: true },
        });
        let text = '';
        for await (const chunk of chunks) text += chunk.choices[0]?.delta.content ?? '';
        return text;
      }
      case 'anthropic': {
        const params = { model: c.model, max_tokens: 1024, messages };
        if (!c.stream) {
          const msg = await anthropic.messages.create(params);
          return msg.content.map((b) => (b.type === 'text' ? b.text : '')).join('');
        }
        let text = '';
        for await (const e of await anthropic.messages.create({ ...params, stream: true })) {
          if (e.type === 'content_block_delta' && e.delta.type === 'text_delta') text += e.delta.text;
        }
        return text;
      }
      case 'ai-sdk/openai':
      case 'ai-sdk/anthropic': {
        const model: LanguageModel = c.client === 'ai-sdk/openai' ? aiOpenAI(c.model) : aiAnthropic(c.model);
        const options = { model, prompt, maxRetries: 0, experimental_telemetry: { isEnabled: true } };
        if (!c.stream) return (await generateText(options)).text;
        const result = streamText(options);
        let text = '';
        for await (const part of result.textStream) text += part;
        return text;
      }
    }
  }

  const tracer = trace.getTracer('otel-llm-cost-demo');
  return tracer.startActiveSpan(AGENT_SPAN_NAME, async (span) => {
    try {
      span.setAttribute('ticket.id', '4711');
      const replies: string[] = [];
      for (const c of calls) {
        // One span per step, so the trace reads like the agent's plan and each step has a roll-up.
        const reply = await tracer.startActiveSpan(
          `step ${c.step}`,
          { attributes: { [ATTR_STEP]: c.step } },
          async (step) => {
            try {
              return await call(c);
            } finally {
              step.end();
            }
          },
        );
        replies.push(reply);
      }
      return { traceId: span.spanContext().traceId, replies };
    } catch (err) {
      span.recordException(err as Error);
      span.setStatus({ code: SpanStatusCode.ERROR });
      throw err;
    } finally {
      span.end();
    }
  });
}
