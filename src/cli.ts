/**
 * `llm-cost`: answers price questions from the command line, with the same sources and the same
 * engine as the span processor. One file per command under `cli/`; this file only dispatches.
 *
 * Exit status of every command: 0 done; 2 not priced / nothing matched; 1 bad arguments, or a
 * `--prices` table that cannot be loaded (one line on stderr says which).
 */
import { readFileSync } from 'node:fs';
import { show, UsageError } from './cli/args.js';
import type { Command } from './cli/command.js';
import { compareCommand } from './cli/compare.js';
import { modelsCommand } from './cli/models.js';
import { priceCommand } from './cli/price.js';
import { REPORT_USAGE, runReport } from './cli/report.js';
import { SERVE_USAGE } from './gateway/serve-usage.js';
import { PricesError } from './cli/prices.js';

/** Every command, in the order `llm-cost --help` lists them. A new command: one file, one line here. */
const reportCommand: Command = {
  name: 'report',
  summary: 'where the money went: totals of stored spans (Collector file output, Jaeger) by model, service …',
  usage: REPORT_USAGE,
  run: runReport,
};

const serveCommand: Command = {
  name: 'serve',
  summary: 'an OTLP gateway that prices the LLM spans of apps in any language (docs/gateway.md)',
  usage: SERVE_USAGE,
  // Loaded when used: the gateway brings gRPC and protobuf, which the other commands do not need.
  run: async (argv) => (await import('./gateway/serve-command.js')).runServe(argv),
};

const COMMANDS: readonly Command[] = [priceCommand, modelsCommand, compareCommand, reportCommand, serveCommand];

function overview(): string {
  const width = Math.max(...COMMANDS.map((c) => c.name.length));
  return `Usage: llm-cost COMMAND [options]

Commands:
${COMMANDS.map((c) => `  ${c.name.padEnd(width)}  ${c.summary}`).join('\n')}

  llm-cost COMMAND --help   the options of a command
  llm-cost --version        the version (with --json: {"version": …})

Exit status: 0 done, 2 not priced (or nothing matched), 1 bad arguments or a --prices table
that cannot be loaded.
`;
}

/** The package version, read from the package.json beside `dist/` (or `src/`). */
function version(): string {
  try {
    return (JSON.parse(readFileSync(new URL('../package.json', import.meta.url), 'utf8')) as { version: string })
      .version;
  } catch {
    return 'unknown';
  }
}

async function main(argv: string[]): Promise<number> {
  const [first, ...rest] = argv;
  const command = COMMANDS.find((c) => c.name === first);
  try {
    if (command === undefined) {
      if (first === undefined)
        throw new UsageError(`missing command: ${COMMANDS.map((c) => c.name).join(', ')} (llm-cost --help)`);
      if (first === '--help' || first === '-h' || first === 'help') {
        const topic = COMMANDS.find((c) => c.name === rest[0]);
        process.stdout.write(topic ? topic.usage : overview());
        return 0;
      }
      if (first === '--version' || first === '-v') {
        if (rest.length > 0 && !(rest.length === 1 && rest[0] === '--json'))
          throw new UsageError(`unexpected argument "${show(rest[0]!)}" after --version`);
        process.stdout.write(
          rest[0] === '--json' ? `${JSON.stringify({ version: version() })}\n` : `llm-cost ${version()}\n`,
        );
        return 0;
      }
      throw new UsageError(
        `unknown command "${show(first)}": ${COMMANDS.map((c) => c.name).join(', ')} (llm-cost --help)`,
      );
    }
    return await command.run(rest);
  } catch (err) {
    if (err instanceof UsageError) {
      const help = command ? `llm-cost ${command.name} --help` : 'llm-cost --help';
      process.stderr.write(
        `llm-cost${command ? ` ${command.name}` : ''}: ${err.message}` +
          `${err.message.includes('--help') ? '' : ` (see ${help})`}\n`,
      );
      return 1;
    }
    if (err instanceof PricesError) {
      process.stderr.write(`llm-cost: ${err.message}\n`);
      return 1;
    }
    throw err;
  }
}

main(process.argv.slice(2)).then(
  (code) => {
    process.exitCode = code;
  },
  (err: unknown) => {
    process.stderr.write(`llm-cost: ${(err as Error).stack ?? String(err)}\n`);
    process.exitCode = 1;
  },
);
