import { diag } from '@opentelemetry/api';
import { createRequire } from 'node:module';
import { join } from 'node:path';

/**
 * OpenAI instrumentations that create a span for every chat call of the versions they
 * instrument. Each declares the `openai` versions it patches; outside them it silently does
 * nothing (at the time of writing: contrib 0.21/0.22 `>=4.19.0 <7`, Traceloop 0.27 `>=4 <7`,
 * OpenInference 4.2 `^5 || ^6 || ^7`).
 */
export const OPENAI_INSTRUMENTATION_PACKAGES: readonly string[] = [
  '@opentelemetry/instrumentation-openai',
  '@traceloop/instrumentation-openai',
  '@arizeai/openinference-instrumentation-openai',
];

/**
 * The known OpenAI instrumentation packages loaded in this process. A package that is loaded
 * is, in practice, one the app registered: it is imported only to be handed to the SDK.
 * Scans the CommonJS module cache (an ESM `import` of these CommonJS packages lands there
 * too); runs once per process, on the first call no instrumentation made a span for.
 */
export function loadedOpenAIInstrumentations(): string[] {
  let files: string[];
  try {
    files = Object.keys(createRequire(join(process.cwd(), 'index.js')).cache);
  } catch {
    return [];
  }
  const paths = files.map((file) => file.replaceAll('\\', '/'));
  return OPENAI_INSTRUMENTATION_PACKAGES.filter((name) => paths.some((file) => file.includes(`/node_modules/${name}/`)));
}

let warned = false;

/**
 * Says once, through `diag.warn`, that an instrumentation the app loaded made no span for an
 * OpenAI call: it does not cover the installed `openai` (or `openai` was loaded before the
 * instrumentation was enabled). Without this a user sees no LLM span and no reason.
 */
export function warnUncoveredOnce(openaiVersion: string | undefined, creatingSpans: boolean): void {
  if (warned) return;
  warned = true;
  const loaded = loadedOpenAIInstrumentations();
  if (loaded.length === 0) return;
  const version = openaiVersion ?? 'unknown';
  diag.warn(
    `otel-llm-cost: ${loaded.join(', ')} ${loaded.length === 1 ? 'is' : 'are'} loaded but made no span for a call of openai ${version}: ` +
      `${loaded.length === 1 ? 'it does' : 'they do'} not instrument this version (or openai was loaded before ${loaded.length === 1 ? 'it was' : 'they were'} enabled). ` +
      (creatingSpans
        ? 'OpenAIUsageInstrumentation creates the GenAI client spans for these calls instead.'
        : 'No span is recorded for these calls (OpenAIUsageInstrumentation has createSpans: false).'),
  );
}

/** For tests: forget that the warning was given. */
export function resetUncoveredWarning(): void {
  warned = false;
}
