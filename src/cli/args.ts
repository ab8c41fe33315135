/**
 * The CLI's argument parser: `--name value`, `--name=value`, boolean flags, `-h`, and `--` before
 * positionals that start with a dash. Every mistake is one line that names the option
 * (`node:util` `parseArgs` messages quote the whole argv and advise syntax users did not ask about).
 */

/** A mistake in the command line: printed as one line, exit status 1. */
export class UsageError extends Error {}

export type OptionSpec = Record<string, 'string' | 'boolean'>;

export interface ParsedArgs {
  values: Record<string, string | boolean | undefined>;
  positionals: string[];
}

export function parseArguments(argv: readonly string[], spec: OptionSpec): ParsedArgs {
  const values: Record<string, string | boolean | undefined> = {};
  const positionals: string[] = [];
  for (let i = 0; i < argv.length; i++) {
    const arg = argv[i]!;
    if (arg === '--') {
      positionals.push(...argv.slice(i + 1));
      break;
    }
    if (arg === '-h') {
      values['help'] = true;
      continue;
    }
    if (!arg.startsWith('--')) {
      if (arg.startsWith('-') && arg.length > 1 && !/^-\d/.test(arg))
        throw new UsageError(`unknown option ${show(arg)}${suggest(arg, spec)}`);
      positionals.push(arg);
      continue;
    }
    const eq = arg.indexOf('=');
    const name = arg.slice(2, eq < 0 ? undefined : eq);
    const type = Object.prototype.hasOwnProperty.call(spec, name) ? spec[name] : undefined;
    if (type === undefined)
      throw new UsageError(`unknown option ${show(eq < 0 ? arg : arg.slice(0, eq))}${suggest(name, spec)}`);
    if (type === 'boolean') {
      if (eq >= 0) throw new UsageError(`--${name} takes no value`);
      values[name] = true;
      continue;
    }
    if (eq >= 0) {
      values[name] = arg.slice(eq + 1);
      continue;
    }
    // The next argument is the value, even when it starts with one dash (`--input -5` is a
    // negative count, refused as such), but not when it is another option.
    const next = argv[i + 1];
    if (next === undefined || next.startsWith('--')) throw new UsageError(`--${name} needs a value`);
    values[name] = next;
    i++;
  }
  return { values, positionals };
}

/** An argument as it may be echoed: short, printable. */
export function show(text: string): string {
  const clean = text.replace(/[^\x20-\x7e]/g, '?');
  return clean.length > 40 ? `${clean.slice(0, 40)}…` : clean;
}

/** ` (did you mean --input?)` for a near miss of a known option. */
function suggest(given: string, spec: OptionSpec): string {
  const bare = given.replace(/^-+/, '');
  let best: string | undefined;
  let bestDistance = 3;
  for (const name of Object.keys(spec)) {
    const d = name.startsWith(bare) || bare.startsWith(name) ? Math.min(1, distance(bare, name)) : distance(bare, name);
    // Fewer edits than the option has letters: `-x` is no near miss of `--at`.
    if (d < bestDistance && d < bare.length) {
      bestDistance = d;
      best = name;
    }
  }
  return best === undefined ? '' : ` (did you mean --${best}?)`;
}

/** Levenshtein distance of two short strings (option names). */
function distance(a: string, b: string): number {
  if (a.length > 40 || b.length > 40) return Infinity;
  let prev = Array.from({ length: b.length + 1 }, (_, j) => j);
  for (let i = 1; i <= a.length; i++) {
    const row = [i];
    for (let j = 1; j <= b.length; j++) {
      row[j] = Math.min(prev[j]! + 1, row[j - 1]! + 1, prev[j - 1]! + (a[i - 1] === b[j - 1] ? 0 : 1));
    }
    prev = row;
  }
  return prev[b.length]!;
}
