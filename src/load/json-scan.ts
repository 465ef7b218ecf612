/**
 * A byte-level JSON scanner over a Buffer. It finds the extent of values without building
 * them, so that a manifest can be parsed entry by entry (no V8 string-length cliff) and
 * the fields no check needs (SQL bodies, macro bodies) are never decoded or parsed.
 *
 * Strings are skipped with Buffer#indexOf (native), so long SQL texts cost almost nothing;
 * only the structural bytes between strings are walked in JavaScript.
 */

const QUOTE = 0x22;
const BACKSLASH = 0x5c;
const LBRACE = 0x7b;
const RBRACE = 0x7d;
const LBRACKET = 0x5b;
const RBRACKET = 0x5d;
const COLON = 0x3a;
const COMMA = 0x2c;

export class JsonScanError extends Error {
  constructor(
    message: string,
    readonly offset: number,
  ) {
    super(message);
    this.name = 'JsonScanError';
  }
}

function isWs(c: number): boolean {
  return c === 0x20 || c === 0x0a || c === 0x0d || c === 0x09;
}

export function skipWs(buf: Uint8Array, pos: number, end: number): number {
  while (pos < end) {
    const c = buf[pos]!;
    if (c !== 0x20 && c !== 0x0a && c !== 0x0d && c !== 0x09) break;
    pos++;
  }
  return pos;
}

/** Byte classes for the structural walk: 1 quote, 2 open, 3 close, 0 anything else. */
const CLASS = new Uint8Array(256);
CLASS[QUOTE] = 1;
CLASS[LBRACE] = 2;
CLASS[LBRACKET] = 2;
CLASS[RBRACE] = 3;
CLASS[RBRACKET] = 3;

/**
 * `pos` is just after an opening quote; returns the index just after the closing quote.
 * indexOf is native and beats a JavaScript loop even for short keys.
 */
export function stringEnd(buf: Buffer, pos: number, end: number): number {
  let q = buf.indexOf(QUOTE, pos);
  for (;;) {
    if (q < 0 || q >= end) throw new JsonScanError('unterminated string', pos - 1);
    // A quote preceded by an odd number of backslashes is escaped.
    let b = q - 1;
    while (buf[b] === BACKSLASH) b--;
    if ((q - 1 - b) % 2 === 0) return q + 1;
    q = buf.indexOf(QUOTE, q + 1);
  }
}

/** Returns the index just after the JSON value starting at `pos` (no leading whitespace). */
export function valueEnd(buf: Buffer, pos: number, end: number): number {
  const first = buf[pos];
  if (first === undefined || pos >= end) throw new JsonScanError('unexpected end of input', pos);
  const cls = CLASS[first];
  if (cls === 1) return stringEnd(buf, pos + 1, end);
  if (cls === 2) {
    let depth = 0;
    let i = pos;
    while (i < end) {
      const k = CLASS[buf[i]!];
      if (k === 0) {
        i++;
      } else if (k === 1) {
        i = stringEnd(buf, i + 1, end);
      } else if (k === 2) {
        depth++;
        i++;
      } else {
        depth--;
        i++;
        if (depth === 0) return i;
      }
    }
    throw new JsonScanError('unexpected end of input inside an object or array', pos);
  }
  // number, true, false, null: runs until a delimiter
  let i = pos;
  while (i < end) {
    const c = buf[i]!;
    if (c === COMMA || c === RBRACE || c === RBRACKET || isWs(c)) break;
    i++;
  }
  if (cls === 3 || i === pos)
    throw new JsonScanError(`unexpected character '${String.fromCharCode(first)}'`, pos);
  return i;
}

/**
 * Walks the members of the object at `pos` (which must be `{`). `onMember` receives each key
 * and the start of its value; it returns the end of the value when it consumed it, or
 * undefined to have the value skipped. Returns the index just after the closing brace.
 */
export function forEachMember(
  buf: Buffer,
  pos: number,
  end: number,
  onMember: (key: string, start: number) => number | undefined,
): number {
  if (buf[pos] !== LBRACE) throw new JsonScanError('expected an object', pos);
  let i = skipWs(buf, pos + 1, end);
  if (buf[i] === RBRACE) return i + 1;
  for (;;) {
    if (buf[i] !== QUOTE) throw new JsonScanError('expected a key', i);
    const keyEnd = stringEnd(buf, i + 1, end);
    const key = decodeKey(buf, i, keyEnd);
    i = skipWs(buf, keyEnd, end);
    if (buf[i] !== COLON) throw new JsonScanError("expected ':' after a key", i);
    i = skipWs(buf, i + 1, end);
    const vEnd = onMember(key, i) ?? valueEnd(buf, i, end);
    i = skipWs(buf, vEnd, end);
    const c = buf[i];
    if (c === COMMA) {
      i = skipWs(buf, i + 1, end);
      continue;
    }
    if (c === RBRACE) return i + 1;
    throw new JsonScanError(i >= end ? 'unexpected end of input' : "expected ',' or '}'", i);
  }
}

function decodeKey(buf: Buffer, openQuote: number, afterClose: number): string {
  // Fast path: no escapes.
  let plain = true;
  for (let k = openQuote + 1; k < afterClose - 1; k++) {
    if (buf[k] === BACKSLASH) {
      plain = false;
      break;
    }
  }
  if (plain) return buf.toString('utf8', openQuote + 1, afterClose - 1);
  return JSON.parse(buf.toString('utf8', openQuote, afterClose)) as string;
}

/**
 * Parses JSON objects with the values of some top-level keys replaced by null, without
 * decoding those values. The object's extent is found in the same pass, so each byte of an
 * entry is walked once: `parseAt` returns the value and leaves its end in `lastEnd`.
 */
export class EntryParser {
  private scratch: Buffer = Buffer.allocUnsafe(1 << 20);
  /** Skip keys indexed by their byte length, so that most keys cost one array lookup. */
  private readonly skipByLength: Array<Buffer[] | undefined> = [];
  private readonly cuts: number[] = [];
  /** End (exclusive) of the value parsed by the last `parseAt` call. */
  lastEnd = 0;

  /**
   * The skipped values of the last object `parseAt` parsed, as [start, end) pairs in
   * ascending order, or null when it skipped none (a fresh array: the caller may keep it).
   */
  lastCuts(): number[] | null {
    return this.cuts.length === 0 ? null : this.cuts.slice();
  }

  constructor(skipKeys: readonly string[]) {
    for (const k of skipKeys) {
      const b = Buffer.from(k, 'utf8');
      (this.skipByLength[b.length] ??= []).push(b);
    }
  }

  /** Parses the value at `pos` (no leading whitespace), which need not be an object. */
  parseAt(buf: Buffer, pos: number, end: number): unknown {
    if (buf[pos] !== LBRACE) {
      this.lastEnd = valueEnd(buf, pos, end);
      return JSON.parse(buf.toString('utf8', pos, this.lastEnd));
    }
    const cuts = this.cuts;
    cuts.length = 0;
    let i = skipWs(buf, pos + 1, end);
    if (buf[i] === RBRACE) {
      i++;
    } else {
      for (;;) {
        if (buf[i] !== QUOTE) throw new JsonScanError('expected a key', i);
        const keyEnd = stringEnd(buf, i + 1, end);
        const candidates = this.skipByLength[keyEnd - i - 2];
        let skipThis = false;
        if (candidates !== undefined) {
          // Keys are short: a JavaScript loop beats a native call per comparison.
          for (const cand of candidates) {
            let k = 0;
            while (k < cand.length && cand[k] === buf[i + 1 + k]) k++;
            if (k === cand.length) {
              skipThis = true;
              break;
            }
          }
        }
        i = skipWs(buf, keyEnd, end);
        if (buf[i] !== COLON) throw new JsonScanError("expected ':' after a key", i);
        i = skipWs(buf, i + 1, end);
        const vEnd = valueEnd(buf, i, end);
        if (skipThis) cuts.push(i, vEnd);
        i = skipWs(buf, vEnd, end);
        const c = buf[i];
        if (c === COMMA) {
          i = skipWs(buf, i + 1, end);
          continue;
        }
        if (c === RBRACE) {
          i++;
          break;
        }
        throw new JsonScanError("expected ',' or '}'", i);
      }
    }
    this.lastEnd = i;
    if (cuts.length === 0) return JSON.parse(buf.toString('utf8', pos, i));
    // Copy the kept bytes into scratch with `null` in place of each cut value; a cut value
    // may be shorter than the 4 bytes of `null`.
    const need = i - pos + 2 * cuts.length;
    if (this.scratch.length < need)
      this.scratch = Buffer.allocUnsafe(Math.max(need, this.scratch.length * 2));
    const s = this.scratch;
    let w = 0;
    let from = pos;
    for (let k = 0; k < cuts.length; k += 2) {
      const to = cuts[k]!;
      // Short runs (between two cut keys) byte by byte: a native call costs more there.
      if (to - from < 48) while (from < to) s[w++] = buf[from++]!;
      else w += buf.copy(s, w, from, to);
      // `null` byte by byte: a native write call per cut cost more than the bytes.
      s[w] = 0x6e;
      s[w + 1] = 0x75;
      s[w + 2] = 0x6c;
      s[w + 3] = 0x6c;
      w += 4;
      from = cuts[k + 1]!;
    }
    w += buf.copy(s, w, from, i);
    return JSON.parse(s.toString('utf8', 0, w));
  }
}

/**
 * Whether the value at `pos` in `buf` is the object at [start, stop) in `other` except, maybe,
 * for the values at `cuts` (pairs of offsets in `other`, as EntryParser#lastCuts gives them):
 * the end of the value in `buf` when it is, else -1. The bytes between the cut values are
 * compared natively; a cut value is only skipped over, so the result is what parseAt would
 * have made of the value (it parses neither). JSON objects delimit themselves: when all
 * compared bytes are equal, the value in `buf` ends where the copy of `other` does.
 */
export function sameKeptBytes(
  buf: Buffer,
  pos: number,
  end: number,
  other: Buffer,
  start: number,
  stop: number,
  cuts: readonly number[] | null,
): number {
  let b = pos;
  let o = start;
  const n = cuts === null ? 0 : cuts.length;
  for (let k = 0; k <= n; k += 2) {
    const segmentEnd = k < n ? cuts![k]! : stop;
    const len = segmentEnd - o;
    if (b + len > end || buf.compare(other, o, segmentEnd, b, b + len) !== 0) return -1;
    b += len;
    if (k === n) break;
    try {
      b = valueEnd(buf, b, end);
    } catch {
      return -1; // parseAt will report what is wrong there
    }
    o = cuts![k + 1]!;
  }
  return b;
}

/**
 * Calls `onEntry` for each member of the object at `pos`, parsing each value with `parser`.
 * Returns the index just after the closing brace.
 */
export function parseEntries(
  buf: Buffer,
  pos: number,
  end: number,
  parser: EntryParser,
  onEntry: (key: string, value: unknown) => void,
): number {
  return forEachMember(buf, pos, end, (key, start) => {
    onEntry(key, parser.parseAt(buf, start, end));
    return parser.lastEnd;
  });
}
