/**
 * Jinja source text, before any rendering: splitting a template into text, tags and comments,
 * tokenizing the expressions inside tags, reading Python/Jinja literals, extracting top-level
 * blocks (`{% macro %}`, `{% snapshot %}`, …), and rewriting the few Jinja forms nunjucks does
 * not parse into forms it does. Pure string work; nothing here evaluates a template.
 */
import { isUnicodeSpace } from './py-text.js';

/** One piece of a template. Offsets are into the template string; `end` is exclusive. */
export interface Segment {
  kind: 'text' | 'comment' | 'expr' | 'stmt' | 'raw';
  start: number;
  end: number;
  /** expr/stmt: the code between the delimiters and whitespace-control markers; raw: the verbatim body. */
  inner: string;
  innerStart: number;
  /** Whitespace-control marker written after the opening delimiter (`-`, `+` or ''). */
  open: string;
  /** Whitespace-control marker written before the closing delimiter. */
  close: string;
}

export interface Segmented {
  segments: Segment[];
  /** Set when a tag or comment is never closed (the rest of the file is then one text segment). */
  error: string | null;
}

export type TokKind = 'str' | 'num' | 'name' | 'op' | 'ws' | 'comment' | 'fstr';

export interface Tok {
  kind: TokKind;
  /** The token exactly as written. */
  raw: string;
  /** Strings: the decoded value. */
  value?: string;
  pos: number;
}

const OPENERS: Record<string, string> = { '(': ')', '[': ']', '{': '}' };
const CLOSERS = new Set([')', ']', '}']);

// Character classes on char codes: tokenize() runs over every tag of every model, and a regex
// test per character is several times slower.

/** `[A-Za-z_]` or any non-ASCII code unit. */
function isIdentStartCode(c: number): boolean {
  return (c >= 97 && c <= 122) || (c >= 65 && c <= 90) || c === 95 || c > 127;
}

/** `[A-Za-z0-9_]` or any non-ASCII code unit. */
function isIdentCode(c: number): boolean {
  return isIdentStartCode(c) || (c >= 48 && c <= 57);
}

function isDigitCode(c: number): boolean {
  return c >= 48 && c <= 57;
}

/** What the regex `\s` matches (one UTF-16 code unit). */
function isSpaceCode(c: number): boolean {
  if (c <= 32) return c === 32 || (c >= 9 && c <= 13);
  return c === 0xfeff || isUnicodeSpace(c);
}

/**
 * The two-character operator at `i` (`** // == != <= >=`), or null: any other character that
 * starts no other token (`+ - * / % ~ < > = ( ) [ ] { } , : . | ; ! @ & ^`, …) is an op alone.
 */
function twoCharOp(s: string, i: number): string | null {
  const a = s.charCodeAt(i);
  const b = s.charCodeAt(i + 1);
  if (a === 42 /* * */ && b === 42) return '**';
  if (a === 47 /* / */ && b === 47) return '//';
  if (b === 61 /* = */ && (a === 61 || a === 33 || a === 60 || a === 62))
    return a === 61 ? '==' : a === 33 ? '!=' : a === 60 ? '<=' : '>=';
  return null;
}

/** Reads a quoted string starting at `i` (at the quote); returns its end (exclusive) and decoded value, or null when unterminated. */
function readQuoted(
  s: string,
  i: number,
  raw: boolean,
  allowTriple: boolean,
): { end: number; value: string } | null {
  const q = s[i];
  if (q === undefined) return null;
  const triple = allowTriple && s.startsWith(q.repeat(3), i);
  const delim = triple ? q.repeat(3) : q;
  const qc = q.charCodeAt(0);
  const n = s.length;
  let j = i + delim.length;
  // The value is built from slices between escapes (most strings have none).
  let value = '';
  let from = j;
  while (j < n) {
    const c = s.charCodeAt(j);
    if (c === qc && (!triple || s.startsWith(delim, j)))
      return { end: j + delim.length, value: value + s.slice(from, j) };
    if (c === 92 /* \\ */ && j + 1 < n) {
      const e = s[j + 1] as string;
      value += s.slice(from, j);
      if (raw) {
        value += '\\' + e;
      } else {
        value += e === 'n' ? '\n' : e === 't' ? '\t' : e === 'r' ? '\r' : e === '\n' ? '' : e;
      }
      j += 2;
      from = j;
      continue;
    }
    if (!triple && c === 10 && allowTriple) return null; // Python: no newline in a short string
    j++;
  }
  return null;
}

/**
 * Tokenizes Jinja expression code (the inside of `{{ }}`/`{% %}`), or Python code when `python`
 * is set (then `#` starts a comment, strings may carry r/b/u/f prefixes and be triple-quoted).
 * Never throws: an unterminated string becomes one `str` token running to the end.
 */
export function tokenize(s: string, python = false): Tok[] {
  const out: Tok[] = [];
  let i = 0;
  const n = s.length;
  while (i < n) {
    const code = s.charCodeAt(i);
    if (isSpaceCode(code)) {
      let j = i + 1;
      while (j < n && isSpaceCode(s.charCodeAt(j))) j++;
      out.push({ kind: 'ws', raw: s.slice(i, j), pos: i });
      i = j;
      continue;
    }
    if (python && code === 35 /* # */) {
      let j = s.indexOf('\n', i);
      if (j < 0) j = n;
      out.push({ kind: 'comment', raw: s.slice(i, j), pos: i });
      i = j;
      continue;
    }
    if (python && isIdentStartCode(code)) {
      const m = /^([rRbBuUfF]{1,2})(['"])/.exec(s.slice(i, i + 3));
      if (m && /^(r|b|u|f|rb|br|fr|rf)$/i.test(m[1] as string)) {
        const prefix = (m[1] as string).toLowerCase();
        const start = i + (m[1] as string).length;
        const q = readQuoted(s, start, prefix.includes('r'), true);
        const end = q ? q.end : n;
        out.push({
          kind: prefix.includes('f') ? 'fstr' : 'str',
          raw: s.slice(i, end),
          value: q ? q.value : s.slice(start + 1),
          pos: i,
        });
        i = end;
        continue;
      }
    }
    if (code === 39 /* ' */ || code === 34 /* " */) {
      const q = readQuoted(s, i, false, python);
      const end = q ? q.end : n;
      out.push({ kind: 'str', raw: s.slice(i, end), value: q ? q.value : s.slice(i + 1), pos: i });
      i = end;
      continue;
    }
    if (isDigitCode(code) || (code === 46 /* . */ && isDigitCode(s.charCodeAt(i + 1)))) {
      const m = /^(?:0[xXoObB][0-9a-fA-F_]+|[0-9_]*\.?[0-9_]+(?:[eE][+-]?[0-9_]+)?)/.exec(
        s.slice(i),
      );
      const len = m && m[0].length > 0 ? m[0].length : 1;
      out.push({ kind: 'num', raw: s.slice(i, i + len), pos: i });
      i += len;
      continue;
    }
    if (isIdentStartCode(code)) {
      let j = i + 1;
      while (j < n && isIdentCode(s.charCodeAt(j))) j++;
      out.push({ kind: 'name', raw: s.slice(i, j), pos: i });
      i = j;
      continue;
    }
    const op = twoCharOp(s, i) ?? (s[i] as string);
    out.push({ kind: 'op', raw: op, pos: i });
    i += op.length;
  }
  return out;
}

/**
 * Where the short string quoted at `i` ends (exclusive), as readQuoted(s, i, false, false)
 * finds it, or -1 when unterminated: without decoding its value.
 */
function quotedEnd(s: string, i: number): number {
  const qc = s.charCodeAt(i);
  const n = s.length;
  let j = i + 1;
  while (j < n) {
    const c = s.charCodeAt(j);
    if (c === qc) return j + 1;
    j += c === 92 /* \\ */ && j + 1 < n ? 2 : 1;
  }
  return -1;
}

/**
 * Finds the end of a `{{ … }}` or `{% … %}` tag whose code starts at `from`: the index of the
 * closing delimiter (not counting a `-`/`+` marker before it), skipping strings and brackets.
 */
function findTagEnd(src: string, from: number, closer: '}}' | '%}'): number {
  const first = closer.charCodeAt(0);
  let depth = 0;
  let i = from;
  const n = src.length;
  while (i < n) {
    const c = src.charCodeAt(i);
    if (c === 39 /* ' */ || c === 34 /* " */) {
      const end = quotedEnd(src, i);
      if (end < 0) return -1;
      i = end;
      continue;
    }
    if (depth === 0 && c === first && src.charCodeAt(i + 1) === 125 /* } */) return i;
    if (c === 40 /* ( */ || c === 91 /* [ */ || c === 123 /* { */) depth++;
    else if ((c === 41 /* ) */ || c === 93 /* ] */ || c === 125) /* } */ && depth > 0) depth--;
    i++;
  }
  return -1;
}

const RAW_END = /\{%[-+]?\s*endraw\s*[-+]?%\}/g;

/** Splits a template into text, comments, `{{ }}` expressions, `{% %}` statements and raw blocks. */
export function segment(src: string): Segmented {
  const segments: Segment[] = [];
  let textStart = 0;
  let i = 0;
  const pushText = (end: number): void => {
    if (end > textStart) {
      segments.push({
        kind: 'text',
        start: textStart,
        end,
        inner: src.slice(textStart, end),
        innerStart: textStart,
        open: '',
        close: '',
      });
    }
  };
  while (i < src.length) {
    const j = src.indexOf('{', i);
    if (j < 0 || j + 1 >= src.length) break;
    const c = src[j + 1];
    if (c === '#') {
      const end = src.indexOf('#}', j + 2);
      pushText(j);
      if (end < 0) {
        segments.push({
          kind: 'comment',
          start: j,
          end: src.length,
          inner: src.slice(j + 2),
          innerStart: j + 2,
          open: '',
          close: '',
        });
        return { segments, error: `unclosed comment at line ${lineOf(src, j)}` };
      }
      segments.push({
        kind: 'comment',
        start: j,
        end: end + 2,
        inner: src.slice(j + 2, end),
        innerStart: j + 2,
        open: '',
        close: '',
      });
      i = textStart = end + 2;
      continue;
    }
    if (c !== '{' && c !== '%') {
      i = j + 1;
      continue;
    }
    const closer = c === '{' ? '}}' : '%}';
    let codeStart = j + 2;
    let open = '';
    if (src[codeStart] === '-' || src[codeStart] === '+') {
      open = src[codeStart] as string;
      codeStart++;
    }
    const end = findTagEnd(src, codeStart, closer);
    if (end < 0) {
      pushText(j);
      textStart = j;
      pushText(src.length);
      return {
        segments,
        error: `unclosed ${c === '{' ? "'{{'" : "'{%'"} at line ${lineOf(src, j)}`,
      };
    }
    let codeEnd = end;
    let close = '';
    if (src[end - 1] === '-' || src[end - 1] === '+') {
      // `{{ a -}}`: the marker belongs to the delimiter unless it is the whole code (`{{-}}`).
      if (end - 1 >= codeStart) {
        close = src[end - 1] as string;
        codeEnd = end - 1;
      }
    }
    pushText(j);
    const inner = src.slice(codeStart, codeEnd);
    if (c === '%' && inner.trim() === 'raw') {
      RAW_END.lastIndex = end + 2;
      const m = RAW_END.exec(src);
      const bodyEnd = m ? m.index : src.length;
      const segEnd = m ? m.index + m[0].length : src.length;
      segments.push({
        kind: 'raw',
        start: j,
        end: segEnd,
        inner: src.slice(end + 2, bodyEnd),
        innerStart: end + 2,
        open,
        close,
      });
      i = textStart = segEnd;
      if (!m) return { segments, error: `unclosed raw block at line ${lineOf(src, j)}` };
      continue;
    }
    segments.push({
      kind: c === '{' ? 'expr' : 'stmt',
      start: j,
      end: end + 2,
      inner,
      innerStart: codeStart,
      open,
      close,
    });
    i = textStart = end + 2;
  }
  pushText(src.length);
  return { segments, error: null };
}

/** 1-based line of an offset. */
export function lineOf(src: string, offset: number): number {
  let n = 1;
  for (let i = src.indexOf('\n'); i >= 0 && i < offset; i = src.indexOf('\n', i + 1)) n++;
  return n;
}

/** The first word of a statement tag (`for`, `endif`, `macro`, …), or ''. */
export function stmtKeyword(inner: string): string {
  const m = /^\s*([A-Za-z_][A-Za-z0-9_]*)/.exec(inner);
  return m ? (m[1] as string) : '';
}

// ---------------------------------------------------------------------------------------------
// Literals

export type Literal = string | number | boolean | null | Literal[] | { [key: string]: Literal };

interface LiteralResult {
  value: Literal;
  next: number;
  /** Numbers: the text as written (versions keep `1.50` as `1.50`). */
  raw?: string;
}

function skipWs(toks: readonly Tok[], i: number): number {
  while (i < toks.length && (toks[i]?.kind === 'ws' || toks[i]?.kind === 'comment')) i++;
  return i;
}

function parseNumber(raw: string): number | null {
  const clean = raw.replace(/_/g, '');
  const n = /^0[xXoObB]/.test(clean) ? Number(clean.toLowerCase()) : Number(clean);
  return Number.isFinite(n) ? n : null;
}

/**
 * Reads one Python/Jinja literal (string, number, True/False/None in either case, list, tuple,
 * dict with string keys) starting at token `i` (whitespace skipped). Adjacent strings are joined,
 * as Python does. Returns null when the tokens there are not a literal.
 */
export function parseLiteral(toks: readonly Tok[], i: number): LiteralResult | null {
  i = skipWs(toks, i);
  const t = toks[i];
  if (!t) return null;
  if (t.kind === 'str') {
    let value = t.value ?? '';
    let j = skipWs(toks, i + 1);
    while (toks[j]?.kind === 'str') {
      value += toks[j]?.value ?? '';
      i = j;
      j = skipWs(toks, j + 1);
    }
    return { value, next: i + 1 };
  }
  if (t.kind === 'num') {
    const n = parseNumber(t.raw);
    return n === null ? null : { value: n, next: i + 1, raw: t.raw };
  }
  if (t.kind === 'op' && (t.raw === '-' || t.raw === '+')) {
    const j = skipWs(toks, i + 1);
    const n = toks[j];
    if (n?.kind !== 'num') return null;
    const v = parseNumber(n.raw);
    if (v === null) return null;
    return { value: t.raw === '-' ? -v : v, next: j + 1, raw: (t.raw === '-' ? '-' : '') + n.raw };
  }
  if (t.kind === 'name') {
    switch (t.raw) {
      case 'True':
      case 'true':
        return { value: true, next: i + 1 };
      case 'False':
      case 'false':
        return { value: false, next: i + 1 };
      case 'None':
      case 'none':
        return { value: null, next: i + 1 };
      default:
        return null;
    }
  }
  if (t.kind === 'op' && (t.raw === '[' || t.raw === '(')) {
    const close = t.raw === '[' ? ']' : ')';
    const items: Literal[] = [];
    let j = skipWs(toks, i + 1);
    let sawComma = false;
    while (j < toks.length && toks[j]?.raw !== close) {
      const item = parseLiteral(toks, j);
      if (!item) return null;
      items.push(item.value);
      j = skipWs(toks, item.next);
      if (toks[j]?.raw === ',') {
        sawComma = true;
        j = skipWs(toks, j + 1);
      } else if (toks[j]?.raw !== close) return null;
    }
    if (j >= toks.length) return null;
    // `(x)` is a parenthesised value, `(x,)` a one-element tuple.
    if (t.raw === '(' && items.length === 1 && !sawComma) {
      return { value: items[0] as Literal, next: j + 1 };
    }
    return { value: items, next: j + 1 };
  }
  if (t.kind === 'op' && t.raw === '{') {
    const obj: { [key: string]: Literal } = {};
    let j = skipWs(toks, i + 1);
    while (j < toks.length && toks[j]?.raw !== '}') {
      const key = parseLiteral(toks, j);
      if (!key || (typeof key.value !== 'string' && typeof key.value !== 'number')) return null;
      j = skipWs(toks, key.next);
      if (toks[j]?.raw !== ':') return null;
      const val = parseLiteral(toks, j + 1);
      if (!val) return null;
      Object.defineProperty(obj, String(key.value), {
        value: val.value,
        enumerable: true,
        writable: true,
        configurable: true,
      });
      j = skipWs(toks, val.next);
      if (toks[j]?.raw === ',') j = skipWs(toks, j + 1);
      else if (toks[j]?.raw !== '}') return null;
    }
    if (j >= toks.length) return null;
    return { value: obj, next: j + 1 };
  }
  return null;
}

/** One argument of a call, as tokens. */
export interface CallArg {
  /** Keyword name, or null for a positional argument. */
  name: string | null;
  /** `*x` (1) or `**x` (2) splats; 0 otherwise. */
  splat: 0 | 1 | 2;
  toks: Tok[];
}

/**
 * For each opening bracket token, the index of its closing bracket (-1 when unclosed); -1 for
 * other tokens. One pass, so callers can skip nested groups without rescanning them.
 */
export function bracketMatches(toks: readonly Tok[]): Int32Array {
  const match = new Int32Array(toks.length).fill(-1);
  const stack: number[] = [];
  for (let i = 0; i < toks.length; i++) {
    const t = toks[i] as Tok;
    if (t.kind !== 'op') continue;
    if (t.raw in OPENERS) stack.push(i);
    else if (CLOSERS.has(t.raw)) {
      const open = stack.pop();
      if (open !== undefined) match[open] = i;
    }
  }
  return match;
}

/**
 * Splits the arguments of a call whose `(` is token `open`. Returns the arguments and the index
 * of the closing `)`, or null when the parentheses never close.
 */
export function splitArgs(
  toks: readonly Tok[],
  open: number,
  match: Int32Array = bracketMatches(toks),
): { args: CallArg[]; close: number } | null {
  const close = match[open] ?? -1;
  if (close < 0) return null;
  const args: CallArg[] = [];
  let cur: Tok[] = [];
  const flush = (): void => {
    const sig = cur.filter((t) => t.kind !== 'ws' && t.kind !== 'comment');
    const first = sig[0];
    if (first === undefined) return;
    let splat: 0 | 1 | 2 = 0;
    let body = cur;
    if (first.kind === 'op' && (first.raw === '*' || first.raw === '**')) {
      splat = first.raw === '*' ? 1 : 2;
      body = cur.slice(cur.indexOf(first) + 1);
    }
    const second = sig[1];
    if (
      splat === 0 &&
      first.kind === 'name' &&
      second?.kind === 'op' &&
      second.raw === '=' &&
      sig[2]?.raw !== '='
    ) {
      args.push({ name: first.raw, splat, toks: cur.slice(cur.indexOf(second) + 1) });
    } else {
      args.push({ name: null, splat, toks: body });
    }
    cur = [];
  };
  for (let i = open + 1; i < close; i++) {
    const t = toks[i] as Tok;
    const inner = match[i] ?? -1;
    if (inner > i) {
      // A nested group: keep it whole.
      for (let j = i; j <= inner; j++) cur.push(toks[j] as Tok);
      i = inner;
      continue;
    }
    if (t.kind === 'op' && t.raw === ',') {
      flush();
      continue;
    }
    cur.push(t);
  }
  flush();
  return { args, close };
}

/** Whole-argument literal, or undefined when the argument is not exactly one literal. */
export function argLiteral(arg: CallArg): LiteralResult | undefined {
  const lit = parseLiteral(arg.toks, 0);
  if (!lit) return undefined;
  return skipWs(arg.toks, lit.next) === arg.toks.length ? lit : undefined;
}

/** Source text of tokens with whitespace runs collapsed, for messages. */
export function tokText(toks: readonly Tok[]): string {
  return toks
    .map((t) => (t.kind === 'ws' ? ' ' : t.raw))
    .join('')
    .trim();
}

// ---------------------------------------------------------------------------------------------
// Rewriting Jinja into what nunjucks parses

const TESTS_WITH_ARG = new Set([
  'divisibleby',
  'sameas',
  'equalto',
  'eq',
  'ne',
  'lt',
  'gt',
  'le',
  'ge',
  'in',
  'greaterthan',
  'lessthan',
]);

function prevSignificant(toks: readonly Tok[], i: number): Tok | undefined {
  for (let j = i - 1; j >= 0; j--) {
    const t = toks[j] as Tok;
    if (t.kind !== 'ws') return t;
  }
  return undefined;
}

function nextSignificantIndex(toks: readonly Tok[], i: number): number {
  for (let j = i + 1; j < toks.length; j++) if ((toks[j] as Tok).kind !== 'ws') return j;
  return -1;
}

/** A string literal nunjucks reads back as `value`. */
function quote(value: string): string {
  const escaped = value
    .replace(/\\/g, '\\\\')
    .replace(/"/g, '\\"')
    .replace(/\n/g, '\\n')
    .replace(/\r/g, '\\r')
    .replace(/\t/g, '\\t');
  return `"${escaped}"`;
}

/** Names after which `(` or `[` opens a group, tuple or list, not a call or subscript. */
const GROUP_AFTER = new Set(['in', 'and', 'or', 'not', 'if', 'else', 'is', 'elif']);

/** Whether a bracket after `prev` applies to it (call, subscript) rather than starting a value. */
function appliesTo(prev: Tok | undefined): boolean {
  return (
    prev !== undefined &&
    ((prev.kind === 'name' && !GROUP_AFTER.has(prev.raw)) ||
      prev.kind === 'str' ||
      prev.raw === ')' ||
      prev.raw === ']')
  );
}

/**
 * Rewrites Jinja expression code for nunjucks: `x[a:b]` slices → `x[__slice(a, b)]`, `*args` /
 * `**kwargs` in calls → `__splat(args)` / `__kwsplat(kwargs)`, `is divisibleby 3` → `is
 * divisibleby(3)`, trailing commas dropped (`(x,)` → `[x]`), decimal `v=`/`version=` arguments
 * kept as written (`v=1.50` → `v='1.50'`), and `}}` inside nested dicts spaced out so nunjucks
 * does not take it for the end of the tag. Everything else is returned unchanged (newlines kept).
 */
export function rewriteExpr(code: string): string {
  if (!/[[*,=:{'"]|\bis\b/.test(code)) return code;
  return rewriteToks(tokenize(code));
}

/** One pass over the tokens: each token is replaced, dropped, or gets text inserted around it. */
function rewriteToks(toks: readonly Tok[]): string {
  const match = bracketMatches(toks);
  const replace = new Map<number, string>();
  const before = new Map<number, string>();
  const after = new Map<number, string>();
  const addBefore = (i: number, text: string): void => {
    before.set(i, (before.get(i) ?? '') + text);
  };
  for (let i = 0; i < toks.length; i++) {
    const t = toks[i] as Tok;
    if (t.kind === 'op' && t.raw in OPENERS) {
      const close = match[i] ?? -1;
      if (close < 0) continue;
      // Top-level separators inside this bracket.
      const colons: number[] = [];
      const commas: number[] = [];
      for (let j = i + 1; j < close; j++) {
        const inner = match[j] ?? -1;
        if (inner > j) {
          j = inner;
          continue;
        }
        const x = toks[j] as Tok;
        if (x.kind === 'op' && x.raw === ':') colons.push(j);
        else if (x.kind === 'op' && x.raw === ',') commas.push(j);
      }
      const lastComma = commas[commas.length - 1];
      const trailing = lastComma !== undefined && nextSignificantIndex(toks, lastComma) === close;
      if (trailing) replace.set(lastComma, ''); // nunjucks rejects trailing commas
      const applied = appliesTo(prevSignificant(toks, i));
      if (t.raw === '[' && applied && colons.length > 0) {
        // A slice: `[a:b:c]` → `[__slice(a, b, c)]`, empty parts None.
        const bounds = [i, ...colons, close];
        const parts: string[] = [];
        for (let k = 0; k + 1 < bounds.length; k++) {
          const from = bounds[k] as number;
          const to = bounds[k + 1] as number;
          const empty = nextSignificantIndex(toks, from) === to;
          parts.push(empty ? 'none' : '');
        }
        replace.set(i, `[__slice(${parts[0] ?? ''}`);
        colons.forEach((c, k) => replace.set(c, `, ${parts[k + 1] ?? ''}`));
        replace.set(close, ')]');
      } else if (t.raw === '[' && applied && commas.length > 0) {
        // `x[a, b]` subscripts with a tuple.
        replace.set(i, '[(');
        replace.set(close, ')]');
      } else if (t.raw === '(' && !applied && trailing && commas.length === 1) {
        // `(x,)` is a one-element tuple.
        replace.set(i, '[');
        replace.set(close, ']');
      } else if (t.raw === '{' && !applied) {
        // Dict keys are expressions; nunjucks only reads a primary there: parenthesise the rest.
        let k = 0;
        for (const c of colons) {
          // The entry starts after the last top-level comma before its colon.
          while (k < commas.length && (commas[k] as number) < c) k++;
          const start = k > 0 ? (commas[k - 1] as number) : i;
          const first = nextSignificantIndex(toks, start);
          if (first >= 0 && first < c && nextSignificantIndex(toks, first) !== c) {
            addBefore(first, '(');
            addBefore(c, ')');
          }
        }
      }
      if (t.raw === '(' && applied) {
        // Splats among the call's arguments: `*x` / `**x` up to the next top-level `,` or `)`.
        const starts = [i, ...commas];
        starts.forEach((sep, k) => {
          const first = nextSignificantIndex(toks, sep);
          const ft = first >= 0 ? toks[first] : undefined;
          if (ft?.kind !== 'op' || (ft.raw !== '*' && ft.raw !== '**')) return;
          const end = commas[k] ?? close;
          replace.set(first, ft.raw === '*' ? '__splat(' : '__kwsplat(');
          addBefore(end, ')');
        });
      }
      continue;
    }
    if (t.kind === 'str' && toks[nextSignificantIndex(toks, i)]?.kind === 'str') {
      // Adjacent strings are one literal, as in Python (`"a" "b"`; Jinja reads `"""x"""` so too).
      let value = t.value ?? '';
      let last = i;
      let j = nextSignificantIndex(toks, i);
      while (j >= 0 && toks[j]?.kind === 'str') {
        value += toks[j]?.value ?? '';
        replace.set(j, '');
        last = j;
        j = nextSignificantIndex(toks, j);
      }
      replace.set(i, quote(value));
      i = last;
      continue;
    }
    if (t.kind === 'op' && t.raw === '}' && toks[i + 1]?.raw === '}') {
      // `}}` would end the tag for nunjucks' lexer.
      after.set(i, ' ');
      continue;
    }
    if (t.kind === 'name' && (t.raw === 'v' || t.raw === 'version')) {
      // A keyword argument (after `(` or `,`) with a decimal number: keep the number as written.
      const prev = prevSignificant(toks, i);
      const eq = nextSignificantIndex(toks, i);
      const num = eq >= 0 && toks[eq]?.raw === '=' ? nextSignificantIndex(toks, eq) : -1;
      const n = num >= 0 ? toks[num] : undefined;
      if ((prev?.raw === '(' || prev?.raw === ',') && n?.kind === 'num' && n.raw.includes('.')) {
        replace.set(num, `'${n.raw}'`);
      }
      continue;
    }
    if (t.kind === 'name' && t.raw === 'is') {
      // `is [not] test arg` → `is [not] test(arg)` for the tests that take one argument.
      let k = nextSignificantIndex(toks, i);
      if (k >= 0 && toks[k]?.raw === 'not') k = nextSignificantIndex(toks, k);
      const testTok = k >= 0 ? toks[k] : undefined;
      const argIdx = k >= 0 ? nextSignificantIndex(toks, k) : -1;
      const argTok = argIdx >= 0 ? toks[argIdx] : undefined;
      if (
        testTok?.kind === 'name' &&
        TESTS_WITH_ARG.has(testTok.raw) &&
        argTok !== undefined &&
        (argTok.kind === 'num' || argTok.kind === 'str' || argTok.kind === 'name') &&
        !['and', 'or', 'if', 'else', 'not', 'in', 'is'].includes(argTok.raw)
      ) {
        addBefore(argIdx, '(');
        after.set(argIdx, `)${after.get(argIdx) ?? ''}`);
      }
    }
  }
  let out = '';
  for (let i = 0; i < toks.length; i++) {
    const t = toks[i] as Tok;
    out += before.get(i) ?? '';
    out += replace.get(i) ?? t.raw;
    out += after.get(i) ?? '';
  }
  return out;
}

/** Blocks dbt reads out of a file before rendering (macro files, snapshot files). */
export interface Block {
  tag: string;
  /** The tag's code after the keyword (`name(args)` for a macro). */
  header: string;
  /** Offset of the opening `{%`. */
  start: number;
  /** Offset just after the closing `%}` of the end tag. */
  end: number;
  bodyStart: number;
  bodyEnd: number;
  /** No end tag: the body runs to the end of the file. */
  unclosed?: boolean;
}

/**
 * Top-level `{% tag … %} … {% endtag %}` blocks for the given tags. An unclosed block is
 * returned flagged `unclosed` (body to the end of the file) and named in `errors`. Text outside
 * blocks is ignored, as dbt does.
 */
export function extractBlocks(
  src: string,
  tags: ReadonlySet<string>,
): { blocks: Block[]; errors: string[] } {
  const { segments, error } = segment(src);
  const blocks: Block[] = [];
  const errors: string[] = error ? [error] : [];
  let open: { tag: string; header: string; start: number; bodyStart: number } | null = null;
  let depth = 0;
  for (const seg of segments) {
    if (seg.kind !== 'stmt') continue;
    const kw = stmtKeyword(seg.inner);
    if (!open) {
      if (tags.has(kw)) {
        open = {
          tag: kw,
          header: seg.inner.trim().slice(kw.length).trim(),
          start: seg.start,
          bodyStart: seg.end,
        };
        depth = 0;
      }
      continue;
    }
    if (kw === open.tag) depth++;
    else if (kw === `end${open.tag}`) {
      if (depth === 0) {
        blocks.push({ ...open, end: seg.end, bodyEnd: seg.start });
        open = null;
      } else depth--;
    }
  }
  if (open) {
    errors.push(`unclosed {% ${open.tag} %} at line ${lineOf(src, open.start)}`);
    blocks.push({ ...open, end: src.length, bodyEnd: src.length, unclosed: true });
  }
  return { blocks, errors };
}

const BLOCK_STATEMENTS = new Set(['if', 'elif', 'else', 'for', 'macro', 'call', 'filter']);

let unpackCounter = 0;

/**
 * `{% set a, b = x, y %}` (tuple unpacking, which nunjucks lacks) as one set of a list and one
 * set per name; null when the statement is not of that form.
 */
function unpackSet(body: string, open: string, close: string): string | null {
  const toks = tokenize(body);
  const match = bracketMatches(toks);
  let eq = -1;
  let commas = 0;
  for (let j = 0; j < toks.length; j++) {
    const inner = match[j] ?? -1;
    if (inner > j) {
      j = inner;
      continue;
    }
    const x = toks[j] as Tok;
    if (x.kind === 'op' && x.raw === '=') {
      eq = j;
      break;
    }
    if (x.kind === 'op' && x.raw === ',') commas++;
  }
  if (eq < 0 || commas === 0) return null;
  const names = toks
    .slice(0, eq)
    .filter(
      (t) =>
        t.kind !== 'ws' && !(t.kind === 'op' && (t.raw === ',' || t.raw === '(' || t.raw === ')')),
    );
  if (names.length === 0 || names.some((t) => t.kind !== 'name')) return null;
  const value = toks
    .slice(eq + 1)
    .map((t) => t.raw)
    .join('');
  const tmp = `__unpack_${++unpackCounter}`;
  // `x, y` becomes the list `[x, y]`; a single value (`f()`) is unpacked at run time.
  const parts = [`{%${open} set ${tmp} = __unpack([${rewriteExpr(value)}], ${names.length}) %}`];
  names.forEach((n, k) => {
    const last = k === names.length - 1;
    parts.push(`{% set ${n.raw} = ${tmp}[${k}] ${last ? close : ''}%}`);
  });
  return parts.join('');
}

/**
 * The template nunjucks is given: `{% do x %}` and `{% set a.b = x %}` (which nunjucks lacks)
 * become `{{ … }}` calls of the engine's helpers, `+` whitespace markers are dropped, and each
 * expression is passed through {@link rewriteExpr}. Comments and raw blocks are kept.
 */
export function toNunjucks(src: string, segmented: Segmented = segment(src)): string {
  let out = '';
  for (const seg of segmented.segments) {
    switch (seg.kind) {
      case 'text':
        out += seg.inner;
        break;
      case 'comment':
      case 'raw':
        out += src.slice(seg.start, seg.end);
        break;
      case 'expr': {
        const open = seg.open === '-' ? '-' : '';
        const close = seg.close === '-' ? '-' : '';
        const code = rewriteExpr(seg.inner);
        // A dict literal's `}` next to the closing `}}` would end the tag early.
        out += `{{${open}${code}${code.endsWith('}') ? ' ' : ''}${close}}}`;
        break;
      }
      case 'stmt': {
        const open = seg.open === '-' ? '-' : '';
        const close = seg.close === '-' ? '-' : '';
        const kw = stmtKeyword(seg.inner);
        let inner = seg.inner;
        // Jinja allows a colon after a block statement (`{% if execute: %}`).
        if (BLOCK_STATEMENTS.has(kw)) inner = inner.replace(/:\s*$/, '');
        const body = inner.replace(/^\s*[A-Za-z_][A-Za-z0-9_]*/, '');
        if (kw === 'do') {
          out += `{{${open} __do(${rewriteExpr(body)}) ${close}}}`;
          break;
        }
        if ((kw === 'break' || kw === 'continue') && body.trim() === '') {
          // Jinja's loop controls: signals the loops compiled by the engine catch.
          out += `{{${open} __${kw}() ${close}}}`;
          break;
        }
        if (kw === 'set') {
          const unpacked = unpackSet(body, open, close);
          if (unpacked !== null) {
            out += unpacked;
            break;
          }
        }
        if (kw === 'set') {
          const m = /^\s*([A-Za-z_][A-Za-z0-9_]*)\s*\.\s*([A-Za-z_][A-Za-z0-9_]*)\s*=(?!=)/.exec(
            body,
          );
          if (m) {
            const value = body.slice(m[0].length);
            out += `{{${open} __setattr(${m[1] as string}, "${m[2] as string}", ${rewriteExpr(value)}) ${close}}}`;
            break;
          }
        }
        out += `{%${open}${rewriteExpr(inner)}${close}%}`;
        break;
      }
    }
  }
  return out;
}
