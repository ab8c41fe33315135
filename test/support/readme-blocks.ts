/**
 * The code blocks of the README that tests run as written: each follows a marker line
 * `<!-- NAME: … -->` and is the first ```js / ```ts fence after it.
 */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';

export const REPO_ROOT = join(import.meta.dirname, '..', '..');

/** The block after `<!-- NAME` (`quickstart`, `quickstart-commonjs`, `wiring-yourself`) in `file`. */
export function markedBlock(name: string, file = join(REPO_ROOT, 'README.md')): string {
  const text = readFileSync(file, 'utf8');
  const match = new RegExp(`<!-- ${name}[:\\s][^>]*-->\\s*\`\`\`(?:js|ts)\\n([\\s\\S]*?)\`\`\``).exec(text);
  if (!match) throw new Error(`no <!-- ${name} --> block in ${file}`);
  return match[1]!;
}
