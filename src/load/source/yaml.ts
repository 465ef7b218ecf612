/**
 * Source mode: reads one dbt YAML file (dbt_project.yml, a properties file, packages.yml, …)
 * the way dbt reads it, and keeps where every mapping, sequence and key was written.
 *
 * dbt loads YAML with PyYAML's `SafeLoader`, a YAML 1.1 loader, after decoding the file as
 * strict UTF-8 and stripping surrounding whitespace (`dbt_common.clients.system.load_file_contents`,
 * `dbt.clients.yaml_helper.load_yaml_text`). js-yaml 5 defaults to YAML 1.2 (`CORE_SCHEMA`), and
 * its `YAML11_SCHEMA` is not PyYAML either: it makes `y`/`n` booleans and unquoted dates `Date`s,
 * and `load()` returns no source positions at all. So this module uses js-yaml for what it does
 * well — the syntax: `parseEvents()` (an event stream with source offsets) and
 * `getScalarValue()` (quoting, escapes, folding, block scalars) — and builds the values itself
 * with PyYAML's resolver and constructor rules, recording offsets as it goes:
 *
 * - Plain scalars resolve with PyYAML's YAML 1.1 regular expressions, nothing more:
 *   - booleans are `yes|Yes|YES|no|No|NO|true|True|TRUE|false|False|FALSE|on|On|ON|off|Off|OFF`
 *     (`y`, `n`, `tRue` stay strings);
 *   - null is empty, `~`, `null`, `Null`, `NULL`;
 *   - integers: decimal, `0b…`, `0x…`, `0…` octal (`017` is 15, `09` a string, `0o17` a
 *     string), `_` separators, and base-60 `190:20:30` (685230) — PyYAML does it, so dbt's
 *     manifest has the number, and so do we;
 *   - floats need a dot (`1.5`, `1.`, `.5`, `1.0e+3`; `1e3` and `1.0e3` are strings), plus
 *     `.inf`, `-.inf`, `.nan` and base-60 `1:20.5`. Numbers become JS numbers (an integer past
 *     2^53 loses precision, as it does when a manifest is read with JSON.parse);
 *   - timestamps (`2024-01-31`, `2024-01-31 10:00:00`, `…T…Z`) stay the text as written: PyYAML
 *     makes dates of them and dbt writes them back as text (deprecation_date). A timestamp that
 *     is no real date (`2024-02-30`) fails in PyYAML, so it is a YamlSyntaxError here;
 *   - a plain `=` value is YAML 1.1's "value" key and PyYAML cannot construct it: an error (as a
 *     key it is the string `=`, as in PyYAML).
 * - Quoted and block scalars are strings. Jinja (`"{{ env_var('X') }}"`) is therefore kept as
 *   text when quoted; unquoted, `{{ x }}` is a flow mapping used as a key, which PyYAML refuses
 *   ("found unhashable key"), and so do we, with a message that says to quote it.
 * - Explicit tags: `!!str`, `!!int`, `!!float`, `!!bool`, `!!null`, `!!timestamp`, `!!map`,
 *   `!!seq` as in PyYAML (`!` alone means "resolve as plain", as PyYAML does); any other tag
 *   (`!!binary`, `!!set`, `!!omap`, `!!pairs`, `!Ref`, …) is refused: dbt cannot use the Python
 *   objects PyYAML makes of them, or fails on them.
 * - Mappings are prototype-less objects (`__proto__` and `constructor` are plain keys). Keys are
 *   strings: a non-string scalar key becomes the text JSON gives it (`true`, `null`, `1`); a
 *   mapping or sequence as a key is refused (PyYAML: unhashable). The last duplicate key wins
 *   (PyYAML; dbt 1.10 only warns) and keeps the place of its first occurrence in key order.
 * - Anchors and aliases: an alias is the very same object as its anchor, as in PyYAML. A
 *   duplicate anchor name is an error (PyYAML's composer refuses it; YAML 1.2 would not), an
 *   alias inside its own anchor (a recursive structure) is refused.
 * - Merge keys `<<` (plain only; `"<<"` is a normal key) take a mapping or a list of mappings.
 *   PyYAML's order: the mapping's own keys beat every merged key wherever `<<` stands; in a
 *   list, an earlier mapping beats a later one; of two `<<` keys, the later one wins. A merged
 *   key's position is where it is written in the merged mapping.
 * - One document per file: a second document (`---`) is an error, as in dbt. An empty,
 *   whitespace-only or comment-only file, or a bare `---`, gives `value: null`.
 * - Text: a Buffer is decoded as strict UTF-8 (an invalid byte is an error with its
 *   position); a leading byte-order mark is dropped (positions are counted without it);
 *   characters PyYAML's reader refuses (C0/C1 controls other than tab, LF, CR, NEL) are errors;
 *   the text is stripped like Python's `str.strip()` before parsing, positions still refer to
 *   the file as written.
 * - Syntax is js-yaml's, brought to PyYAML's where the two differ (checked against PyYAML 6
 *   on every YAML file of the test corpus and on thousands of mutations of them):
 *   - tabs: PyYAML accepts a tab only inside quoted and block scalars and in comments; anywhere
 *     else (indentation, between tokens, after a value) it fails, and so does this reader,
 *     with a message that names the tab;
 *   - continuation lines of a quoted scalar or a flow collection may be indented less than
 *     YAML 1.2 wants (PyYAML ignores their indentation): accepted, see parseLeniently();
 *   - an implicit key must be non-empty and on one line with its `:`; a block mapping cannot
 *     start on its parent key's line (`a: &x b: c`); a plain scalar in a flow collection cannot
 *     start with `:` — all errors in PyYAML, accepted by js-yaml;
 *   - left as js-yaml has it: `[-]` (PyYAML reads the string "-", js-yaml fails).
 * - Limits (untrusted input): nesting deeper than MAX_DEPTH levels, aliases included, and alias
 *   expansion beyond MAX_ALIAS_EXPANSION nodes (a "billion laughs" file) are refused.
 *
 * Positions are 1-based lines and columns; a column counts UTF-16 code units, a line ends at
 * LF, CRLF or CR. A mapping's position is its first key's, a sequence's is its first item's
 * (so `- name: orders` points at `name`); an empty `{}`/`[]` is its bracket.
 */
import { isUtf8 } from 'node:buffer';
import {
  COLLECTION_STYLE,
  EVENT_ID,
  SCALAR_STYLE,
  YAMLException,
  getScalarValue,
  parseEvents,
  type DocumentEvent,
  type Event,
  type ScalarEvent,
} from 'js-yaml';
import { isPythonSpace } from './py-text.js';

/** 1-based line and column (UTF-16 code units). */
export interface YamlPosition {
  line: number;
  column: number;
}

export interface YamlDocument {
  /** The parsed value (prototype-less objects; `__proto__`, `constructor` keys are plain data), or null for an empty file. */
  value: unknown;
  /** Position of a mapping or sequence node (its first key / first item). */
  positionOf(node: object): YamlPosition | null;
  /** Position of a key inside a mapping node. */
  keyPosition(node: object, key: string): YamlPosition | null;
}

/** A file dbt could not load either. The message is one line: `file:line:col: reason`. */
export class YamlSyntaxError extends Error {
  readonly file: string;
  readonly line: number;
  readonly column: number;
  /** The message without the `file:line:col: ` prefix. */
  readonly reason: string;

  constructor(file: string, line: number, column: number, reason: string) {
    super(`${file}:${line}:${column}: ${reason}`);
    this.name = 'YamlSyntaxError';
    this.file = file;
    this.line = line;
    this.column = column;
    this.reason = reason;
  }
}

/** Deepest nesting of mappings and sequences accepted, counted through aliases. */
export const MAX_DEPTH = 100;
/** Most nodes that aliases may add to a document (each alias adds its anchor's node count). */
export const MAX_ALIAS_EXPANSION = 1_000_000;

/**
 * Parses one dbt YAML file. Throws YamlSyntaxError when dbt could not load it either (or when
 * it is hostile: too deep, alias bomb); any other throw is a bug.
 */
export function parseDbtYaml(text: string | Buffer, file: string): YamlDocument {
  let full = typeof text === 'string' ? text : decodeUtf8(text, file);
  const hadBom = full.charCodeAt(0) === 0xfeff;
  if (hadBom) full = full.slice(1);
  const lines = new LineIndex(full);
  // dbt strips the text (Python str.strip()) before PyYAML sees it; a BOM is not whitespace to
  // Python, so with a BOM nothing is stripped at the start (PyYAML's scanner then skips the BOM).
  const base = hadBom ? 0 : leadingWhitespace(full);
  const src = full.slice(base, Math.max(base, trailingWhitespaceStart(full)));
  // Offsets below are into `work`, which is `src` with spaces inserted by parseLeniently().
  const padding = new Padding();
  const toPosition = (offset: number): YamlPosition =>
    lines.position(base + padding.toSource(Math.max(0, offset)));
  const fail = (offset: number, reason: string): never => {
    const pos = toPosition(offset);
    throw new YamlSyntaxError(file, pos.line, pos.column, reason);
  };

  const bad = UNPRINTABLE.exec(src);
  if (bad) {
    const cp = src.codePointAt(bad.index) ?? 0;
    fail(
      bad.index,
      `unacceptable character #x${cp.toString(16).padStart(4, '0')}: special characters are not allowed`,
    );
  }

  const { events, work } = parseLeniently(src, padding, fail);
  const table = new NodeTable();
  let value: unknown = null;
  if (events.length > 0) {
    checkSingleDocument(events, work, fail);
    checkTabs(events, work, fail);
    value = new Builder(work, events, table, fail).document();
  }

  return {
    value,
    positionOf(node: object): YamlPosition | null {
      const offset = table.start(node);
      return offset === undefined ? null : toPosition(offset);
    },
    keyPosition(node: object, key: string): YamlPosition | null {
      const offset = table.keyOffset(node, key);
      return offset === undefined ? null : toPosition(offset);
    },
  };
}

// ---------------------------------------------------------------------------------------------
// Text

/** What PyYAML's Reader accepts (`Reader.NON_PRINTABLE` is its complement). */
const UNPRINTABLE = /[^\t\n\r\x20-\x7e\x85\xa0-\ud7ff\ue000-\ufffd\u{10000}-\u{10ffff}]/u;

function leadingWhitespace(s: string): number {
  let i = 0;
  while (i < s.length && isPythonSpace(s.charCodeAt(i))) i++;
  return i;
}

function trailingWhitespaceStart(s: string): number {
  let i = s.length;
  while (i > 0 && isPythonSpace(s.charCodeAt(i - 1))) i--;
  return i;
}

/** Strict UTF-8, as dbt decodes files; the BOM is kept here and dropped by the caller. */
function decodeUtf8(buf: Buffer, file: string): string {
  // isUtf8 + toString (which keeps a BOM, as ignoreBOM does) is much quicker than a fatal
  // TextDecoder, and gives the same text; the decoder only explains a fault.
  if (isUtf8(buf)) return buf.toString('utf8');
  try {
    return new TextDecoder('utf-8', { fatal: true, ignoreBOM: true }).decode(buf);
  } catch {
    const at = firstInvalidUtf8(buf);
    let prefix = new TextDecoder('utf-8', { ignoreBOM: true }).decode(buf.subarray(0, at));
    if (prefix.charCodeAt(0) === 0xfeff) prefix = prefix.slice(1);
    const pos = new LineIndex(prefix).position(prefix.length);
    const byte = (buf[at] ?? 0).toString(16).padStart(2, '0');
    throw new YamlSyntaxError(
      file,
      pos.line,
      pos.column,
      `invalid UTF-8 (byte 0x${byte}): dbt reads YAML files as UTF-8`,
    );
  }
}

/** Offset of the first byte that starts an invalid UTF-8 sequence (buf.length if none). */
function firstInvalidUtf8(buf: Buffer): number {
  let i = 0;
  while (i < buf.length) {
    const b = buf[i] ?? 0;
    let n: number;
    let lo = 0x80;
    let hi = 0xbf;
    if (b < 0x80) n = 0;
    else if (b >= 0xc2 && b <= 0xdf) n = 1;
    else if (b >= 0xe0 && b <= 0xef) {
      n = 2;
      if (b === 0xe0) lo = 0xa0;
      if (b === 0xed) hi = 0x9f;
    } else if (b >= 0xf0 && b <= 0xf4) {
      n = 3;
      if (b === 0xf0) lo = 0x90;
      if (b === 0xf4) hi = 0x8f;
    } else return i;
    for (let k = 1; k <= n; k++) {
      const c = buf[i + k];
      if (c === undefined || c < (k === 1 ? lo : 0x80) || c > (k === 1 ? hi : 0xbf)) return i;
    }
    i += n + 1;
  }
  return buf.length;
}

/** Offsets to 1-based line/column; a line ends at LF, CRLF or a lone CR. */
class LineIndex {
  private starts: number[] | null = null;

  constructor(private readonly text: string) {}

  position(offset: number): YamlPosition {
    const starts = (this.starts ??= lineStarts(this.text));
    let lo = 0;
    let hi = starts.length - 1;
    while (lo < hi) {
      const mid = (lo + hi + 1) >> 1;
      if ((starts[mid] ?? 0) <= offset) lo = mid;
      else hi = mid - 1;
    }
    return { line: lo + 1, column: offset - (starts[lo] ?? 0) + 1 };
  }
}

function lineStarts(text: string): number[] {
  const starts = [0];
  if (text.indexOf('\r') < 0) {
    // LF only (the usual case): indexOf is far quicker than a loop over every character.
    for (let i = text.indexOf('\n'); i >= 0; i = text.indexOf('\n', i + 1)) starts.push(i + 1);
    return starts;
  }
  for (let i = 0; i < text.length; i++) {
    const c = text.charCodeAt(i);
    if (c === 10) starts.push(i + 1);
    else if (c === 13 && text.charCodeAt(i + 1) !== 10) starts.push(i + 1);
  }
  return starts;
}

// ---------------------------------------------------------------------------------------------
// Parsing

/** Spaces inserted into the text (offsets into the padded text), to map offsets back. */
class Padding {
  /** [offset in the padded text where the spaces start, number of spaces], ascending. */
  private readonly inserts: Array<[number, number]> = [];

  add(at: number, count: number): void {
    // Parse errors move forward: an insert is at the end of the last one or past it.
    const last = this.inserts[this.inserts.length - 1];
    if (last && last[0] === at) last[1] += count;
    else this.inserts.push([at, count]);
  }

  toSource(offset: number): number {
    let shift = 0;
    for (const [at, count] of this.inserts) {
      if (offset < at) break;
      if (offset < at + count) return at - shift;
      shift += count;
    }
    return offset - shift;
  }
}

/**
 * Most text parseLeniently() will parse for one file, re-parses included (characters): each
 * padded line costs one more parse, so a file with thousands of such lines would be slow.
 */
const LENIENT_BUDGET = 50_000_000;

/**
 * js-yaml's parseEvents(), made as lenient as PyYAML about one thing: the continuation lines of
 * a quoted scalar or of a flow collection (`description: "long text` wrapped to column 0,
 * `values: ['a',` / `'b']`). YAML 1.2 wants them indented more than their parent; PyYAML
 * ignores their indentation. On js-yaml's "deficient indentation" the offending line is
 * indented further and the text parsed again. That changes no value: the leading whitespace
 * of such a line is not content (quoted scalars fold it away, flow collections skip it).
 * Each padded line costs a parse of the file; LENIENT_BUDGET bounds the total.
 */
function parseLeniently(
  src: string,
  padding: Padding,
  fail: Fail,
): { events: Event[]; work: string } {
  let work = src;
  let parsed = 0;
  let lastLine = -1;
  let pad = 0;
  for (;;) {
    parsed += work.length;
    try {
      return { events: parseEvents(work, { maxDepth: MAX_DEPTH + 1 }), work };
    } catch (err) {
      if (!(err instanceof YAMLException)) {
        if (err instanceof RangeError) fail(0, `nesting too deep to read (${err.message})`);
        throw err;
      }
      const offset = err.mark?.position ?? 0;
      const lineStart = lineStartOf(work, offset);
      const marker = /^(?:---|\.\.\.)(?=[ \t\r\n]|$)/.test(work.slice(lineStart, lineStart + 4));
      if (err.reason !== 'deficient indentation' || marker || pad > 4096) {
        if (marker && err.reason === 'deficient indentation')
          fail(lineStart, 'found unexpected document separator');
        fail(offset, explainSyntaxError(err.reason, work, offset));
      }
      if (parsed + work.length > LENIENT_BUDGET) {
        fail(
          offset,
          'deficient indentation (too many under-indented continuation lines to read leniently: indent them)',
        );
      }
      pad = lineStart === lastLine ? pad * 2 : 64;
      lastLine = lineStart;
      work = work.slice(0, lineStart) + ' '.repeat(pad) + work.slice(lineStart);
      padding.add(lineStart, pad);
    }
  }
}

// ---------------------------------------------------------------------------------------------
// Checks on the event stream

type Fail = (offset: number, reason: string) => never;

/** PyYAML's error for js-yaml's, plus a hint where unquoted Jinja is the likely cause. */
function explainSyntaxError(reason: string, src: string, offset: number): string {
  if (/maxDepth/.test(reason)) return `nesting deeper than ${MAX_DEPTH} levels`;
  const lineStart = lineStartOf(src, offset);
  let lineEnd = src.indexOf('\n', offset);
  if (lineEnd < 0) lineEnd = src.length;
  const line = src.slice(lineStart, lineEnd);
  if (/(?:^|[\s,[{:-])\{[{%]/.test(line)) {
    return `${reason} (unquoted Jinja? a value starting with "{{" or "{%" must be quoted)`;
  }
  return reason;
}

/** dbt (PyYAML `load`) refuses a second document: `---` after content, or after `---`. */
function checkSingleDocument(events: Event[], src: string, fail: Fail): void {
  // Usually one document: say so from the event types alone (an indexed loop, no iterator).
  let documents = 0;
  for (let i = 0; i < events.length && documents < 2; i++)
    if (events[i]!.type === EVENT_ID.DOCUMENT) documents++;
  if (documents < 2) return;
  let docs = 0;
  let lastOffset = -1;
  let firstExplicit = false;
  let firstDocHasContent = false;
  for (const ev of events) {
    if (ev.type === EVENT_ID.DOCUMENT) {
      docs++;
      if (docs === 1) firstExplicit = ev.explicitStart;
      if (docs === 2) {
        // Find the second document's `---` after the first document's last token.
        const marker = /^---(?=[ \t\r\n]|$)/gm;
        marker.lastIndex = Math.max(0, lastOffset);
        let m = marker.exec(src);
        if (m && firstExplicit && !firstDocHasContent) m = marker.exec(src);
        fail(
          m ? m.index : nextEventOffset(events, ev, src.length),
          'expected a single document in the stream, but found another document (dbt reads one document per file)',
        );
      }
      continue;
    }
    const end = eventEnd(ev);
    if (end >= 0) {
      lastOffset = Math.max(lastOffset, end);
      firstDocHasContent = true;
    }
  }
}

function nextEventOffset(events: Event[], after: DocumentEvent, fallback: number): number {
  const i = events.indexOf(after);
  for (let k = i + 1; k < events.length; k++) {
    const ev = events[k];
    if (ev && eventEnd(ev) >= 0) return tokenStart(ev);
  }
  return fallback;
}

function eventEnd(ev: Event): number {
  switch (ev.type) {
    case EVENT_ID.SCALAR:
      return ev.valueEnd >= 0 ? ev.valueEnd : ev.tagEnd >= 0 ? ev.tagEnd : ev.anchorEnd;
    case EVENT_ID.ALIAS:
      return ev.anchorEnd;
    case EVENT_ID.SEQUENCE:
    case EVENT_ID.MAPPING:
      return ev.start;
    default:
      return -1;
  }
}

/** Just past a token: a closing quote, an alias name, a sequence's `-` or `[`; -1 for none. */
function tokenEnd(ev: Event): number {
  switch (ev.type) {
    case EVENT_ID.SCALAR:
      if (ev.valueStart < 0) return ev.tagEnd >= 0 ? ev.tagEnd : ev.anchorEnd;
      return ev.style === SCALAR_STYLE.SINGLE_QUOTED || ev.style === SCALAR_STYLE.DOUBLE_QUOTED
        ? ev.valueEnd + 1
        : ev.valueEnd;
    case EVENT_ID.ALIAS:
      return ev.anchorEnd;
    case EVENT_ID.SEQUENCE:
      return ev.start + 1;
    default:
      return -1;
  }
}

/** Where a node's own token starts (the quote of a quoted scalar, `*` of an alias); -1 if unknown. */
function tokenStart(ev: Event): number {
  switch (ev.type) {
    case EVENT_ID.SCALAR:
      if (ev.valueStart < 0) return -1;
      return ev.style === SCALAR_STYLE.SINGLE_QUOTED || ev.style === SCALAR_STYLE.DOUBLE_QUOTED
        ? ev.valueStart - 1
        : ev.valueStart;
    case EVENT_ID.ALIAS:
      return ev.anchorStart - 1;
    case EVENT_ID.SEQUENCE:
    case EVENT_ID.MAPPING:
      return ev.start;
    default:
      return -1;
  }
}

/**
 * PyYAML only skips spaces between tokens: a tab is accepted inside quoted scalars, in a block
 * scalar's content (past its indentation) and in comments, and nowhere else.
 */
function checkTabs(events: Event[], src: string, fail: Fail): void {
  let tab = src.indexOf('\t');
  if (tab < 0) return;
  // Ranges where a tab is content, in source order: [start, end, minimum column or -1].
  const safe: Array<[number, number, number]> = [];
  for (const ev of events) {
    if (ev.type !== EVENT_ID.SCALAR || ev.valueStart < 0) continue;
    if (ev.style === SCALAR_STYLE.SINGLE_QUOTED || ev.style === SCALAR_STYLE.DOUBLE_QUOTED) {
      safe.push([ev.valueStart - 1, ev.valueEnd + 1, -1]);
    } else if (ev.style === SCALAR_STYLE.LITERAL_BLOCK || ev.style === SCALAR_STYLE.FOLDED_BLOCK) {
      safe.push([ev.valueStart, ev.valueEnd, ev.indent]);
    }
  }
  let k = 0;
  const inSafe = (i: number): boolean => {
    while (k < safe.length && (safe[k]?.[1] ?? 0) <= i) k++;
    const r = safe[k];
    if (!r || i < r[0]) return false;
    if (r[2] < 0) return true;
    return i - lineStartOf(src, i) >= r[2];
  };
  while (tab >= 0) {
    if (!inSafe(tab)) {
      const ls = lineStartOf(src, tab);
      if (!inComment(src, ls, tab, safe)) {
        const indentation = /^[ \t]*$/.test(src.slice(ls, tab));
        fail(
          tab,
          indentation
            ? 'tab character used for indentation: YAML allows only spaces there'
            : 'tab character outside a quoted string: YAML (as dbt reads it) allows only spaces between tokens',
        );
      }
    }
    tab = src.indexOf('\t', tab + 1);
  }
}

function inRanges(ranges: ReadonlyArray<[number, number, number]>, i: number): boolean {
  let lo = 0;
  let hi = ranges.length - 1;
  while (lo <= hi) {
    const mid = (lo + hi) >> 1;
    const r = ranges[mid];
    if (!r) break;
    if (i < r[0]) hi = mid - 1;
    else if (i >= r[1]) lo = mid + 1;
    else return true;
  }
  return false;
}

function lineStartOf(src: string, i: number): number {
  let j = Math.min(i, src.length);
  while (j > 0) {
    const c = src.charCodeAt(j - 1);
    if (c === 10 || c === 13) break;
    j--;
  }
  return j;
}

/** Whether a `#` that starts a comment stands between the line start and `i`, outside scalars. */
function inComment(
  src: string,
  lineStart: number,
  i: number,
  safe: ReadonlyArray<[number, number, number]>,
): boolean {
  for (let j = lineStart; j < i; j++) {
    if (src.charCodeAt(j) !== 35 /* # */) continue;
    if (inRanges(safe, j)) continue;
    const prev = j === lineStart ? ' ' : src.charAt(j - 1);
    if (prev === ' ' || prev === '\t' || prev === '"' || prev === "'") return true;
  }
  return false;
}

// ---------------------------------------------------------------------------------------------
// Values

/**
 * Where each mapping and sequence of a document starts, and the offsets of every mapping key,
 * one contiguous run per mapping (a Map or an object per node costs far more memory, and the
 * garbage collector copies it). Within a run a later entry for a key wins: merged keys come
 * first (where written in their source), own keys last.
 *
 * A Map, not a WeakMap: it lives as long as the values it describes (the document), and a
 * large WeakMap is costly for the garbage collector (ephemerons). Its values are small
 * integers (an index into `info`), so an entry allocates nothing of its own.
 */
class NodeTable {
  private readonly index = new Map<object, number>();
  /** Three numbers per node: its position's offset, and its run of keys [first, end). */
  private readonly info: number[] = [];
  private readonly names: string[] = [];
  private readonly offsets: number[] = [];

  get length(): number {
    return this.names.length;
  }

  push(name: string, offset: number): void {
    this.names.push(name);
    this.offsets.push(offset);
  }

  /** Records a node: its position's offset and its run of keys [first, end). */
  add(node: object, start: number, first: number, end: number): void {
    const info = this.info;
    this.index.set(node, info.length);
    info.push(start, first, end);
  }

  /** Offset of a node's position; undefined for a value that is no mapping or sequence. */
  start(node: object): number | undefined {
    const i = this.index.get(node);
    return i === undefined ? undefined : this.info[i];
  }

  /** Offset of `key` in a mapping's run, as last written; undefined when it has none. */
  keyOffset(node: object, key: string): number | undefined {
    const i = this.index.get(node);
    if (i === undefined) return undefined;
    const first = this.info[i + 1]!;
    for (let k = this.info[i + 2]! - 1; k >= first; k--)
      if (this.names[k] === key) return this.offsets[k];
    return undefined;
  }
}

/** A new prototype-less object in fast (not dictionary) mode, unlike Object.create(null). */
export function nullObject(): Record<string, unknown> {
  // V8 makes an Object.create(null) a hash table, slow to fill and to collect; a literal whose
  // prototype is then set to null keeps fast properties (the transition is cached), and with
  // no prototype a `__proto__` key is a plain own property all the same.
  return Object.setPrototypeOf({}, null) as Record<string, unknown>;
}

/** An anchored node: its value, how many nodes it stands for, how deep it goes, where it starts. */
interface Built {
  value: unknown;
  size: number;
  height: number;
  start: number;
}

const OPEN = Symbol('anchor being built');
const MERGE = Symbol('<<');
const YAML_TAG = 'tag:yaml.org,2002:';

const BOOL_RE = /^(?:yes|Yes|YES|no|No|NO|true|True|TRUE|false|False|FALSE|on|On|ON|off|Off|OFF)$/;
const FLOAT_RE =
  /^(?:[-+]?(?:[0-9][0-9_]*)\.[0-9_]*(?:[eE][-+][0-9]+)?|\.[0-9][0-9_]*(?:[eE][-+][0-9]+)?|[-+]?[0-9][0-9_]*(?::[0-5]?[0-9])+\.[0-9_]*|[-+]?\.(?:inf|Inf|INF)|\.(?:nan|NaN|NAN))$/;
const INT_RE =
  /^(?:[-+]?0b[0-1_]+|[-+]?0[0-7_]+|[-+]?(?:0|[1-9][0-9_]*)|[-+]?0x[0-9a-fA-F_]+|[-+]?[1-9][0-9_]*(?::[0-5]?[0-9])+)$/;
const NULL_RE = /^(?:~|null|Null|NULL|)$/;
const TIMESTAMP_RE =
  /^(?:[0-9][0-9][0-9][0-9]-[0-9][0-9]-[0-9][0-9]|[0-9][0-9][0-9][0-9]-[0-9][0-9]?-[0-9][0-9]?(?:[Tt]|[ \t]+)[0-9][0-9]?:[0-9][0-9]:[0-9][0-9](?:\.[0-9]*)?(?:[ \t]*(?:Z|[-+][0-9][0-9]?(?::[0-9][0-9])?))?)$/;
/** PyYAML's `timestamp_regexp`, used to construct (and validate) a timestamp. */
const TIMESTAMP_PARTS =
  /^([0-9]{4})-([0-9][0-9]?)-([0-9][0-9]?)(?:(?:[Tt]|[ \t]+)([0-9][0-9]?):([0-9][0-9]):([0-9][0-9])(?:\.[0-9]*)?(?:[ \t]*(?:Z|([-+])([0-9][0-9]?)(?::([0-9][0-9]))?))?)?$/;
/** What `!!int` / `!!float` accept (Python's int()/float() on PyYAML's cleaned text). */
const EXPLICIT_INT_RE = /^[-+]?(?:0b[01_]+|0x[0-9a-fA-F_]+|[0-9][0-9_]*(?::[0-9_]+)*)$/;
const EXPLICIT_FLOAT_RE =
  /^[-+]?(?:\.inf|\.nan|[0-9]+(?::[0-9]+)*(?:\.[0-9]*)?(?:[eE][-+]?[0-9]+)?|\.[0-9]+(?:[eE][-+]?[0-9]+)?)$/i;
/** First characters for which a plain scalar may be anything but a string. */
const MAYBE_NOT_STRING = /^[-+0-9.yYnNtTfFoO~<=]/;

/** The plain words BOOL_RE and NULL_RE accept: the only non-strings that start with a letter. */
const SPECIAL_WORDS: ReadonlySet<string> = new Set(
  'yes Yes YES no No NO true True TRUE false False FALSE on On ON off Off OFF null Null NULL'.split(
    ' ',
  ),
);

/**
 * Whether a plain scalar may resolve to anything but a string. Most keys and many values are
 * words (`name`, `not_null`): a set lookup tells them, not the resolvers' regular expressions.
 */
function maybeNotString(text: string): boolean {
  const c = text.charCodeAt(0) | 0x20;
  if (c >= 97 /* a */ && c <= 122 /* z */) return SPECIAL_WORDS.has(text);
  return MAYBE_NOT_STRING.test(text);
}

type Resolved =
  | { kind: 'value'; value: unknown; float?: true }
  | { kind: 'merge' }
  | { kind: 'error'; reason: string };

class Builder {
  private i = 0;
  /** How many flow collections (`[…]`, `{…}`) enclose the current node. */
  private flowDepth = 0;
  /** Offset just past the last token read. */
  private lastEnd = 0;
  private readonly anchors = new Map<string, Built | typeof OPEN>();
  private expansion = 0;
  private tagHandles = new Map<string, string>();
  /** Keys (and their offsets) of the mappings being built, innermost last. */
  private readonly pendingNames: string[] = [];
  private readonly pendingAt: number[] = [];
  /**
   * The last node built: how many nodes it stands for, how deep it goes, where it starts, and
   * whether it is a float. Fields, not an object per node: most nodes are scalars, and an
   * object for each is garbage the collector must scavenge.
   */
  private nodeSize = 1;
  private nodeHeight = 0;
  private nodeStart = -1;
  private nodeFloat = false;

  constructor(
    private readonly src: string,
    private readonly events: Event[],
    private readonly table: NodeTable,
    private readonly fail: Fail,
  ) {}

  document(): unknown {
    const doc = this.next();
    if (doc.type !== EVENT_ID.DOCUMENT) return this.fail(0, 'unexpected YAML event stream');
    this.tagHandles = new Map([
      ['!', '!'],
      ['!!', YAML_TAG],
    ]);
    for (const d of doc.directives) if (d.kind === 'tag') this.tagHandles.set(d.handle, d.prefix);
    const ev = this.events[this.i];
    if (!ev || ev.type === EVENT_ID.POP) return null;
    return this.node(1);
  }

  private next(): Event {
    const ev = this.events[this.i++];
    if (!ev) return this.fail(this.src.length, 'unexpected end of the YAML event stream');
    const end = tokenEnd(ev);
    if (end > this.lastEnd) this.lastEnd = end;
    return ev;
  }

  /** Set by significant(): offset of the last `:` it passed over, or -1. */
  private colonAt = -1;

  /**
   * The first token at or after `from`, past whitespace, comments and the indicators
   * `{ } [ ] , :` (the last `:` passed over is left in colonAt). Char codes, no allocation:
   * this runs before every mapping key.
   */
  private significant(from: number): number {
    const src = this.src;
    const n = src.length;
    let j = from;
    let colon = -1;
    while (j < n) {
      const c = src.charCodeAt(j);
      if (c === 35 /* # */) {
        while (j < n && src.charCodeAt(j) !== 10 && src.charCodeAt(j) !== 13) j++;
      } else if (
        c === 32 ||
        c === 9 ||
        c === 13 ||
        c === 10 ||
        c === 123 /* { */ ||
        c === 125 /* } */ ||
        c === 91 /* [ */ ||
        c === 93 /* ] */ ||
        c === 44 /* , */ ||
        c === 58 /* : */
      ) {
        if (c === 58) colon = j;
        j++;
      } else break;
    }
    this.colonAt = colon;
    return j;
  }

  /**
   * Checks an implicit key (not after `?`) as PyYAML's scanner does, where js-yaml (YAML 1.2)
   * is more lenient: it may not be empty (`: value`), and it must stand on one line with its
   * `:` (js-yaml folds `{long\n key: v}` into one key). Call before reading the key.
   */
  private checkImplicitKey(kx: Event): void {
    const at = this.significant(this.lastEnd);
    const colon = this.colonAt;
    if (this.src.charCodeAt(at) === 63 /* ? */) return;
    if (kx.type === EVENT_ID.SCALAR && kx.valueStart < 0 && kx.tagStart < 0 && kx.anchorStart < 0) {
      this.fail(
        colon >= 0 ? colon : at,
        'mapping values are not allowed here: a key is missing before ":"',
      );
    }
    if (kx.type !== EVENT_ID.SCALAR || kx.valueStart < 0) return;
    const src = this.src;
    const n = src.length;
    const keyStart = tokenStart(kx);
    let j = tokenEnd(kx);
    for (let c = src.charCodeAt(j); j < n && (c === 32 || c === 9 || c === 13 || c === 10);)
      c = src.charCodeAt(++j);
    if (src.charCodeAt(j) !== 58 /* : */) return;
    for (let k = keyStart; k < j; k++) {
      const c = src.charCodeAt(k);
      if (c === 10 || c === 13)
        this.fail(j, 'a key and its ":" must be on one line (YAML 1.1 keys cannot span lines)');
    }
  }

  /** Whether a CR or LF stands in [from, to) (no slice, no regex: runs once per value). */
  private lineBreakBetween(from: number, to: number): boolean {
    for (let i = from; i < to; i++) {
      const c = this.src.charCodeAt(i);
      if (c === 10 || c === 13) return true;
    }
    return false;
  }

  private peek(): Event | undefined {
    return this.events[this.i];
  }

  private anchorOf(ev: { anchorStart: number; anchorEnd: number }): string | null {
    return ev.anchorStart >= 0 ? this.src.slice(ev.anchorStart, ev.anchorEnd) : null;
  }

  private openAnchor(ev: { anchorStart: number; anchorEnd: number }): string | null {
    const name = this.anchorOf(ev);
    if (name === null) return null;
    if (this.anchors.has(name))
      this.fail(
        ev.anchorStart - 1,
        `found duplicate anchor '${name}' (dbt's YAML loader refuses a reused anchor name)`,
      );
    this.anchors.set(name, OPEN);
    return name;
  }

  private tagOf(ev: { tagStart: number; tagEnd: number }): string | null {
    if (ev.tagStart < 0) return null;
    const raw = this.src.slice(ev.tagStart, ev.tagEnd);
    if (raw.startsWith('!<') && raw.endsWith('>')) return raw.slice(2, -1);
    if (raw === '!') return '!';
    const handle = /^!(?:[0-9A-Za-z-]*!)?/.exec(raw)?.[0] ?? '!';
    const prefix = this.tagHandles.get(handle);
    if (prefix === undefined)
      return this.fail(ev.tagStart, `found undefined tag handle '${handle}'`);
    return prefix + decodeURIComponentSafe(raw.slice(handle.length));
  }

  /** A node's value; its size, height and start are left in nodeSize, nodeHeight, nodeStart. */
  private node(depth: number): unknown {
    const ev = this.next();
    switch (ev.type) {
      case EVENT_ID.SCALAR:
        return this.scalar(ev, false);
      case EVENT_ID.ALIAS:
        return this.alias(ev.anchorStart, ev.anchorEnd);
      case EVENT_ID.SEQUENCE:
        return this.sequence(ev, depth);
      case EVENT_ID.MAPPING:
        return this.mapping(ev, depth);
      default:
        return this.fail(0, 'unexpected YAML event stream');
    }
  }

  private alias(anchorStart: number, anchorEnd: number): unknown {
    const name = this.src.slice(anchorStart, anchorEnd);
    const target = this.anchors.get(name);
    if (target === undefined) return this.fail(anchorStart - 1, `found undefined alias '${name}'`);
    if (target === OPEN)
      return this.fail(
        anchorStart - 1,
        `alias '*${name}' is used inside its own anchor (a recursive structure)`,
      );
    this.expansion += target.size;
    if (this.expansion > MAX_ALIAS_EXPANSION) {
      this.fail(
        anchorStart - 1,
        `aliases expand to more than ${MAX_ALIAS_EXPANSION} nodes (an alias bomb?)`,
      );
    }
    this.nodeSize = target.size;
    this.nodeHeight = target.height;
    this.nodeStart = anchorStart - 1;
    this.nodeFloat = false;
    return target.value;
  }

  /** A scalar's value (MERGE for a merge key); nodeFloat says whether it was a float. */
  private scalar(ev: ScalarEvent, isKey: boolean): unknown {
    const name = this.openAnchor(ev);
    const text = ev.valueStart >= 0 ? scalarText(this.src, ev) : '';
    const tag = this.tagOf(ev);
    // -1 for an empty scalar with no tag or anchor: its container supplies a position.
    const start =
      tokenStart(ev) >= 0
        ? tokenStart(ev)
        : ev.tagStart >= 0
          ? ev.tagStart
          : ev.anchorStart >= 0
            ? ev.anchorStart - 1
            : -1;
    this.nodeSize = 1;
    this.nodeHeight = 0;
    this.nodeStart = start;
    this.nodeFloat = false;
    if (name === null && tag === null) {
      // Most scalars: a string with no tag or anchor, told without a Resolved object.
      if (ev.style !== SCALAR_STYLE.PLAIN) return text;
      if (
        text !== '' &&
        !maybeNotString(text) &&
        !(this.flowDepth > 0 && text.charCodeAt(0) === 58)
      )
        return text;
    }
    let resolved: Resolved;
    if (tag === '!' || (tag === null && ev.style === SCALAR_STYLE.PLAIN))
      resolved = resolvePlain(text, isKey);
    else if (tag === null) resolved = { kind: 'value', value: text };
    else resolved = constructTagged(tag, text, isKey);
    if (resolved.kind === 'error')
      return this.fail(ev.tagStart >= 0 ? ev.tagStart : start, resolved.reason);
    if (
      this.flowDepth > 0 &&
      ev.style === SCALAR_STYLE.PLAIN &&
      this.src.charAt(ev.valueStart) === ':'
    ) {
      // PyYAML: in a flow collection a plain scalar cannot start with `:`.
      this.fail(ev.valueStart, "expected the node content, but found ':'");
    }
    const value = resolved.kind === 'merge' ? MERGE : resolved.value;
    this.nodeFloat = resolved.kind === 'value' && resolved.float === true;
    if (name !== null) this.anchors.set(name, { value, size: 1, height: 0, start });
    return value;
  }

  private checkHeight(height: number, start: number): void {
    if (height > MAX_DEPTH)
      this.fail(start, `nesting deeper than ${MAX_DEPTH} levels (aliases included)`);
  }

  private sequence(ev: Event & { type: typeof EVENT_ID.SEQUENCE }, depth: number): unknown {
    const name = this.openAnchor(ev);
    const tag = this.tagOf(ev);
    if (tag !== null && tag !== '!' && tag !== `${YAML_TAG}seq`) {
      this.fail(
        ev.tagStart,
        `tag '${this.src.slice(ev.tagStart, ev.tagEnd)}' is not supported on a sequence (dbt cannot use it)`,
      );
    }
    const items: unknown[] = [];
    let size = 1;
    let height = 0;
    let start = -1;
    const flow = ev.style === COLLECTION_STYLE.FLOW ? 1 : 0;
    this.flowDepth += flow;
    for (let nx = this.peek(); nx && nx.type !== EVENT_ID.POP; nx = this.peek()) {
      const child = this.node(depth + 1);
      // The first item's position; the sequence's own (`-` or `[`) when that item is empty.
      if (items.length === 0) start = this.nodeStart >= 0 ? this.nodeStart : ev.start;
      items.push(child);
      size += this.nodeSize;
      if (this.nodeHeight > height) height = this.nodeHeight;
    }
    this.flowDepth -= flow;
    this.next();
    if (start < 0) start = ev.start;
    this.checkHeight(height + 1, start);
    this.table.add(items, start, 0, 0);
    this.setNode(size, height + 1, start);
    if (name !== null) this.anchors.set(name, { value: items, size, height: height + 1, start });
    return items;
  }

  private setNode(size: number, height: number, start: number): void {
    this.nodeSize = size;
    this.nodeHeight = height;
    this.nodeStart = start;
    this.nodeFloat = false;
  }

  private mapping(ev: Event & { type: typeof EVENT_ID.MAPPING }, depth: number): unknown {
    const name = this.openAnchor(ev);
    const tag = this.tagOf(ev);
    if (tag !== null && tag !== '!' && tag !== `${YAML_TAG}map`) {
      this.fail(
        ev.tagStart,
        `tag '${this.src.slice(ev.tagStart, ev.tagEnd)}' is not supported on a mapping (dbt cannot use it)`,
      );
    }
    // Own pairs straight into their object: a later duplicate wins and keeps the place of the
    // first, the same as applying the pairs in order after any merged ones (below).
    const own = nullObject();
    // Own keys and offsets as written (duplicates too) go on a stack shared by the nested
    // mappings, and into the NodeTable once built: the nested mappings built meanwhile put
    // their runs there first.
    const pendingNames = this.pendingNames;
    const pendingAt = this.pendingAt;
    const base = pendingNames.length;
    /** Merged mappings, in the order PyYAML applies them (a later one wins). */
    let merges: MergeSource[] | null = null;
    let size = 1;
    let height = 0;
    let start = -1;
    const flow = ev.style === COLLECTION_STYLE.FLOW ? 1 : 0;
    this.flowDepth += flow;
    for (let kx = this.peek(); kx && kx.type !== EVENT_ID.POP; kx = this.peek()) {
      const keyAt = tokenStart(kx) >= 0 ? tokenStart(kx) : ev.start;
      this.checkImplicitKey(kx);
      if (start < 0) start = keyAt;
      const key = this.key(kx, ev);
      const vx = this.peek();
      if (
        vx?.type === EVENT_ID.MAPPING &&
        vx.style === COLLECTION_STYLE.BLOCK &&
        !this.lineBreakBetween(this.lastEnd, vx.start)
      ) {
        // `key: &a inner: v` — js-yaml takes a block mapping on the key's line; PyYAML does not.
        this.fail(
          vx.start,
          'mapping values are not allowed here (a nested mapping must start on a new line)',
        );
      }
      const value = this.node(depth + 1);
      // Merged content is counted as its `<<` value: an upper bound of what it adds.
      size += 1 + this.nodeSize;
      if (key === MERGE) {
        const valueHeight = this.nodeHeight;
        (merges ??= []).push(...this.mergeSources(value, this.nodeStart));
        // A merged mapping's entries sit one level above it (two above a list of mappings).
        height = Math.max(height, valueHeight - (Array.isArray(value) ? 2 : 1));
      } else {
        own[key] = value;
        pendingNames.push(key);
        pendingAt.push(keyAt);
        if (this.nodeHeight > height) height = this.nodeHeight;
      }
    }
    this.flowDepth -= flow;
    this.next();
    if (start < 0) start = ev.start;

    // PyYAML builds `merged pairs + own pairs` and lets a later pair win: own keys beat merged
    // ones wherever `<<` stands, and a key keeps the place of its first occurrence.
    let obj = own;
    const table = this.table;
    const first = table.length;
    if (merges !== null && merges.length > 0) {
      obj = nullObject();
      for (const m of merges) {
        for (const k of Object.keys(m.mapping)) {
          obj[k] = m.mapping[k];
          table.push(k, table.keyOffset(m.mapping, k) ?? m.start);
        }
      }
      for (const k of Object.keys(own)) obj[k] = own[k];
    }
    for (let i = base; i < pendingNames.length; i++) table.push(pendingNames[i]!, pendingAt[i]!);
    pendingNames.length = base;
    pendingAt.length = base;
    this.checkHeight(height + 1, start);
    table.add(obj, start, first, table.length);
    this.setNode(size, height + 1, start);
    if (name !== null) this.anchors.set(name, { value: obj, size, height: height + 1, start });
    return obj;
  }

  /** A mapping key as a string, or MERGE for a `<<` merge key. */
  private key(kx: Event, parent: Event & { type: typeof EVENT_ID.MAPPING }): string | typeof MERGE {
    if (kx.type === EVENT_ID.SCALAR) {
      this.next();
      const k = this.scalar(kx, true);
      if (k === MERGE) return MERGE;
      // Python writes a float key 1.0 as "1.0" (json.dumps), not "1".
      return this.nodeFloat && Number.isInteger(k) ? `${String(k)}.0` : keyText(k);
    }
    if (kx.type === EVENT_ID.ALIAS) {
      this.next();
      const k = this.alias(kx.anchorStart, kx.anchorEnd);
      if (k !== null && typeof k === 'object')
        this.fail(this.nodeStart, 'found unhashable key (a mapping or sequence cannot be a key)');
      return keyText(k);
    }
    if (
      kx.type === EVENT_ID.MAPPING &&
      kx.style === COLLECTION_STYLE.FLOW &&
      parent.style === COLLECTION_STYLE.FLOW &&
      this.src.charAt(kx.start - 1) === '{'
    ) {
      return this.fail(
        kx.start - 1,
        'unquoted Jinja: "{{ … }}" reads as a YAML mapping; quote the whole value (dbt fails on it too)',
      );
    }
    return this.fail(
      tokenStart(kx),
      'found unhashable key (a mapping or sequence cannot be a key)',
    );
  }

  /**
   * The mappings a `<<` value merges, in application order (PyYAML's `flatten_mapping`): a
   * mapping, or a list of mappings of which an earlier one beats a later one.
   */
  private mergeSources(value: unknown, start: number): MergeSource[] {
    const isMapping = (v: unknown): v is Record<string, unknown> =>
      v !== null && typeof v === 'object' && !Array.isArray(v);
    if (isMapping(value)) return [{ mapping: value, start }];
    if (Array.isArray(value)) {
      const list: MergeSource[] = [];
      for (const item of value) {
        if (!isMapping(item))
          return this.fail(
            start,
            'expected a mapping for merging, but found something else in the `<<` list',
          );
        list.push({ mapping: item, start: this.table.start(item) ?? start });
      }
      return list.reverse();
    }
    return this.fail(start, 'expected a mapping or list of mappings for merging (`<<`)');
  }
}

interface MergeSource {
  mapping: Record<string, unknown>;
  start: number;
}

/**
 * The scalar's text. js-yaml ends a clipped or kept block scalar with a line break even when
 * the file ends without one; PyYAML does not, and dbt strips every file, so a block scalar
 * that ends the file (a last `description: |`) has no final line break in dbt.
 */
function scalarText(src: string, ev: ScalarEvent): string {
  const text = getScalarValue(src, ev);
  if (ev.style !== SCALAR_STYLE.LITERAL_BLOCK && ev.style !== SCALAR_STYLE.FOLDED_BLOCK)
    return text;
  const last = src.charAt(ev.valueEnd - 1);
  if (last === '\n' || last === '\r' || !text.endsWith('\n')) return text;
  return text.slice(0, -1);
}

function decodeURIComponentSafe(s: string): string {
  try {
    return decodeURIComponent(s);
  } catch {
    return s;
  }
}

/** A scalar key as the text JSON gives it (PyYAML keeps True/None/1 keys; dbt writes them so). */
function keyText(v: unknown): string {
  if (typeof v === 'string') return v;
  if (v === null) return 'null';
  if (typeof v === 'number' || typeof v === 'boolean') return String(v);
  return JSON.stringify(v) ?? '';
}

/** PyYAML's implicit resolvers for a plain scalar (`yaml.resolver.Resolver`, YAML 1.1). */
function resolvePlain(text: string, isKey: boolean): Resolved {
  if (text === '') return { kind: 'value', value: null };
  if (!maybeNotString(text)) return { kind: 'value', value: text };
  if (BOOL_RE.test(text)) return { kind: 'value', value: BOOL_VALUES[text.toLowerCase()] ?? false };
  if (FLOAT_RE.test(text)) return { kind: 'value', value: pyFloat(text), float: true };
  if (INT_RE.test(text)) return pyInt(text);
  if (text === '<<')
    return isKey
      ? { kind: 'merge' }
      : {
          kind: 'error',
          reason:
            "could not determine a constructor for the tag 'tag:yaml.org,2002:merge' (quote `<<` to use it as text)",
        };
  if (NULL_RE.test(text)) return { kind: 'value', value: null };
  if (TIMESTAMP_RE.test(text)) return timestamp(text);
  if (text === '=') {
    return isKey
      ? { kind: 'value', value: '=' }
      : {
          kind: 'error',
          reason:
            "could not determine a constructor for the tag 'tag:yaml.org,2002:value' (a plain `=` is YAML 1.1's value key: quote it)",
        };
  }
  return { kind: 'value', value: text };
}

const BOOL_VALUES: Record<string, boolean> = {
  yes: true,
  no: false,
  true: true,
  false: false,
  on: true,
  off: false,
};

/** PyYAML's constructors for an explicitly tagged scalar. */
function constructTagged(tag: string, text: string, isKey: boolean): Resolved {
  switch (tag) {
    case `${YAML_TAG}str`:
      return { kind: 'value', value: text };
    case `${YAML_TAG}null`:
      return { kind: 'value', value: null };
    case `${YAML_TAG}bool`: {
      const b = BOOL_VALUES[text.toLowerCase()];
      return b === undefined
        ? { kind: 'error', reason: `'${text}' is not a YAML 1.1 boolean` }
        : { kind: 'value', value: b };
    }
    case `${YAML_TAG}int`:
      return EXPLICIT_INT_RE.test(text)
        ? pyInt(text)
        : { kind: 'error', reason: `'${text}' is not an integer` };
    case `${YAML_TAG}float`:
      return EXPLICIT_FLOAT_RE.test(text.replace(/_/g, ''))
        ? { kind: 'value', value: pyFloat(text), float: true }
        : { kind: 'error', reason: `'${text}' is not a float` };
    case `${YAML_TAG}timestamp`:
      return TIMESTAMP_PARTS.test(text)
        ? timestamp(text)
        : { kind: 'error', reason: `'${text}' is not a timestamp` };
    case `${YAML_TAG}merge`:
      return isKey
        ? { kind: 'merge' }
        : {
            kind: 'error',
            reason: "could not determine a constructor for the tag 'tag:yaml.org,2002:merge'",
          };
    default: {
      const shown = tag.startsWith(YAML_TAG) ? `!!${tag.slice(YAML_TAG.length)}` : tag;
      return {
        kind: 'error',
        reason: `tag '${shown}' is not supported (dbt's YAML loader cannot construct it, or dbt cannot use the result)`,
      };
    }
  }
}

/** `SafeConstructor.construct_yaml_int`. */
function pyInt(text: string): Resolved {
  let body = text.replace(/_/g, '');
  let sign = 1;
  if (body.startsWith('-')) sign = -1;
  if (body.startsWith('-') || body.startsWith('+')) body = body.slice(1);
  let n: number;
  if (body === '0') n = 0;
  else if (body.startsWith('0b')) n = digits(body.slice(2), 2);
  else if (body.startsWith('0x')) n = digits(body.slice(2), 16);
  else if (body.startsWith('0')) n = digits(body, 8);
  else if (body.includes(':'))
    n = body.split(':').reduce((acc, part) => acc * 60 + digits(part, 10), 0);
  else n = digits(body, 10);
  if (Number.isNaN(n)) return { kind: 'error', reason: `'${text}' is not an integer` };
  return { kind: 'value', value: n === 0 ? 0 : sign * n };
}

function digits(s: string, radix: number): number {
  const valid =
    radix === 2
      ? /^[01]+$/
      : radix === 8
        ? /^[0-7]+$/
        : radix === 16
          ? /^[0-9a-fA-F]+$/
          : /^[0-9]+$/;
  if (!valid.test(s)) return NaN;
  if (radix === 10) return Number(s);
  return s.length <= 12
    ? parseInt(s, radix)
    : Number(BigInt((radix === 2 ? '0b' : radix === 8 ? '0o' : '0x') + s));
}

/** `SafeConstructor.construct_yaml_float`. */
function pyFloat(text: string): number {
  let body = text.replace(/_/g, '').toLowerCase();
  let sign = 1;
  if (body.startsWith('-')) sign = -1;
  if (body.startsWith('-') || body.startsWith('+')) body = body.slice(1);
  if (body === '.inf') return sign * Infinity;
  if (body === '.nan') return NaN;
  if (body.includes(':'))
    return sign * body.split(':').reduce((acc, part) => acc * 60 + Number(part), 0);
  return sign * Number(body);
}

/** A timestamp is kept as written, once PyYAML would have accepted it as a date. */
function timestamp(text: string): Resolved {
  const m = TIMESTAMP_PARTS.exec(text);
  if (!m) return { kind: 'value', value: text };
  const [, y, mo, d, h, mi, s, tzSign, tzH, tzM] = m;
  const year = Number(y);
  const month = Number(mo);
  const day = Number(d);
  const bad = (why: string): Resolved => ({
    kind: 'error',
    reason: `invalid timestamp '${text}': ${why} (dbt's YAML loader fails on it; quote it to keep it as text)`,
  });
  if (year < 1) return bad('year 0 is out of range');
  if (month < 1 || month > 12) return bad('month must be in 1..12');
  const daysInMonth =
    month === 2 ? (isLeap(year) ? 29 : 28) : [4, 6, 9, 11].includes(month) ? 30 : 31;
  if (day < 1 || day > daysInMonth) return bad('day is out of range for month');
  if (h !== undefined) {
    if (Number(h) > 23) return bad('hour must be in 0..23');
    if (Number(mi) > 59) return bad('minute must be in 0..59');
    if (Number(s) > 59) return bad('second must be in 0..59');
    if (tzSign !== undefined && Number(tzH) * 60 + Number(tzM ?? 0) >= 24 * 60)
      return bad('time zone offset must be under 24 hours');
  }
  return { kind: 'value', value: text };
}

function isLeap(y: number): boolean {
  return (y % 4 === 0 && y % 100 !== 0) || y % 400 === 0;
}
