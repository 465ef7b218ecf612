import {
  EntryParser,
  JsonScanError,
  forEachMember,
  parseEntries,
  sameKeptBytes,
  skipWs,
  stringEnd,
  valueEnd,
} from '../src/load/json-scan.js';

const b = (s: string) => Buffer.from(s, 'utf8');

/** The scan error thrown by `fn`, or a failure when none is thrown. */
function scanError(fn: () => unknown): JsonScanError {
  try {
    fn();
  } catch (err) {
    expect(err).toBeInstanceOf(JsonScanError);
    return err as JsonScanError;
  }
  throw new Error('expected a JsonScanError');
}

describe('skipWs', () => {
  test('skips space, tab, CR and LF only', () => {
    const buf = b(' \t\r\n x');
    expect(skipWs(buf, 0, buf.length)).toBe(5);
    expect(skipWs(b('\f'), 0, 1)).toBe(0);
    expect(skipWs(b('   '), 0, 2)).toBe(2);
  });
});

describe('stringEnd', () => {
  test('a plain string ends just after its closing quote', () => {
    const buf = b('"abc", 1');
    expect(stringEnd(buf, 1, buf.length)).toBe(5);
    expect(stringEnd(b('""'), 1, 2)).toBe(2);
  });

  test('"a\\\\" (an escaped backslash) ends after the second quote', () => {
    const buf = b('"a\\\\" , "x"');
    expect(buf.length).toBe(11);
    expect(buf.subarray(0, 5).toString()).toBe('"a\\\\"');
    expect(stringEnd(buf, 1, buf.length)).toBe(5);
  });

  test('"a\\"b" (an escaped quote) ends after the last quote', () => {
    const buf = b('"a\\"b"');
    expect(stringEnd(buf, 1, buf.length)).toBe(buf.length);
    expect(JSON.parse(buf.toString())).toBe('a"b');
  });

  test.each([0, 1, 2, 3, 4, 5, 6, 7, 8])('a run of %i backslashes before a quote', (n) => {
    // "x<n backslashes>"y"…: the first quote closes the string iff n is even.
    const text = `"x${'\\'.repeat(n)}"y", 0`;
    const buf = b(text);
    const expected = n % 2 === 0 ? 3 + n : 5 + n;
    expect(stringEnd(buf, 1, buf.length)).toBe(expected);
    // Same answer as JSON.parse on the slice.
    expect(() => JSON.parse(buf.toString('utf8', 0, expected))).not.toThrow();
  });

  test('multi-byte UTF-8 and emoji inside strings', () => {
    const s = JSON.stringify('é中😀\\"\u0001');
    const buf = b(`${s}]`);
    expect(stringEnd(buf, 1, buf.length)).toBe(Buffer.byteLength(s));
  });

  test('an unterminated string throws JsonScanError at the opening quote', () => {
    expect(scanError(() => stringEnd(b('"abc'), 1, 4)).offset).toBe(0);
    expect(scanError(() => stringEnd(b('  "abc\\"'), 3, 8)).offset).toBe(2);
    // The closing quote lies beyond `end`.
    expect(scanError(() => stringEnd(b('"abc"'), 1, 4)).message).toMatch(/unterminated/);
  });
});

describe('valueEnd', () => {
  test.each([
    ['{}', 2],
    ['[]', 2],
    ['{"a":{"b":[1,{"c":[]}]},"d":"}"} , 1', 32],
    ['[[[["]"]]],{}] x', 14],
    ['{ "k" : [ 1 , 2 ] }\n', 19],
    ['"s"', 3],
    ['0', 1],
    ['-12.5e+3,', 8],
    ['1e-7}', 4],
    ['true]', 4],
    ['false ', 5],
    ['null,', 4],
    ['{"a\\"}":"\\\\"}', 13],
  ])('%j ends at %i', (text, end) => {
    const buf = b(text);
    expect(valueEnd(buf, 0, buf.length)).toBe(end);
  });

  test('values in the middle of a buffer', () => {
    const buf = b('[1, {"x": [true, null]}, "z"]');
    expect(valueEnd(buf, 4, buf.length)).toBe(23);
    expect(valueEnd(buf, 25, buf.length)).toBe(28);
    expect(valueEnd(buf, 1, buf.length)).toBe(2);
  });

  test('a number ends at the end of the input', () => {
    const buf = b('123');
    expect(valueEnd(buf, 0, buf.length)).toBe(3);
    expect(valueEnd(buf, 0, 2)).toBe(2);
  });

  test.each([
    ['{"a": [1, 2', 0],
    ['[{"a": "b"}', 0],
    ['{"a": "b', 6],
    ['{"a": {"b": {}}', 0],
    ['"abc', 0],
    ['', 0],
  ])('truncated %j → JsonScanError at %i', (text, offset) => {
    const buf = b(text);
    expect(scanError(() => valueEnd(buf, 0, buf.length)).offset).toBe(offset);
  });

  test('`end` bounds the scan even when the buffer goes on', () => {
    const buf = b('{"a": 1}');
    scanError(() => valueEnd(buf, 0, 7));
    expect(valueEnd(buf, 0, 8)).toBe(8);
  });

  test.each(['}', ']', ',', ' '])('a value cannot start with %j', (text) => {
    const buf = b(text);
    scanError(() => valueEnd(buf, 0, buf.length));
  });
});

describe('forEachMember', () => {
  test('yields decoded keys (escapes included) and value starts', () => {
    const text = '{ "plain" : 1, "a\\"b": [2], "\\u00e9\\n": {"x": 3}, "c\\\\": "d", "😀": null }';
    const buf = b(text);
    const seen: Array<[string, unknown]> = [];
    const end = forEachMember(buf, 0, buf.length, (key, start) => {
      const e = valueEnd(buf, start, buf.length);
      seen.push([key, JSON.parse(buf.toString('utf8', start, e))]);
      return e;
    });
    expect(end).toBe(buf.length);
    expect(seen).toEqual([
      ['plain', 1],
      ['a"b', [2]],
      ['é\n', { x: 3 }],
      ['c\\', 'd'],
      ['😀', null],
    ]);
    expect(seen.map(([k]) => k)).toEqual(Object.keys(JSON.parse(text)));
  });

  test('returning undefined skips the value', () => {
    const buf = b('{"a": {"deep": ["}"]}, "b": 2} tail');
    const keys: string[] = [];
    const end = forEachMember(buf, 0, buf.length, (key) => {
      keys.push(key);
      return undefined;
    });
    expect(keys).toEqual(['a', 'b']);
    expect(end).toBe(30);
  });

  test('empty object', () => {
    const buf = b('{ \n }');
    expect(forEachMember(buf, 0, buf.length, () => undefined)).toBe(5);
  });

  test.each([
    ['[1]', /expected an object/],
    ['{a: 1}', /expected a key/],
    ['{"a" 1}', /expected ':'/],
    ['{"a": 1 "b": 2}', /expected ','/],
    ['{"a": 1', /unexpected end/],
  ])('malformed %s → JsonScanError', (text, message) => {
    const buf = b(text);
    expect(scanError(() => forEachMember(buf, 0, buf.length, () => undefined)).message).toMatch(
      message,
    );
  });
});

describe('EntryParser.parseAt', () => {
  test('without skip keys: JSON.parse of the value, lastEnd at its end', () => {
    const p = new EntryParser([]);
    const buf = b('[{"a": [1, "x"]}, 7]');
    expect(p.parseAt(buf, 1, buf.length)).toEqual({ a: [1, 'x'] });
    expect(p.lastEnd).toBe(16);
    // Non-object values are parsed too.
    expect(p.parseAt(buf, 18, buf.length)).toBe(7);
    expect(p.lastEnd).toBe(19);
    expect(p.parseAt(b('"s"'), 0, 3)).toBe('s');
  });

  test('cuts listed keys at depth 1 only', () => {
    const p = new EntryParser(['raw_code', 'compiled_code']);
    const text = JSON.stringify({
      raw_code: 'select "x"',
      config: { raw_code: 'keep me', deeper: { compiled_code: 'keep' } },
      list: [{ raw_code: 1 }],
      compiled_code: 'gone',
      name: 'raw_code',
      raw_codes: 'not listed',
    });
    const buf = b(text);
    expect(p.parseAt(buf, 0, buf.length)).toEqual({
      raw_code: null,
      config: { raw_code: 'keep me', deeper: { compiled_code: 'keep' } },
      list: [{ raw_code: 1 }],
      compiled_code: null,
      name: 'raw_code',
      raw_codes: 'not listed',
    });
    expect(p.lastEnd).toBe(buf.length);
  });

  test.each([
    ['a string', '"select \\"a\\\\\\" from t"'],
    ['the number 1 (shorter than null)', '1'],
    ['a negative float', '-0.5e3'],
    ['an object', '{"x": {"raw_code": [1, "}"]}}'],
    ['an array', '[1, [2, "]"], {}]'],
    ['true', 'true'],
    ['false', 'false'],
    ['null', 'null'],
    ['an empty string', '""'],
  ])('a cut value may be %s', (_what, value) => {
    const p = new EntryParser(['c']);
    const text = `{"a":1,"c":${value},"d":{"c":${value}},"e":[${value}],"f":"\\"c\\""}`;
    const buf = b(text);
    const expected = JSON.parse(text);
    expected.c = null;
    expect(p.parseAt(buf, 0, buf.length)).toEqual(expected);
    expect(p.lastEnd).toBe(buf.length);
  });

  test('several short cuts in a row, and as first and last members', () => {
    const p = new EntryParser(['a', 'b', 'zz']);
    const buf = b('{"a":1,"b":2,"x":3,"zz":4,"y":5,"a":1,"b":0}');
    expect(p.parseAt(buf, 0, buf.length)).toEqual({ a: null, b: null, x: 3, zz: null, y: 5 });
  });

  test('whitespace around keys, colons and cut values', () => {
    const p = new EntryParser(['skip']);
    const buf = b('{\n  "skip" :\t 12345 ,\r\n  "keep" : "v"\n}');
    expect(p.parseAt(buf, 0, buf.length)).toEqual({ skip: null, keep: 'v' });
  });

  test('keys with escapes: exact byte match only, parsed like JSON.parse', () => {
    const p = new EntryParser(['raw_code', 'a\\']);
    const text = '{"raw_code\\\\": 1, "a\\"b": 2, "a\\\\": 3, "\\u00e9": 4, "raw_code": 5}';
    const buf = b(text);
    // `a\` is listed but its JSON spelling is `a\\`: the listed names are plain identifiers.
    expect(p.parseAt(buf, 0, buf.length)).toEqual({
      'raw_code\\': 1,
      'a"b': 2,
      'a\\': 3,
      é: 4,
      raw_code: null,
    });
  });

  test('a large entry with many cuts grows the scratch buffer correctly', () => {
    const p = new EntryParser(['a', 'big']);
    // The scratch buffer starts at 1 MiB. This entry is just under 1 MiB, but its 20 000
    // one-byte cuts each become the four bytes of `null`: the copy is over 1 MiB.
    const pad = 'p'.repeat(900_000);
    const parts = [`"pad":"${pad}"`];
    for (let i = 0; i < 20_000; i++) parts.push(`"a":1`);
    parts.push(`"big":"${'\\\\'.repeat(1000)}"`, '"tail":"end"');
    const buf = b(`{${parts.join(',')}}`);
    expect(buf.length).toBeLessThan(1 << 20);
    expect(buf.length + 3 * 20_000).toBeGreaterThan(1 << 20);
    expect(p.parseAt(buf, 0, buf.length)).toEqual({ pad, a: null, big: null, tail: 'end' });
    // A larger one after it, and small ones still work.
    const big = b(`{"a":1,"pad":"${'q'.repeat(3_000_000)}","big":[1]}`);
    expect(p.parseAt(big, 0, big.length)).toEqual({
      a: null,
      pad: 'q'.repeat(3_000_000),
      big: null,
    });
    expect(p.parseAt(b('{"a":[1],"x":2}'), 0, 15)).toEqual({ a: null, x: 2 });
  });

  test('an empty object', () => {
    const p = new EntryParser(['a']);
    const buf = b('{ } ,');
    expect(p.parseAt(buf, 0, buf.length)).toEqual({});
    expect(p.lastEnd).toBe(3);
  });

  test.each([
    '{"a": 1',
    '{"a": "x',
    '{"a": {"b": 1}',
    '{"a": 1,',
    '{"a"',
    '{"raw_code": "unterminated',
  ])('truncated %j → JsonScanError', (text) => {
    const p = new EntryParser(['raw_code']);
    const buf = b(text);
    scanError(() => p.parseAt(buf, 0, buf.length));
  });
});

describe('parseEntries', () => {
  test('parses each member with the parser', () => {
    const p = new EntryParser(['raw_code']);
    const buf = b('{"m.a": {"raw_code": "x", "n": 1}, "m.b": {"n": 2, "raw_code": "\\""}} ');
    const got: Array<[string, unknown]> = [];
    const end = parseEntries(buf, 0, buf.length, p, (k, v) => got.push([k, v]));
    expect(end).toBe(buf.length - 1);
    expect(got).toEqual([
      ['m.a', { raw_code: null, n: 1 }],
      ['m.b', { n: 2, raw_code: null }],
    ]);
  });
});

// ---------------------------------------------------------------------------------------
// Property test: random JSON through parseAt vs JSON.parse.

/** mulberry32: a small seeded PRNG. */
function prng(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

const SKIP = ['raw_code', 'c', 'compiled_code'];
const KEY_POOL = [
  ...SKIP,
  'name',
  'meta',
  'a',
  'b',
  'x"y',
  'back\\slash',
  'é',
  '😀',
  'raw_cod',
  '',
];
const PIECES = [
  'a',
  'z',
  ' ',
  '"',
  '\\',
  '\\\\',
  '\\"',
  '"\\',
  'é',
  '中',
  '😀',
  '\n',
  '\t',
  '\u0001',
  '}',
  ']',
  '{',
  ':',
  ',',
];

function randomString(rnd: () => number): string {
  const n = Math.floor(rnd() * 12);
  let s = '';
  for (let i = 0; i < n; i++) s += PIECES[Math.floor(rnd() * PIECES.length)];
  if (rnd() < 0.2) s += '\\'.repeat(1 + Math.floor(rnd() * 5)); // trailing backslash runs
  return s;
}

function randomNumber(rnd: () => number): number {
  switch (Math.floor(rnd() * 5)) {
    case 0:
      return Math.floor(rnd() * 10);
    case 1:
      return -Math.floor(rnd() * 1e9);
    case 2:
      return rnd() * 1000 - 500;
    case 3:
      return (rnd() - 0.5) * 1e25;
    default:
      return (rnd() - 0.5) * 1e-9;
  }
}

function randomValue(rnd: () => number, depth: number): unknown {
  const r = rnd();
  if (depth <= 0 || r < 0.45) {
    const k = Math.floor(rnd() * 6);
    if (k === 0) return null;
    if (k === 1) return rnd() < 0.5;
    if (k === 2 || k === 3) return randomNumber(rnd);
    return randomString(rnd);
  }
  if (r < 0.7) {
    const n = Math.floor(rnd() * 5);
    return Array.from({ length: n }, () => randomValue(rnd, depth - 1));
  }
  return randomObject(rnd, depth - 1);
}

function randomObject(rnd: () => number, depth: number): Record<string, unknown> {
  const o: Record<string, unknown> = {};
  const n = Math.floor(rnd() * 7);
  for (let i = 0; i < n; i++) {
    const key = rnd() < 0.6 ? KEY_POOL[Math.floor(rnd() * KEY_POOL.length)]! : randomString(rnd);
    if (key === '__proto__') continue;
    o[key] = randomValue(rnd, depth);
  }
  return o;
}

const WS = [' ', '\n', '\t', '\r\n', '  '];

/** JSON text with random white space between tokens. */
function serialize(v: unknown, rnd: () => number): string {
  const ws = () => (rnd() < 0.3 ? WS[Math.floor(rnd() * WS.length)]! : '');
  if (Array.isArray(v))
    return `[${ws()}${v.map((x) => serialize(x, rnd) + ws()).join(`,${ws()}`)}]`;
  if (v !== null && typeof v === 'object') {
    const members = Object.entries(v).map(
      ([k, x]) => `${ws()}${JSON.stringify(k)}${ws()}:${ws()}${serialize(x, rnd)}${ws()}`,
    );
    return `{${members.join(',')}${ws()}}`;
  }
  return JSON.stringify(v);
}

test('property: parseAt equals JSON.parse (with skipped top-level keys set to null)', () => {
  const rnd = prng(20240601);
  const plain = new EntryParser([]);
  const skipping = new EntryParser(SKIP);
  let cutsSeen = 0;
  let nestedSkipKeysSeen = 0;
  for (let i = 0; i < 300; i++) {
    const obj = randomObject(rnd, 4);
    if (i % 3 === 0) obj[SKIP[i % SKIP.length]!] = randomValue(rnd, 3);
    const text = serialize(obj, rnd);
    // Embed the object after a prefix and before a suffix, as inside a manifest.
    const prefix = `[${'  '.repeat(i % 3)}`;
    const buf = b(`${prefix}${text} , 1]`);
    const pos = Buffer.byteLength(prefix);
    const endOfValue = pos + Buffer.byteLength(text);

    const expected = JSON.parse(text);
    expect(plain.parseAt(buf, pos, buf.length)).toEqual(expected);
    expect(plain.lastEnd).toBe(endOfValue);

    const cut = JSON.parse(text);
    for (const k of SKIP) {
      if (Object.prototype.hasOwnProperty.call(cut, k)) {
        cut[k] = null;
        cutsSeen++;
      }
    }
    if (SKIP.some((k) => text.includes(`"${k}"`) && !(k in expected))) nestedSkipKeysSeen++;
    expect(skipping.parseAt(buf, pos, buf.length)).toEqual(cut);
    expect(skipping.lastEnd).toBe(endOfValue);
  }
  // The generator really exercised cutting and nested (kept) skip-key names.
  expect(cutsSeen).toBeGreaterThan(100);
  expect(nestedSkipKeysSeen).toBeGreaterThan(20);
});

describe('sameKeptBytes', () => {
  /** The head entry parsed with `raw_code` and `created_at` skipped, as the loader does. */
  function head(text: string) {
    const buf = b(`{"x": ${text}}`);
    const parser = new EntryParser(['raw_code', 'created_at']);
    const start = 6;
    parser.parseAt(buf, start, buf.length);
    return { buf, start, end: parser.lastEnd, cuts: parser.lastCuts() };
  }
  const entry = '{"name": "a", "raw_code": "select 1", "created_at": 1.5, "tags": ["t"]}';
  const match = (text: string) => {
    const h = head(entry);
    const buf = b(`[${text}, 1]`);
    return sameKeptBytes(buf, 1, buf.length, h.buf, h.start, h.end, h.cuts);
  };

  test('the same bytes: the end of the value', () => {
    expect(match(entry)).toBe(1 + entry.length);
  });

  test('other skipped values, of other lengths, still match', () => {
    const other =
      '{"name": "a", "raw_code": "select \\"x\\" from y", "created_at": 1753299142.25, "tags": ["t"]}';
    expect(match(other)).toBe(1 + other.length);
  });

  test('a kept value that differs does not match', () => {
    expect(match(entry.replace('"t"', '"u"'))).toBe(-1);
    expect(match(entry.replace('"name": "a"', '"name": "b"'))).toBe(-1);
  });

  test('a truncated or broken value does not match (the parser reports it)', () => {
    const h = head(entry);
    const cut = b(entry.slice(0, 40));
    expect(sameKeptBytes(cut, 0, cut.length, h.buf, h.start, h.end, h.cuts)).toBe(-1);
    expect(match(entry.replace('"select 1"', '"select 1'))).toBe(-1);
  });

  test('an entry without skipped fields compares whole', () => {
    const h = head('{"name": "a"}');
    expect(h.cuts).toBeNull();
    const buf = b('{"name": "a"}');
    expect(sameKeptBytes(buf, 0, buf.length, h.buf, h.start, h.end, h.cuts)).toBe(buf.length);
    const other = b('{"name": "b"}');
    expect(sameKeptBytes(other, 0, other.length, h.buf, h.start, h.end, h.cuts)).toBe(-1);
  });
});
