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
 * The known OpenAI instrumentation packages this app has, each with how we know: `loaded` when
 * one of its files is in the CommonJS module cache, else `installed` when it resolves from the
 * working directory (an ESM `import` of a dual package, such as the contrib instrumentation 0.22,
 * loads its ESM build, which no public cache lists). An app that has one, in practice, registers
 * it. Runs once per process, on the first call no instrumentation made a span for.
 */
export function knownOpenAIInstrumentations(): string[] {
  let req: NodeJS.Require;
  try {
    req = createRequire(join(process.cwd(), 'index.js'));
  } catch {
    return [];
  }
  const paths = Object.keys(req.cache).map((file) => file.replaceAll('\\', '/'));
  const found: string[] = [];
  for (const name of OPENAI_INSTRUMENTATION_PACKAGES) {
    if (paths.some((file) => file.includes(`/node_modules/${name}/`))) {
      found.push(`${name} is loaded`);
      continue;
    }
    try {
      req.resolve(name);
      found.push(`${name} is installed`);
    } catch {
      // not there
    }
  }
  return found;
}

let warned = false;

/**
 * Says once, through `diag.warn`, that the app has an OpenAI instrumentation but none made a
 * span for an OpenAI call: it does not cover the installed `openai`, is not registered, or was
 * enabled after `openai` was loaded. Without this a user sees no LLM span and no reason.
 */
export function warnUncoveredOnce(openaiVersion: string | undefined, creatingSpans: boolean): void {
  if (warned) return;
  warned = true;
  const found = knownOpenAIInstrumentations();
  if (found.length === 0) return;
  const version = openaiVersion ?? 'unknown';
  diag.warn(
    `otel-llm-cost: ${found.join(', ')}, but no instrumentation made a span for a call of openai ${version}: ` +
      'it does not instrument this version, is not registered, or was enabled after openai was loaded. ' +
      (creatingSpans
        ? 'OpenAIUsageInstrumentation creates the GenAI client spans for these calls instead.'
        : 'No span is recorded for these calls (OpenAIUsageInstrumentation has createSpans: false).'),
  );
}

/** For tests: forget that the warning was given. */
export function resetUncoveredWarning(): void {
  warned = false;
}
