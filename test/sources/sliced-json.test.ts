import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { parseObjectSliced, TimeSlicer } from '../../src/sources/sliced-json.js';

/** JSON.parse's verdict on `text`: the value, or that it throws. */
function oracle(text: string): { ok: true; value: unknown } | { ok: false } {
  try {
    return { ok: true, value: JSON.parse(text) };
  } catch {
    return { ok: false };
  }
}

async function sliced(text: string): Promise<{ ok: true; value: unknown } | { ok: false }> {
  try {
    // A zero budget yields at every opportunity: the slicing itself is exercised.
    return { ok: true, value: { ...(await parseObjectSliced(text, new TimeSlicer(0))) } };
  } catch {
    return { ok: false };
  }
}

const objects = fc.dictionary(fc.string({ unit: 'binary' }), fc.jsonValue(), { maxKeys: 30 });

describe('parsing a table in slices gives what JSON.parse gives', () => {
  it('the same object for any JSON object, compact or indented', async () => {
    await fc.assert(
      fc.asyncProperty(objects, fc.constantFrom(undefined, 1, '\t', '\r\n '), async (obj, indent) => {
        const text =
          typeof indent === 'string' && indent.includes('\r')
            ? JSON.stringify(obj, null, 1).replace(/\n/g, '\r\n ')
            : JSON.stringify(obj, null, indent);
        const expected = oracle(text);
        const got = await sliced(text);
        expect(got).toEqual(expected.ok ? { ok: true, value: { ...(expected.value as object) } } : expected);
      }),
      { numRuns: 300 },
    );
  });

  it('refuses what JSON.parse refuses: a character removed, inserted or changed anywhere', async () => {
    const chars = fc.constantFrom('{', '}', '[', ']', ',', ':', '"', '\\', ' ', 'a', '1', '-', 'n');
    await fc.assert(
      fc.asyncProperty(
        objects,
        fc.nat(),
        chars,
        fc.constantFrom('remove', 'insert', 'replace'),
        fc.constantFrom(undefined, 1),
        async (obj, at, ch, how, indent) => {
          const base = ` ${JSON.stringify(obj, null, indent)}\n`;
          const i = at % (base.length + 1);
          const text =
            how === 'remove'
              ? base.slice(0, i) + base.slice(i + 1)
              : how === 'insert'
                ? base.slice(0, i) + ch + base.slice(i)
                : base.slice(0, i) + ch + base.slice(i + 1);
          const expected = oracle(text);
          const got = await sliced(text);
          if (
            expected.ok &&
            (expected.value === null || typeof expected.value !== 'object' || Array.isArray(expected.value))
          ) {
            expect(got.ok).toBe(false); // valid JSON, but not an object: not a table
          } else {
            expect(got).toEqual(expected.ok ? { ok: true, value: { ...(expected.value as object) } } : expected);
          }
        },
      ),
      { numRuns: 2000 },
    );
  });

  it('a member named __proto__ is an ordinary key, as with JSON.parse', async () => {
    const text = '{"__proto__": {"polluted": true}, "a": 1}';
    const got = await parseObjectSliced(text, new TimeSlicer());
    expect(Object.keys(got)).toEqual(['__proto__', 'a']);
    expect(({} as Record<string, unknown>)['polluted']).toBeUndefined();
  });
});
