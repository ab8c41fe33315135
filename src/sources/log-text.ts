/**
 * Text that came from outside (a server's status line, a redirect target, a file's first bytes in
 * a parse error, a table key) as it may appear in a log message: at most `max` characters, and
 * every character outside printable ASCII written as `\uXXXX`, so it cannot move the cursor,
 * colour the terminal, forge a log line or reverse the text around it.
 */
export function excerpt(text: string, max = 64): string {
  const cut = text.length > max;
  let out = '';
  for (let i = 0; i < text.length && i < max; i++) {
    const c = text.charCodeAt(i);
    out += c >= 0x20 && c <= 0x7e ? text[i] : `\\u${c.toString(16).padStart(4, '0')}`;
  }
  return cut ? `${out}…` : out;
}

/** The message of an error whose text may quote outside input (JSON.parse quotes the source). */
export function errorExcerpt(err: unknown, max = 120): string {
  return excerpt(err instanceof Error ? err.message : String(err), max);
}
