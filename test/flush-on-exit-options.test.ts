import { beforeAll, describe, expect, it } from 'vitest';
import { ensureBuilt, INDEX, runNode } from './support/built.js';

/**
 * `flushOnExit`'s timeout goes through the shared option check (docs/architecture.md,
 * "Options"): a value a Node timer cannot hold (it would fire at once, so the flush would be given
 * no time at all) is replaced by the default with one warning naming the option. Run in a child
 * process: the listeners it registers belong to a process of their own.
 */
beforeAll(() => ensureBuilt());

const script = (timeout: string): string => `
import { diag, DiagLogLevel } from '@opentelemetry/api';
import { flushOnExit } from ${JSON.stringify(INDEX)};
diag.setLogger({ warn: (m) => console.error(m), error: (m) => console.error(m), \
info() {}, debug() {}, verbose() {} }, DiagLogLevel.WARN);
flushOnExit({ timeoutMillis: ${timeout} });
`;

describe('flushOnExit({ timeoutMillis })', () => {
  it.each([
    ['Infinity', 'option FlushOnExitOptions.timeoutMillis=Infinity is invalid'],
    ['-1', 'option FlushOnExitOptions.timeoutMillis=-1 is invalid'],
    ['1.5', 'option FlushOnExitOptions.timeoutMillis=1.5 is invalid'],
  ])('%s: one warning, the default used', async (timeout, warning) => {
    const r = await runNode(['--input-type=module', '-e', script(timeout)], {}, 30_000, undefined, process.cwd());
    expect(r.code).toBe(0);
    expect(r.stderr.trim().split('\n')).toEqual([
      `otel-llm-cost: ${warning} (an integer from 0 to 2147483647 is expected); using 5000`,
    ]);
  });

  it('a valid timeout is taken without a word', async () => {
    const r = await runNode(['--input-type=module', '-e', script('0')], {}, 30_000, undefined, process.cwd());
    expect(r.code).toBe(0);
    expect(r.stderr).toBe('');
  });
});
