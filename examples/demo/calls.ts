/**
 * The demo's workload, as data: one "support agent" request that makes these LLM calls, in
 * order, through real SDKs and instrumentations against the bundled mock servers.
 *
 * `usage` is what the mock is told to report for the call (semconv meaning: `input` includes
 * cache reads and writes, `output` includes reasoning). test/demo.test.ts reads this list to
 * compute the expected cost of each call from the price data, so keep it pure data.
 */
import type { MockDirective } from '../mock-llm/index.js';

/** How a call reaches the mock, i.e. which SDK and instrumentation make its span. */
export type DemoClient =
  /** `openai` + `@opentelemetry/instrumentation-openai`, Chat Completions */
  | 'openai'
  /** `@anthropic-ai/sdk` + `@traceloop/instrumentation-anthropic`, Messages */
  | 'anthropic'
  /** Vercel AI SDK `ai` + `@ai-sdk/openai` (Responses API) */
  | 'ai-sdk/openai'
  /** Vercel AI SDK `ai` + `@ai-sdk/anthropic` */
  | 'ai-sdk/anthropic';

export interface DemoCall {
  /** Step of the agent, shown in the summary. */
  step: string;
  client: DemoClient;
  /** Requested model (the mock answers with the dated snapshot, as the real APIs do). */
  model: string;
  stream: boolean;
  usage: MockDirective;
}

/** Name of the parent span that wraps every call, so the cost rolls up to one request. */
export const AGENT_SPAN_NAME = 'support-agent.handle-ticket';

export const DEMO_CALLS: readonly DemoCall[] = [
  // A cheap classifier first.
  { step: 'triage', client: 'openai', model: 'gpt-4o-mini', stream: false, usage: { input: 1800, output: 120 } },
  // A reasoning model plans; half of its long system prompt is a cache hit.
  {
    step: 'plan',
    client: 'ai-sdk/openai',
    model: 'o4-mini',
    stream: false,
    usage: { input: 2400, cached: 1536, output: 900, reasoning: 640 },
  },
  // Retrieval context goes into the Anthropic prompt cache (a cache write)...
  {
    step: 'research',
    client: 'ai-sdk/anthropic',
    model: 'claude-sonnet-4-5',
    stream: false,
    usage: { input: 12000, cacheWrite: 10000, output: 350 },
  },
  // ...and the streamed answer reads it back (a cache read) and thinks a little.
  {
    step: 'answer',
    client: 'ai-sdk/anthropic',
    model: 'claude-sonnet-4-5',
    stream: true,
    usage: { input: 12400, cached: 10000, output: 600, reasoning: 200 },
  },
  // A small model summarizes for the ticket history, also from the cache.
  {
    step: 'summarize',
    client: 'anthropic',
    model: 'claude-haiku-4-5',
    stream: true,
    usage: { input: 3000, cached: 2048, output: 250 },
  },
  // The final wording, streamed.
  { step: 'polish', client: 'openai', model: 'gpt-4o', stream: true, usage: { input: 900, output: 300 } },
  // A self-hosted moderation model no price table knows: reported as unpriced, never as $0.
  { step: 'moderate', client: 'openai', model: 'acme-guard-1', stream: false, usage: { input: 500, output: 5 } },
];
