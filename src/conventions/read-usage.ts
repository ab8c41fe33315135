import type { Attributes } from '@opentelemetry/api';
import type { NormalizedUsage } from '../pricing/types.js';
import {
  decideInputAccounting,
  type InputAccountingDecision,
  type InputAccountingOverrides,
} from './input-accounting.js';
import { isTokenCount, type ReadProblems } from './read-attribute.js';
import { readServiceTier, SERVICE_TIER_KEYS } from './service-tier.js';
import { readVercelProviderMetadata, VERCEL_PROVIDER_METADATA_KEY } from './vercel-provider-metadata.js';

// Every list is in priority order: semconv current, semconv deprecated / Traceloop legacy,
// OpenInference, Vercel AI SDK (`ai.*`). See docs/processor.md "Attributes read" and
// docs/instrumentations.md (what each instrumentation really writes).

const MODEL_KEYS = [
  'gen_ai.response.model',
  'ai.response.model',
  'llm.response.model_name',
  'gen_ai.request.model',
  'llm.model_name',
  'llm.request.model_name',
  'ai.model.id',
] as const;

// `llm.provider` (the host, e.g. azure) before `llm.system` (the model vendor): the host bills.
const PROVIDER_KEYS = [
  'gen_ai.provider.name',
  'gen_ai.system',
  'llm.provider',
  'llm.system',
  'ai.model.provider',
] as const;

const INPUT_KEYS = [
  'gen_ai.usage.input_tokens',
  'gen_ai.usage.prompt_tokens',
  'llm.token_count.prompt',
  'ai.usage.inputTokens',
  'ai.usage.promptTokens',
  'ai.usage.tokens', // Vercel embeddings
  'llm.usage.prompt_tokens',
] as const;

const OUTPUT_KEYS = [
  'gen_ai.usage.output_tokens',
  'gen_ai.usage.completion_tokens',
  'llm.token_count.completion',
  'ai.usage.outputTokens',
  'ai.usage.completionTokens',
  'llm.usage.completion_tokens',
] as const;

const TOTAL_KEYS = [
  'gen_ai.usage.total_tokens',
  'llm.usage.total_tokens',
  'llm.token_count.total',
  'ai.usage.totalTokens',
] as const;

const CACHE_READ_KEYS = [
  'gen_ai.usage.cache_read.input_tokens',
  'gen_ai.usage.cache_read_input_tokens',
  'llm.token_count.prompt_details.cache_read',
  'ai.usage.inputTokenDetails.cacheReadTokens',
  'ai.usage.cachedInputTokens',
] as const;

const CACHE_WRITE_KEYS = [
  'gen_ai.usage.cache_write.input_tokens',
  'gen_ai.usage.cache_creation.input_tokens',
  'gen_ai.usage.cache_creation_input_tokens',
  'llm.token_count.prompt_details.cache_write',
  'ai.usage.inputTokenDetails.cacheWriteTokens',
] as const;

const UNCACHED_INPUT_KEYS = ['ai.usage.inputTokenDetails.noCacheTokens'] as const;

const REASONING_KEYS = [
  'gen_ai.usage.reasoning.output_tokens',
  'gen_ai.usage.reasoning_tokens',
  'llm.token_count.completion_details.reasoning',
  'ai.usage.outputTokenDetails.reasoningTokens',
  'ai.usage.reasoningTokens',
] as const;

const INPUT_AUDIO_KEYS = ['llm.token_count.prompt_details.audio'] as const;
const OUTPUT_AUDIO_KEYS = ['llm.token_count.completion_details.audio'] as const;

// Which key lists have a key on the span, as bits, and the values of those keys, from one walk
// over the span's own keys. Why: a list is read in priority order, and reading a key by a
// variable name (`attributes[keys[i]]`) is a slow lookup on a span's attribute object (~30 ns,
// a miss too: BENCHMARKS.md), while the walk reads each value it meets through the object's
// own key order (a few ns). A semconv chat span lacks almost every key above (totals, cache,
// reasoning, audio, service tier: ~30 of them), and has ~15 keys of its own.
const LIST_INPUT = 1 << 0;
const LIST_OUTPUT = 1 << 1;
const LIST_TOTAL = 1 << 2;
const LIST_CACHE_READ = 1 << 3;
const LIST_CACHE_WRITE = 1 << 4;
const LIST_UNCACHED_INPUT = 1 << 5;
const LIST_REASONING = 1 << 6;
const LIST_INPUT_AUDIO = 1 << 7;
const LIST_OUTPUT_AUDIO = 1 << 8;
const LIST_PROVIDER = 1 << 9;
const LIST_MODEL = 1 << 10;
const LIST_SERVICE_TIER = 1 << 11;
const LIST_PROVIDER_METADATA = 1 << 12;
/** Bits of the list flags in a packed `LIST_OF_KEY` value; the key's slot is above them. */
const LIST_BITS = 13;
const LIST_MASK = (1 << LIST_BITS) - 1;

/**
 * Every key read below → the bits of its lists, plus (slot + 1) × 2^LIST_BITS for a key whose
 * value the walk keeps (0 above the bits: it is read by its own reader, e.g. the service tier).
 */
const LIST_OF_KEY = new Map<string, number>();
let slotCount = 0;
/** Adds a list; returns the slots of its keys, in its order. */
function addList(keys: readonly string[], bit: number): number[] {
  const slots: number[] = [];
  for (const key of keys) {
    let packed = LIST_OF_KEY.get(key) ?? 0;
    if (packed >>> LIST_BITS === 0) packed |= ++slotCount << LIST_BITS;
    LIST_OF_KEY.set(key, packed | bit);
    slots.push((packed >>> LIST_BITS) - 1);
  }
  return slots;
}
/** Adds a list its own reader reads: the walk notes that a key is there, not its value. */
function addFlagList(keys: readonly string[], bit: number): void {
  for (const key of keys) LIST_OF_KEY.set(key, (LIST_OF_KEY.get(key) ?? 0) | bit);
}
const INPUT_SLOTS = addList(INPUT_KEYS, LIST_INPUT);
const OUTPUT_SLOTS = addList(OUTPUT_KEYS, LIST_OUTPUT);
const TOTAL_SLOTS = addList(TOTAL_KEYS, LIST_TOTAL);
const CACHE_READ_SLOTS = addList(CACHE_READ_KEYS, LIST_CACHE_READ);
const CACHE_WRITE_SLOTS = addList(CACHE_WRITE_KEYS, LIST_CACHE_WRITE);
const UNCACHED_INPUT_SLOTS = addList(UNCACHED_INPUT_KEYS, LIST_UNCACHED_INPUT);
const REASONING_SLOTS = addList(REASONING_KEYS, LIST_REASONING);
const INPUT_AUDIO_SLOTS = addList(INPUT_AUDIO_KEYS, LIST_INPUT_AUDIO);
const OUTPUT_AUDIO_SLOTS = addList(OUTPUT_AUDIO_KEYS, LIST_OUTPUT_AUDIO);
const PROVIDER_SLOTS = addList(PROVIDER_KEYS, LIST_PROVIDER);
const MODEL_SLOTS = addList(MODEL_KEYS, LIST_MODEL);
addFlagList(SERVICE_TIER_KEYS, LIST_SERVICE_TIER);
addFlagList([VERCEL_PROVIDER_METADATA_KEY], LIST_PROVIDER_METADATA);

/**
 * The values the last walk found, by slot: valid only where `slotWalk` holds that walk's number.
 * Module scratch, reused by every read (no allocation per span): `readUsage` is synchronous and
 * reads them all before it calls any code of the caller's (`normalizeProvider`), so a nested
 * read cannot overwrite them under it. It keeps at most one value per slot alive.
 */
const slotValues: unknown[] = new Array<unknown>(slotCount).fill(undefined);
const slotWalk = new Float64Array(slotCount);
let walk = 0;

/**
 * The lists with at least one key on the span, and the values of their keys in `slotValues`.
 * Keys holding `undefined` count as present (the readers skip them). Every key the readers
 * look for is an own key of an SDK span's attribute object, which is all `for…in` needs.
 */
function presentLists(attributes: Attributes): number {
  const current = ++walk;
  let lists = 0;
  for (const key in attributes) {
    const packed = LIST_OF_KEY.get(key);
    if (packed === undefined) continue;
    lists |= packed & LIST_MASK;
    const slot = (packed >>> LIST_BITS) - 1;
    if (slot < 0) continue;
    slotWalk[slot] = current;
    slotValues[slot] = attributes[key];
  }
  return lists;
}

/** The value the last walk found in `slot`, `undefined` when the span lacks its key. */
function valueAt(slot: number): unknown {
  return slotWalk[slot] === walk ? slotValues[slot] : undefined;
}

/**
 * The token count of the first key of a list the span has (`keys[i]` is the key of `slots[i]`),
 * from the values of the last walk. A present value that is not a token count
 * ({@link isTokenCount}) is recorded in `problems` and read as absent; a later key never rescues
 * an invalid earlier one: the instrumentation said something wrong.
 */
function countAt(slots: readonly number[], keys: readonly string[], problems: ReadProblems): number | undefined {
  for (let i = 0; i < slots.length; i++) {
    const value = valueAt(slots[i] as number);
    if (value === undefined || value === null) continue;
    if (isTokenCount(value)) return value;
    problems.invalidKey ??= keys[i];
    return undefined;
  }
  return undefined;
}

/** The first key of a list holding a non-empty string (other types are ignored), from the last walk. */
function stringAt(slots: readonly number[]): string | undefined {
  for (let i = 0; i < slots.length; i++) {
    const value = valueAt(slots[i] as number);
    if (typeof value === 'string' && value.length > 0) return value;
  }
  return undefined;
}

/** Where the span came from and what the user said about it. */
export interface ReadUsageOptions {
  /** Instrumentation scope name of the span. */
  scopeName?: string;
  /** Instrumentation scope version of the span. */
  scopeVersion?: string;
  /** Per-scope / per-provider input accounting overrides. Default: none. */
  inputAccounting?: InputAccountingOverrides;
  /** Maps a provider spelling to its id (e.g. `openai.chat` → `openai`). Default: identity. */
  normalizeProvider?: (provider: string) => string | undefined;
}

/** What the reader learned from one span. */
export interface UsageReading {
  /** Usage with semconv meaning (input includes cache, output includes reasoning). */
  usage: NormalizedUsage;
  /** Any token count (valid or not) was present. */
  hasUsage: boolean;
  /** Key of the first present token attribute whose value was unusable. */
  invalidKey?: string;
  /** How input was read; set only when the span reported cache tokens. */
  accounting?: InputAccountingDecision;
}

/**
 * Reads a span's attributes into {@link NormalizedUsage}. Pure and total: never throws, never
 * reads prompt or completion content, treats every attribute as untrusted.
 */
export function readUsage(attributes: Attributes, options: ReadUsageOptions = {}): UsageReading {
  const problems: ReadProblems = {};
  const lists = presentLists(attributes);
  // Same order as ever: `problems.invalidKey` is the first invalid key in this order.
  let input = lists & LIST_INPUT ? countAt(INPUT_SLOTS, INPUT_KEYS, problems) : undefined;
  let output = lists & LIST_OUTPUT ? countAt(OUTPUT_SLOTS, OUTPUT_KEYS, problems) : undefined;
  const total = lists & LIST_TOTAL ? countAt(TOTAL_SLOTS, TOTAL_KEYS, problems) : undefined;
  const cacheRead = lists & LIST_CACHE_READ ? countAt(CACHE_READ_SLOTS, CACHE_READ_KEYS, problems) : undefined;
  const cacheWrite = lists & LIST_CACHE_WRITE ? countAt(CACHE_WRITE_SLOTS, CACHE_WRITE_KEYS, problems) : undefined;
  const uncached =
    lists & LIST_UNCACHED_INPUT ? countAt(UNCACHED_INPUT_SLOTS, UNCACHED_INPUT_KEYS, problems) : undefined;
  const reasoning = lists & LIST_REASONING ? countAt(REASONING_SLOTS, REASONING_KEYS, problems) : undefined;
  const inputAudio = lists & LIST_INPUT_AUDIO ? countAt(INPUT_AUDIO_SLOTS, INPUT_AUDIO_KEYS, problems) : undefined;
  const outputAudio = lists & LIST_OUTPUT_AUDIO ? countAt(OUTPUT_AUDIO_SLOTS, OUTPUT_AUDIO_KEYS, problems) : undefined;

  // Legacy spans sometimes carry only a total and one side: the other side is the difference.
  if (total !== undefined) {
    if (input === undefined && output !== undefined && total >= output) input = total - output;
    else if (output === undefined && input !== undefined && total >= input) output = total - input;
  }

  const rawProvider = lists & LIST_PROVIDER ? stringAt(PROVIDER_SLOTS) : undefined;
  // The last read of the walk's values: the caller's `normalizeProvider` runs after it.
  const model = lists & LIST_MODEL ? stringAt(MODEL_SLOTS) : undefined;
  const provider = rawProvider === undefined ? undefined : (options.normalizeProvider?.(rawProvider) ?? rawProvider);

  const usage: NormalizedUsage = {};
  if (model !== undefined) usage.model = model;
  if (provider !== undefined) usage.provider = provider;

  let accounting: InputAccountingDecision | undefined;
  if (input !== undefined) {
    const read = cacheRead ?? 0;
    const write = cacheWrite ?? 0;
    if (read + write > 0) {
      accounting = decideInputAccounting(
        { input, cacheRead: read, cacheWrite: write, ...(uncached !== undefined ? { uncached } : {}) },
        { scopeName: options.scopeName, scopeVersion: options.scopeVersion, provider },
        options.inputAccounting,
      );
      if (accounting.accounting === 'additive') input += read + write;
    }
    usage.inputTokens = input;
  }
  if (cacheRead !== undefined) usage.cacheReadTokens = cacheRead;
  if (cacheWrite !== undefined) usage.cacheWriteTokens = cacheWrite;

  if (output !== undefined) {
    // Every known source counts reasoning inside output; a reasoning count larger than the
    // output can only mean this one did not, so the two are added.
    usage.outputTokens = reasoning !== undefined && reasoning > output ? output + reasoning : output;
  }
  if (reasoning !== undefined) usage.reasoningTokens = reasoning;
  if (inputAudio !== undefined) usage.inputAudioTokens = inputAudio;
  if (outputAudio !== undefined) usage.outputAudioTokens = outputAudio;

  const serviceTier = lists & LIST_SERVICE_TIER ? readServiceTier(attributes) : undefined;
  if (serviceTier !== undefined) usage.serviceTier = serviceTier;

  // Vercel AI SDK: the 1-hour cache-write split and the tier exist only in a JSON attribute,
  // parsed only on doGenerate/doStream spans and only when it can change the price.
  const metadata =
    lists & LIST_PROVIDER_METADATA ? readVercelProviderMetadata(attributes, cacheWrite, serviceTier) : undefined;
  if (metadata !== undefined) {
    if (metadata.cacheWrite1hTokens !== undefined) usage.cacheWrite1hTokens = metadata.cacheWrite1hTokens;
    if (metadata.serviceTier !== undefined) usage.serviceTier = metadata.serviceTier;
  }

  const reading: UsageReading = {
    usage,
    hasUsage:
      input !== undefined ||
      output !== undefined ||
      total !== undefined ||
      cacheRead !== undefined ||
      cacheWrite !== undefined ||
      problems.invalidKey !== undefined,
  };
  if (problems.invalidKey !== undefined) reading.invalidKey = problems.invalidKey;
  if (accounting !== undefined) reading.accounting = accounting;
  return reading;
}
