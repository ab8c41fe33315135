// A realistic mix of 50 normalized LLM calls: the models an app fleet reports, with the
// spellings instrumentations use (dated snapshots, `-latest`, Bedrock/Vertex ids, provider
// names such as `openai.chat`) and ids no table knows (fine-tunes, self-hosted models).

/** [model, provider] as reported on spans. */
export const MODELS = [
  // OpenAI: aliases and dated snapshots
  ['gpt-4o', 'openai'],
  ['gpt-4o-2024-08-06', 'openai'],
  ['gpt-4o-2024-11-20', 'openai'],
  ['gpt-4o-mini', 'openai'],
  ['gpt-4o-mini-2024-07-18', 'openai.chat'],
  ['gpt-4.1', 'openai'],
  ['gpt-4.1-2025-04-14', 'openai'],
  ['gpt-4.1-mini', 'openai'],
  ['gpt-4.1-nano', 'openai'],
  ['gpt-5', 'openai'],
  ['gpt-5-2025-08-07', 'openai'],
  ['gpt-5-mini', 'openai'],
  ['gpt-5-nano', 'openai.responses'],
  ['o3', 'openai'],
  ['o3-mini', 'openai'],
  ['o4-mini', 'openai'],
  ['o1', 'openai'],
  ['gpt-3.5-turbo-0125', 'openai'],
  ['text-embedding-3-small', 'openai'],
  ['text-embedding-3-large', 'openai'],
  // Anthropic
  ['claude-sonnet-4-5-20250929', 'anthropic'],
  ['claude-sonnet-4-5', 'anthropic'],
  ['claude-sonnet-4-20250514', 'anthropic.messages'],
  ['claude-opus-4-1-20250805', 'anthropic'],
  ['claude-3-7-sonnet-20250219', 'anthropic'],
  ['claude-3-5-haiku-20241022', 'anthropic'],
  ['claude-3-5-haiku-latest', 'anthropic'],
  ['claude-haiku-4-5', 'anthropic'],
  // Google
  ['gemini-2.5-pro', 'gcp.gemini'],
  ['gemini-2.5-flash', 'gcp.gemini'],
  ['gemini-2.0-flash-001', 'gcp.vertex_ai'],
  ['gemini-2.0-flash', 'google'],
  ['gemini-1.5-pro-002', 'gcp.vertex_ai'],
  ['gemini-2.5-flash-lite', 'google'],
  // Others
  ['mistral-large-latest', 'mistral'],
  ['mistral-small-latest', 'mistral'],
  ['codestral-latest', 'mistral'],
  ['deepseek-chat', 'deepseek'],
  ['deepseek-reasoner', 'deepseek'],
  ['grok-3', 'x-ai'],
  ['grok-4', 'x-ai'],
  ['command-r-plus', 'cohere'],
  ['llama-3.3-70b-versatile', 'groq'],
  ['sonar-pro', 'perplexity'],
  // Unknown to every table: fine-tunes, internal deployments, local models
  ['ft:gpt-4o-mini-2024-07-18:acme::B1x2y3z4', 'openai'],
  ['acme-support-bot-v7', 'openai'],
  ['my-finetune-2025-03-01', 'azure.ai.openai'],
  ['llama-3.1-8b-instruct-q4', 'vllm'],
  ['internal-router', undefined],
  ['qwen2.5-coder:32b', 'ollama'],
];

if (MODELS.length !== 50) throw new Error(`expected 50 models, got ${MODELS.length}`);

/** Usage shapes: plain chat, cached prompt, reasoning, embedding-sized. */
const USAGES = [
  { input: 1200, output: 350 },
  { input: 18000, output: 900, cacheRead: 12000 },
  { input: 3500, output: 4200, reasoning: 3000 },
  { input: 800, output: 0 },
  { input: 42000, output: 1500, cacheRead: 30000, cacheWrite: 6000 },
];

/** 50 calls in our `NormalizedUsage` shape (semconv meaning: input includes cache). */
export const CALLS = MODELS.map(([model, provider], i) => {
  const u = USAGES[i % USAGES.length];
  const call = { model, provider, inputTokens: u.input, outputTokens: u.output };
  if (u.cacheRead !== undefined) call.cacheReadTokens = u.cacheRead;
  if (u.cacheWrite !== undefined) call.cacheWriteTokens = u.cacheWrite;
  if (u.reasoning !== undefined) call.reasoningTokens = u.reasoning;
  return call;
});

/** genai-prices provider id for a reported provider name (its own ids, see its data). */
const GENAI_PROVIDER = {
  openai: 'openai',
  'openai.chat': 'openai',
  'openai.responses': 'openai',
  anthropic: 'anthropic',
  'anthropic.messages': 'anthropic',
  'gcp.gemini': 'google',
  'gcp.vertex_ai': 'google',
  google: 'google',
  mistral: 'mistral',
  deepseek: 'deepseek',
  'x-ai': 'x-ai',
  cohere: 'cohere',
  groq: 'groq',
  perplexity: 'perplexity',
  'azure.ai.openai': 'azure',
};

/** The same calls as `calcPrice(usage, modelId, options)` arguments. */
export const GENAI_PRICES_CALLS = CALLS.map((c) => {
  const usage = { input_tokens: c.inputTokens, output_tokens: c.outputTokens };
  if (c.cacheReadTokens !== undefined) usage.cache_read_tokens = c.cacheReadTokens;
  if (c.cacheWriteTokens !== undefined) usage.cache_write_tokens = c.cacheWriteTokens;
  const providerId = c.provider === undefined ? undefined : GENAI_PROVIDER[c.provider];
  return { usage, model: c.model, options: providerId ? { providerId } : undefined };
});
