import { Readable } from 'node:stream';
import { describe, expect, it } from 'vitest';
import { splitLines } from '../../src/report/file-input.js';

async function lines(chunks: (string | Buffer)[]): Promise<string[]> {
  const out: string[] = [];
  for await (const line of splitLines(Readable.from(chunks.map((c) => (typeof c === 'string' ? Buffer.from(c) : c)))))
    out.push(line);
  return out;
}

describe('splitLines: the report reads Collector files line by line', () => {
  it('splits on \\n and \\r\\n, keeps empty lines, and a last line without a newline', async () => {
    expect(await lines(['a\nb\r\n\nc'])).toEqual(['a', 'b', '', 'c']);
  });

  it('joins a line cut across chunks, also inside a multi-byte UTF-8 character', async () => {
    const text = '{"v":"café ✓"}\n{"w":1}\n';
    const bytes = Buffer.from(text);
    for (let cut = 1; cut < bytes.length; cut++) {
      expect(await lines([bytes.subarray(0, cut), bytes.subarray(cut)])).toEqual(['{"v":"café ✓"}', '{"w":1}']);
    }
    expect(await lines(['ab', 'cd', 'e\nf', 'g'])).toEqual(['abcde', 'fg']);
  });
});
