/** One `llm-cost` subcommand: a file under `src/cli/`, listed in `src/cli.ts`. */
export interface Command {
  /** The word after `llm-cost`. */
  name: string;
  /** One line for `llm-cost --help`. */
  summary: string;
  /** The text of `llm-cost NAME --help`, starting with `Usage: llm-cost NAME`. */
  usage: string;
  /**
   * Runs with the arguments after the command name; resolves to the exit status. Throws a
   * `UsageError` (bad arguments) or a `PricesError` (`--prices` cannot be loaded): the
   * dispatcher prints either as one line and exits 1.
   */
  run(argv: string[]): Promise<number>;
}
