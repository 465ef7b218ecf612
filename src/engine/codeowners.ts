/**
 * CODEOWNERS, as GitHub reads it: one rule a line, a gitignore-style pattern then owners
 * (`@user`, `@org/team`, e-mail addresses); `#` starts a comment; the last matching line
 * wins, and a matching line without owners leaves the file without an owner. Pure: the
 * config loader reads the file and hands its text to `parseCodeowners`.
 *
 * Pattern semantics (paths relative to the repository root, `/` separators):
 * - a leading `/`, or a `/` inside the pattern, anchors it at the root; otherwise it matches
 *   at any depth (`*.sql`, `apps/`, `README.md`);
 * - a trailing `/` matches a directory: everything below it;
 * - a pattern naming a file or a directory matches that file and everything below it
 *   (`/docs` owns `docs/a.md` and `docs/x/y.md`);
 * - `*` matches within one path segment, `?` one character but `/`; a last segment with a
 *   `*` matches files at that level only (`docs/*` does not own `docs/x/y.md`, as GitHub
 *   documents);
 * - `**` matches any number of directories: `**\/logs`, `docs/**`, `a/**\/b`;
 * - `\` escapes the next character (`\#file`, `path\ with\ spaces`);
 * - `!` negation and `[…]` ranges do not work in GitHub's CODEOWNERS: lines starting with
 *   `!` are skipped, and `[` `]` are matched literally.
 */
import type { CodeownersEntry } from './config.js';

/** Longest line considered; longer lines are ignored (CODEOWNERS files are small). */
const MAX_LINE = 4096;

/** Splits a line into tokens on unescaped whitespace; an unescaped `#` ends the line. */
function tokenize(line: string): string[] {
  const tokens: string[] = [];
  let cur = '';
  let inToken = false;
  for (let i = 0; i < line.length; i++) {
    const ch = line[i]!;
    if (ch === '\\' && i + 1 < line.length) {
      // Keep the escape: the pattern compiler needs to know the character was literal.
      cur += ch + line[i + 1]!;
      inToken = true;
      i++;
      continue;
    }
    if (ch === '#' && !inToken) break;
    if (ch === ' ' || ch === '\t') {
      if (inToken) tokens.push(cur);
      cur = '';
      inToken = false;
      continue;
    }
    cur += ch;
    inToken = true;
  }
  if (inToken) tokens.push(cur);
  return tokens;
}

/** Removes the escapes of a token (for owners, which are shown as written). */
function unescape(token: string): string {
  return token.replace(/\\(.)/g, '$1');
}

/**
 * The rules of a CODEOWNERS file, in file order, with 1-based line numbers. Comments, blank
 * lines, GitLab section headers (`[Section]`) and negations are skipped; a pattern with no
 * owners is kept (it removes ownership).
 */
export function parseCodeowners(text: string): CodeownersEntry[] {
  const entries: CodeownersEntry[] = [];
  const lines = text.split(/\r\n|\n|\r/);
  for (let i = 0; i < lines.length; i++) {
    let line = lines[i]!;
    if (i === 0 && line.startsWith('\uFEFF')) line = line.slice(1);
    if (line.length > MAX_LINE) continue;
    const trimmed = line.trim();
    if (trimmed === '' || trimmed.startsWith('#')) continue;
    if (/^\^?\[[^\]]*\]/.test(trimmed)) continue; // GitLab section header
    if (trimmed.startsWith('!')) continue;
    const [pattern, ...owners] = tokenize(trimmed);
    if (pattern === undefined) continue;
    entries.push({ pattern, owners: owners.map(unescape), line: i + 1 });
  }
  return entries;
}

function escapeRegExp(ch: string): string {
  return /[\\^$.*+?()[\]{}|/]/.test(ch) ? `\\${ch}` : ch;
}

/** One path segment of a pattern as a regular expression (no `/` inside). */
function segmentSource(segment: string): string {
  let out = '';
  for (let i = 0; i < segment.length; i++) {
    const ch = segment[i]!;
    if (ch === '\\' && i + 1 < segment.length) {
      out += escapeRegExp(segment[++i]!);
    } else if (ch === '*') {
      while (segment[i + 1] === '*') i++;
      out += '[^/]*';
    } else if (ch === '?') out += '[^/]';
    else out += escapeRegExp(ch);
  }
  return out;
}

/** Whether a segment holds an unescaped `*`. */
function hasStar(segment: string): boolean {
  for (let i = 0; i < segment.length; i++) {
    if (segment[i] === '\\') i++;
    else if (segment[i] === '*') return true;
  }
  return false;
}

/** A CODEOWNERS pattern as a regular expression over `/`-separated relative paths; null when it matches nothing. */
export function compileCodeownersPattern(pattern: string): RegExp | null {
  let p = pattern;
  const dirOnly = p.endsWith('/') && !p.endsWith('\\/');
  if (dirOnly) p = p.replace(/\/+$/, '');
  const leadingSlash = p.startsWith('/');
  p = p.replace(/^\/+/, '');
  if (p === '') return /^.+$/; // `/`: the root directory, so every file
  const segments = p.split('/').filter((s) => s !== '');
  const anchored = leadingSlash || segments.length > 1;
  let src = anchored ? '^' : '^(?:[^/]*/)*';
  const last = segments.length - 1;
  for (let i = 0; i <= last; i++) {
    const seg = segments[i]!;
    if (seg === '**') {
      src += i === last ? '.+' : '(?:[^/]*/)*';
      continue;
    }
    src += segmentSource(seg);
    if (i < last) src += '/';
  }
  const lastSeg = segments[last]!;
  if (lastSeg === '**') src += '$';
  else if (dirOnly) src += '/.+$';
  else if (hasStar(lastSeg)) src += '$';
  else src += '(?:/.+)?$';
  try {
    return new RegExp(src);
  } catch {
    return null;
  }
}

const compiled = new WeakMap<CodeownersEntry, RegExp | null>();

function regexpOf(entry: CodeownersEntry): RegExp | null {
  let re = compiled.get(entry);
  if (re === undefined) {
    re = compileCodeownersPattern(entry.pattern);
    compiled.set(entry, re);
  }
  return re;
}

/**
 * The rule that owns `relPath` (relative to the repository root, `/` or `\` separators): the
 * last matching entry, or null when none matches. The entry may have no owners.
 */
export function matchCodeowners(
  entries: readonly CodeownersEntry[],
  relPath: string,
): CodeownersEntry | null {
  const p = relPath.replace(/\\/g, '/').replace(/^\.\//, '').replace(/^\/+/, '');
  if (p === '' || p === '..' || p.startsWith('../')) return null;
  for (let i = entries.length - 1; i >= 0; i--) {
    const entry = entries[i]!;
    if (regexpOf(entry)?.test(p)) return entry;
  }
  return null;
}
