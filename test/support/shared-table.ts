import { existsSync, readFileSync, statSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';

/**
 * The real LiteLLM snapshot lives outside the repo (`../shared/pricing/` from the project root):
 * it must never be copied in. Where it is looked for, in order:
 *
 * 1. `OTEL_LLM_COST_SHARED_TABLE` (test-only; the library never reads it): the JSON file, or the
 *    directory holding it. Set but wrong is an error, never a skip.
 * 2. `<root>/../shared/pricing/` for every directory `<root>` holding a `package.json`, walking up
 *    from this file and from the working directory. A copy of the test tree nested somewhere
 *    below the project (Stryker's `.stryker-tmp/sandbox-*`, a vitest workspace) still finds the
 *    project's own table instead of quietly losing the tests that need it.
 *
 * When it is nowhere: outside CI those tests skip, with the reason in their names; under
 * `CI=true` they run and fail with the paths that were tried (as test/prometheus.test.ts does for
 * a missing Prometheus), so a CI run never passes without them.
 */
const FILE = 'litellm-model_prices_and_context_window.json';
export const SHARED_TABLE_ENV = 'OTEL_LLM_COST_SHARED_TABLE';

const inCi = !!process.env.CI && process.env.CI !== 'false';

/** Every `../shared/pricing/<FILE>` next to a directory with a package.json, from `start` up. */
function besideProjectRoots(start: string): string[] {
  const found: string[] = [];
  for (let dir = resolve(start); ; dir = dirname(dir)) {
    if (existsSync(join(dir, 'package.json'))) found.push(resolve(dir, '..', 'shared', 'pricing', FILE));
    if (dirname(dir) === dir) return found;
  }
}

function locate(): { path?: string; tried: string[]; problem?: string } {
  const fromEnv = process.env[SHARED_TABLE_ENV];
  if (fromEnv) {
    const path = existsSync(fromEnv) && statSync(fromEnv).isDirectory() ? join(fromEnv, FILE) : fromEnv;
    if (existsSync(path)) return { path, tried: [path] };
    return { tried: [path], problem: `${SHARED_TABLE_ENV}=${fromEnv} names no file (looked for ${path})` };
  }
  const tried = [
    ...new Set([...besideProjectRoots(dirname(fileURLToPath(import.meta.url))), ...besideProjectRoots(process.cwd())]),
  ];
  return { path: tried.find((p) => existsSync(p)), tried };
}

const located = locate();

/** Absolute path of the shared LiteLLM table, or undefined when it was not found. */
export const SHARED_TABLE_PATH: string | undefined = located.path;

/** Why the table is missing (undefined when it was found), with every path tried. */
export const SHARED_TABLE_MISSING: string | undefined =
  located.path !== undefined
    ? undefined
    : `${located.problem ?? `../shared/pricing/${FILE} not found`} (tried: ${located.tried.join(', ')}; ` +
      `set ${SHARED_TABLE_ENV} to the file or its directory)`;

/**
 * Pass to `describe.skipIf` / `it.skipIf`: true only when the table is missing outside CI.
 * Under `CI=true` (or with a wrong `OTEL_LLM_COST_SHARED_TABLE`) a missing table does not skip:
 * the tests run and `readSharedTable()` fails.
 */
export const NO_SHARED_TABLE = SHARED_TABLE_MISSING !== undefined && !inCi && located.problem === undefined;

/** Shown in the test name so a skipped run says why. */
export const SHARED_TABLE_NOTE =
  SHARED_TABLE_MISSING === undefined
    ? '(real LiteLLM snapshot)'
    : !NO_SHARED_TABLE
      ? '(real LiteLLM snapshot: MISSING, a failure)'
      : `(skipped: the real LiteLLM snapshot ../shared/pricing/${FILE} is missing; ` +
        `set ${SHARED_TABLE_ENV}, or CI=true to make this a failure)`;

if (SHARED_TABLE_MISSING !== undefined) {
  const how = NO_SHARED_TABLE ? 'tests that need it are skipped' : 'tests that need it FAIL';
  console.warn(`shared LiteLLM table: ${SHARED_TABLE_MISSING}; ${how}.`);
}

/** The table's path; throws the reason it is missing (what fails those tests under CI). */
export function sharedTablePath(): string {
  if (SHARED_TABLE_PATH === undefined) throw new Error(`shared LiteLLM table: ${SHARED_TABLE_MISSING}`);
  return SHARED_TABLE_PATH;
}

let cached: Record<string, Record<string, unknown>> | undefined;

/** The raw JSON of the shared table (parsed once per test file). */
export function readSharedTable(): Record<string, Record<string, unknown>> {
  cached ??= JSON.parse(readFileSync(sharedTablePath(), 'utf8')) as Record<string, Record<string, unknown>>;
  return cached;
}
