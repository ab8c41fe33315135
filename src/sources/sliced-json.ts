import { setImmediate as nextTurn } from 'node:timers/promises';

/**
 * Parsing a large JSON object without a long stall of the event loop.
 *
 * `JSON.parse` of a 20 MiB price table holds the event loop for a second or more, and the table
 * is loaded and refreshed while the application serves requests. A LiteLLM table is one object
 * of many small members, so it is parsed in slices: a scan finds the top-level members (tracking
 * strings and nesting only), groups of members are given to `JSON.parse` (which validates them
 * strictly), and between slices the event loop runs. The result equals `JSON.parse` of the whole
 * text for every valid table; text `JSON.parse` would refuse is refused too.
 */

/** Gives the event loop a turn once `budgetMs` of synchronous work have been spent. */
export class TimeSlicer {
  private _since = performance.now();
  constructor(private readonly _budgetMs = 8) {}

  /** Yields (one `setImmediate` turn) when the budget is spent; cheap otherwise. */
  async tick(): Promise<void> {
    if (performance.now() - this._since < this._budgetMs) return;
    await nextTurn();
    this._since = performance.now();
  }
}

/** One top-level member of an object: `text.slice(start, end)` is `"key": value`. */
export interface MemberSpan {
  start: number;
  /** Index of the `:` after the key, or -1 when there is none (a syntax error found later). */
  colon: number;
  end: number;
}

const SCAN_STEP = 64 * 1024;
const BATCH_CHARS = 64 * 1024;

function isSpace(c: number): boolean {
  return c === 0x20 || c === 0x0a || c === 0x0d || c === 0x09;
}

function skipSpace(text: string, i: number, end: number): number {
  while (i < end && isSpace(text.charCodeAt(i))) i++;
  return i;
}

/** Valid JSON so far, but not an object at the top level (a price table is keyed by model). */
export class NotAJsonObjectError extends SyntaxError {
  constructor() {
    super('a JSON object is expected');
    this.name = 'NotAJsonObjectError';
  }
}

/**
 * Finds the members of the JSON object that fills `text[start, end)` (whitespace around it
 * allowed). Throws a `SyntaxError` when the text is not one object (a `NotAJsonObjectError` when
 * it starts with something else); the members themselves are validated by whoever parses them.
 */
export async function scanObject(
  text: string,
  slicer: TimeSlicer,
  start = 0,
  end = text.length,
): Promise<MemberSpan[]> {
  let i = skipSpace(text, start, end);
  if (i >= end) throw new SyntaxError('Unexpected end of JSON input');
  if (text.charCodeAt(i) !== 0x7b) throw new NotAJsonObjectError();
  i++;
  const members: MemberSpan[] = [];
  let depth = 1;
  let inString = false;
  let memberStart = i;
  let colon = -1;
  let closed = -1;
  while (i < end && closed < 0) {
    const stop = Math.min(end, i + SCAN_STEP);
    for (; i < stop; i++) {
      const c = text.charCodeAt(i);
      if (inString) {
        if (c === 0x5c)
          i++; // the escaped character cannot end the string
        else if (c === 0x22) inString = false;
        continue;
      }
      if (c === 0x22) inString = true;
      else if (c === 0x7b || c === 0x5b) depth++;
      else if (c === 0x7d || c === 0x5d) {
        if (--depth === 0) {
          // A mismatched bracket inside a member fails that member's JSON.parse; the object's
          // own closing bracket is checked here.
          if (c !== 0x7d) throw new SyntaxError(`Unexpected token ']' at position ${i}`);
          closed = i;
          break;
        }
      } else if (depth === 1) {
        if (c === 0x3a && colon < 0) colon = i;
        else if (c === 0x2c) {
          members.push({ start: memberStart, colon, end: i });
          memberStart = i + 1;
          colon = -1;
        }
      }
    }
    await slicer.tick();
  }
  if (closed < 0) throw new SyntaxError('Unexpected end of JSON input');
  if (skipSpace(text, memberStart, closed) < closed) members.push({ start: memberStart, colon, end: closed });
  else if (members.length > 0) throw new SyntaxError(`Unexpected token '}' at position ${closed}`);
  const after = skipSpace(text, closed + 1, end);
  if (after < end) throw new SyntaxError(`Unexpected non-whitespace character after JSON at position ${after}`);
  return members;
}

/**
 * `JSON.parse` of an object, in slices. The result has no prototype, so a member named
 * `__proto__` is an ordinary key, as with `JSON.parse`.
 */
export async function parseObjectSliced(
  text: string,
  slicer: TimeSlicer,
  start = 0,
  end = text.length,
): Promise<Record<string, unknown>> {
  const members = await scanObject(text, slicer, start, end);
  const result = Object.create(null) as Record<string, unknown>;
  for (let first = 0; first < members.length;) {
    // A batch: consecutive members up to about BATCH_CHARS characters (at least one).
    let last = first;
    while (last + 1 < members.length && members[last + 1]!.end - members[first]!.start <= BATCH_CHARS) last++;
    const batch = JSON.parse(`{${text.slice(members[first]!.start, members[last]!.end)}}`) as Record<string, unknown>;
    for (const key of Object.keys(batch)) result[key] = batch[key];
    first = last + 1;
    await slicer.tick();
  }
  return result;
}
