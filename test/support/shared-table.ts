import { existsSync, readFileSync } from 'node:fs';
import { dirname, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';

/**
 * The real LiteLLM snapshot lives outside the repo (`../shared/pricing/` from the project root,
 * see its README): it must never be copied in. Tests that need it skip when it is absent.
 */
const FILE = 'litellm-model_prices_and_context_window.json';

const here = dirname(fileURLToPath(import.meta.url));
const candidates = [resolve(here, '../../../shared/pricing', FILE), resolve(process.cwd(), '../shared/pricing', FILE)];

/** Absolute path of the shared LiteLLM table, or undefined when this checkout has none. */
export const SHARED_TABLE_PATH: string | undefined = candidates.find(p => existsSync(p));

/** True when the shared table is absent: pass to `describe.skipIf`. */
export const NO_SHARED_TABLE = SHARED_TABLE_PATH === undefined;

/** Shown in the test name so a skipped run says why. */
export const SHARED_TABLE_NOTE = NO_SHARED_TABLE
  ? `(skipped: ../shared/pricing/${FILE} not found — the real LiteLLM snapshot is only present next to the repo in CI)`
  : '(real LiteLLM snapshot)';

let cached: Record<string, Record<string, unknown>> | undefined;

/** The raw JSON of the shared table (parsed once per test file). */
export function readSharedTable(): Record<string, Record<string, unknown>> {
  if (!SHARED_TABLE_PATH) throw new Error('shared LiteLLM table not found');
  cached ??= JSON.parse(readFileSync(SHARED_TABLE_PATH, 'utf8')) as Record<string, Record<string, unknown>>;
  return cached;
}
