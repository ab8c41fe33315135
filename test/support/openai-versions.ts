/**
 * The `openai` majors the tests run against, each loaded under its real name `openai`.
 *
 * openai 6 is the `openai` devDependency. openai 7 is installed beside it under an npm alias
 * (`openai7@npm:openai@7…`), but instrumentations match modules by the package name in their
 * path (`…/node_modules/openai/…`), so a module loaded as `openai7` is never patched. The alias
 * is therefore copied once into `node_modules/.cache/otel-llm-cost-openai7/node_modules/openai`
 * (refreshed when the installed version changes): code in that directory, or required from it,
 * gets openai 7 as `openai`, and everything else (`@opentelemetry/*`, tsx) still resolves from
 * the repository's `node_modules` by walking up. No network, nothing outside the clone.
 */
import { cpSync, existsSync, mkdirSync, readFileSync, rmSync } from 'node:fs';
import { createRequire } from 'node:module';
import { join } from 'node:path';

export const ROOT = join(import.meta.dirname, '..', '..');
const ALIAS_DIR = join(ROOT, 'node_modules', 'openai7');
/** Directory whose `node_modules/openai` is openai 7. */
export const OPENAI7_DIR = join(ROOT, 'node_modules', '.cache', 'otel-llm-cost-openai7');

export type OpenAIMajor = 6 | 7;

function versionAt(dir: string): string | undefined {
  try {
    return (JSON.parse(readFileSync(join(dir, 'package.json'), 'utf8')) as { version?: string }).version;
  } catch {
    return undefined;
  }
}

/** Makes `OPENAI7_DIR/node_modules/openai` the installed openai 7; returns `OPENAI7_DIR`. */
export function ensureOpenAI7(): string {
  const wanted = versionAt(ALIAS_DIR);
  if (wanted === undefined) throw new Error('openai7 (npm:openai@7) is not installed: run npm ci');
  const target = join(OPENAI7_DIR, 'node_modules', 'openai');
  if (versionAt(target) !== wanted) {
    rmSync(target, { recursive: true, force: true });
    mkdirSync(join(OPENAI7_DIR, 'node_modules'), { recursive: true });
    cpSync(ALIAS_DIR, target, { recursive: true });
  }
  return OPENAI7_DIR;
}

/** The directory from which `require('openai')` resolves to that major. */
export function openaiDir(major: OpenAIMajor): string {
  return major === 7 ? ensureOpenAI7() : ROOT;
}

/**
 * Requires `openai` of that major anew (its cached files dropped first), so require hooks
 * enabled since the last load see it load and patch it.
 */
export function requireOpenAIFresh(major: OpenAIMajor): typeof import('openai') {
  const req = createRequire(join(openaiDir(major), 'index.js'));
  const main = req.resolve('openai');
  const root = main.slice(0, main.lastIndexOf('/node_modules/openai/') + '/node_modules/openai'.length);
  for (const file of Object.keys(req.cache)) {
    if (file.startsWith(`${root}/`)) delete req.cache[file];
  }
  const mod = req('openai') as typeof import('openai') & { VERSION?: string };
  return mod;
}

/** The version of `openai` of that major, from its package.json. */
export function openaiVersion(major: OpenAIMajor): string {
  const dir = major === 7 ? join(ensureOpenAI7(), 'node_modules', 'openai') : join(ROOT, 'node_modules', 'openai');
  const version = versionAt(dir);
  if (version === undefined || !existsSync(dir)) throw new Error(`no openai ${major} at ${dir}`);
  return version;
}
