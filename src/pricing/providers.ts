/**
 * Provider names come in many spellings (docs/instrumentations.md, docs/pricing.md "Resolving a
 * model id"): semconv `gen_ai.provider.name` (`aws.bedrock`, `azure.ai.openai`, `gcp.vertex_ai`),
 * Vercel AI SDK (`openai.chat`, `anthropic.messages`, `google.generative-ai`), OpenInference
 * (`Anthropic`), LiteLLM's own
 * `litellm_provider` ids (`bedrock_converse`, `vertex_ai-anthropic_models`, `cohere_chat`) and
 * genai-prices ids (`aws`, `google`, `x-ai`). They are all mapped to LiteLLM's provider ids,
 * which are also the key prefixes of that table (`azure/`, `bedrock/`, `vertex_ai/`, `gemini/`,
 * `xai/`, `mistral/`, `groq/`, `openrouter/` …).
 */

const SPELLING_LIST: Record<string, string> = {
  // OpenAI
  openai: 'openai',
  'text-completion-openai': 'openai',
  chatgpt: 'openai',
  // Anthropic
  anthropic: 'anthropic',
  claude: 'anthropic',
  // AWS Bedrock
  'aws.bedrock': 'bedrock',
  aws: 'bedrock',
  bedrock: 'bedrock',
  bedrock_converse: 'bedrock',
  'amazon-bedrock': 'bedrock',
  amazon_bedrock: 'bedrock',
  'amazon.bedrock': 'bedrock',
  // Azure OpenAI (LiteLLM `azure/…`) and Azure AI Foundry inference (LiteLLM `azure_ai/…`)
  'azure.ai.openai': 'azure',
  'az.ai.openai': 'azure',
  azure: 'azure',
  azure_openai: 'azure',
  'azure-openai': 'azure',
  'azure.openai': 'azure',
  azure_text: 'azure',
  'azure.ai.inference': 'azure_ai',
  'az.ai.inference': 'azure_ai',
  azure_ai: 'azure_ai',
  // Google: Vertex AI and the Gemini developer API are priced under different prefixes
  'gcp.vertex_ai': 'vertex_ai',
  'gcp.vertex.ai': 'vertex_ai',
  vertex_ai: 'vertex_ai',
  'vertex-ai': 'vertex_ai',
  vertexai: 'vertex_ai',
  vertex: 'vertex_ai',
  'google.vertex': 'vertex_ai',
  'google-vertex': 'vertex_ai',
  'gcp.gemini': 'gemini',
  gemini: 'gemini',
  google: 'gemini',
  'google.generative-ai': 'gemini',
  'google.generative_ai': 'gemini',
  'google-generative-ai': 'gemini',
  google_genai: 'gemini',
  'google.genai': 'gemini',
  'gcp.gen_ai': 'gemini',
  // xAI
  x_ai: 'xai',
  xai: 'xai',
  'x-ai': 'xai',
  // Mistral
  mistral_ai: 'mistral',
  mistralai: 'mistral',
  mistral: 'mistral',
  // Others whose LiteLLM id differs from the common spelling
  cohere: 'cohere',
  cohere_chat: 'cohere',
  together: 'together_ai',
  togetherai: 'together_ai',
  together_ai: 'together_ai',
  fireworks: 'fireworks_ai',
  'fireworks-ai': 'fireworks_ai',
  fireworks_ai: 'fireworks_ai',
  'fireworks_ai-embedding-models': 'fireworks_ai',
  'ibm.watsonx.ai': 'watsonx',
  watsonx: 'watsonx',
  moonshotai: 'moonshot',
  moonshot: 'moonshot',
  'github-copilot': 'github_copilot',
  perplexity: 'perplexity',
  deepseek: 'deepseek',
  groq: 'groq',
  openrouter: 'openrouter',
  voyageai: 'voyage',
  zhipuai: 'zai',
  amazon_nova: 'amazon_nova',
};
// A Map, not the object: provider names are untrusted span input, and a plain object lookup
// would answer `constructor` or `__proto__` with Object's own members.
const SPELLINGS = new Map<string, string>(Object.entries(SPELLING_LIST));

/** Provider ids that several unrelated key prefixes can stand for. */
const EXTRA_PREFIXES: Record<string, readonly string[]> = {
  // Bedrock keys are mostly raw model ids (`anthropic.claude-…-v1:0`) without a prefix.
  bedrock: ['bedrock/', 'bedrock/converse/'],
  amazon_nova: ['amazon-nova/'],
};

const MAX_PROVIDER_LENGTH = 128;

/** Spellings seen → their provider id (`undefined`: none). */
const NORMALIZED = new Map<string, string | undefined>();
const MAX_NORMALIZED = 256;

/**
 * Maps a provider spelling (semconv, instrumentation, LiteLLM or genai-prices id) to the
 * LiteLLM provider id. Unknown spellings are returned lower-cased and trimmed, so they still
 * work as a `provider/` key prefix. Returns `undefined` for empty input.
 */
export function normalizeProvider(p: string | undefined): string | undefined {
  if (typeof p !== 'string') return undefined;
  // Every LLM span asks for the same few spellings: answered from the memo, a provider costs one
  // Map lookup instead of trimming, lower-casing and looking it up (BENCHMARKS.md).
  const memoized = NORMALIZED.get(p);
  if (memoized !== undefined || NORMALIZED.has(p)) return memoized;
  const normalized = normalizeUncached(p);
  // Provider names are untrusted span input: only short ones are kept, and the memo is bounded.
  if (p.length <= MAX_PROVIDER_LENGTH) {
    if (NORMALIZED.size >= MAX_NORMALIZED) NORMALIZED.clear();
    NORMALIZED.set(p, normalized);
  }
  return normalized;
}

function normalizeUncached(p: string): string | undefined {
  let s = p.trim().toLowerCase();
  if (s.length === 0 || s.length > MAX_PROVIDER_LENGTH) return undefined;
  const direct = SPELLINGS.get(s);
  if (direct !== undefined) return direct;
  // LiteLLM sub-providers: `vertex_ai-anthropic_models`, `vertex_ai-language-models` …
  if (s.startsWith('vertex_ai-')) return 'vertex_ai';
  if (s.startsWith('text-completion-')) return normalizeProvider(s.slice(16)) ?? s;
  // Operation suffixes of instrumentations: `openai.chat`, `anthropic.messages`,
  // `google.vertex.chat`, `mistral.embedding` … — drop trailing segments until one is known.
  let dot = s.lastIndexOf('.');
  while (dot > 0) {
    s = s.slice(0, dot);
    const known = SPELLINGS.get(s);
    if (known !== undefined) return known;
    dot = s.lastIndexOf('.');
  }
  return p.trim().toLowerCase();
}

/** Key prefixes under which the given (normalized) provider's models are listed. */
export function providerKeyPrefixes(provider: string): readonly string[] {
  const extra = Object.hasOwn(EXTRA_PREFIXES, provider) ? EXTRA_PREFIXES[provider] : undefined;
  const own = `${provider}/`;
  return extra ? [own, ...extra.filter((x) => x !== own)] : [own];
}

/** True when the string (lower-case) is a spelling `normalizeProvider` knows. */
export function isKnownProvider(p: string): boolean {
  return SPELLINGS.has(p) || p.startsWith('vertex_ai-');
}

/**
 * Bedrock cross-region inference profiles prefix the model id with a geography
 * (`us.anthropic.claude-…`); LiteLLM prices some of them apart (about 10% higher).
 * Returns the id without the geography, or `undefined` when there is none.
 */
export function stripBedrockGeo(model: string): string | undefined {
  const dot = model.indexOf('.');
  if (dot <= 0 || dot > 7) return undefined;
  const geo = model.slice(0, dot);
  if (!BEDROCK_GEOS.has(geo)) return undefined;
  const rest = model.slice(dot + 1);
  // Only a vendor-qualified id follows a geography: `us.anthropic.…`, `eu.meta.…`.
  return rest.indexOf('.') > 0 ? rest : undefined;
}

const BEDROCK_GEOS = new Set(['us', 'eu', 'apac', 'global', 'au', 'jp', 'ca', 'us-gov', 'apne1']);
